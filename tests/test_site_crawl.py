"""Every page a signed-in admin, manager or rep reaches by following links from the home
page, with the demo data loaded, answers without a server error. Cross-app, so it lives at
the top of tests/ rather than under one app."""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from mgtrade.accounts.models import User

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get)="(/[^"]*)"')
# Not pages: static files, logging out, and the admin's filters and sort links (the admin
# changelists and forms themselves are crawled).
SKIP = re.compile(r"^/(static|media)/|^/accounts/logout/|[?&](o|p|q|e|_changelist_filters)=")
MAX_PAGES = 1500


def crawl(client, start: str = "/") -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = urldefrag(link.replace("&amp;", "&"))[0]
            if link and not SKIP.search(link) and link not in seen:
                queue.append(link)
    return seen


@pytest.mark.parametrize("username", ["admin", "manager", "rep"])
def test_every_linked_page_answers_without_a_server_error(client, username):
    call_command("load_demo", verbosity=0)
    client.force_login(User.objects.get(username=username))
    seen = crawl(client)
    errors = {url: code for url, code in seen.items() if code >= 500}
    assert not errors, errors
    assert len(seen) < MAX_PAGES, "the crawl did not finish; raise MAX_PAGES"
    paths = {urlsplit(url).path for url in seen}
    assert {"/quotes/", "/customers/"} <= paths
    assert any(re.fullmatch(r"/quotes/\d+/", path) for path in paths)
