"""The page rules of docs/accessibility.md that hold without a browser: security headers on
every response, templates without inline script or style (the CSP would block them), the
field include's ids, the error summary, the sign-in error tied to its fields, aria-sort.
Cross-app, so it lives at the top of tests/ (the browser checks are in tests/e2e/)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from customers.forms import ActivityForm
from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from mgtrade.web_tags import summary_errors
from tests.accounts.factories import PASSWORD, UserFactory
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# E-mails are not web pages: mail clients need their inline styles.
WEB_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if "emails" not in p.parts)
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "on*= handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "hx-on (needs eval)": re.compile(r"\s(data-)?hx-on", re.I),
    "js: value (needs eval)": re.compile(r"hx-(vals|headers)=['\"]\s*js:", re.I),
}


@pytest.fixture
def rep(db):
    roles_sync()
    return UserFactory(username="page_rep", role=Role.SALES_REP)


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


COMMENTS = re.compile(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", re.S)


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in WEB_TEMPLATES
        for what, pattern in INLINE.items()
        if pattern.search(COMMENTS.sub("", path.read_text(encoding="utf-8")))
    ]
    assert len(WEB_TEMPLATES) > 40
    assert not found, found
    offending = {
        "inline <script>": "<script>alert(1)</script>",
        "style= attribute": '<col style="width: 4%">',
        "<style> block": "<style>p {}</style>",
        "on*= handler": '<button onclick="go()">',
        "hx-on (needs eval)": '<form hx-on:submit="x()">',
        "js: value (needs eval)": "<a hx-vals='js:{a: 1}'>",
    }
    assert all(INLINE[what].search(sample) for what, sample in offending.items())
    assert not INLINE["inline <script>"].search('<script src="/static/js/app.js" defer>')


@pytest.mark.parametrize("url", ["/accounts/login/", "/q/not-a-token/", "/api/v1/products/"])
def test_every_response_carries_the_csp_and_permissions_policy(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_signed_in_pages_carry_the_policy_and_load_htmx_without_eval(rep_client):
    response = rep_client.get(reverse("customers:my_day"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
    assert '<script src="/static/js/app.js" defer></script>' in html


def test_only_the_swagger_ui_relaxes_styles(rep_client):
    policy = rep_client.get("/api/docs/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";" and "unsafe-eval" not in policy
    script = rep_client.get("/api/docs/?script=")  # the start-up script is a file, not inline
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_base_layout_has_skip_link_menu_button_and_one_status_region(rep_client):
    html = rep_client.get(reverse("customers:list")).content.decode()
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert re.search(
        r'<button type="button" class="nav-toggle" id="nav-toggle" '
        r'aria-expanded="false" aria-controls="site-menu" hidden>',
        html,
    )
    assert html.count('aria-live="polite"') == 1
    assert html.count('role="status"') == 1


def test_field_include_keeps_the_ids_djangos_aria_describedby_names(rep_client, rep):
    customer = CustomerFactory(owner=rep)
    response = rep_client.post(
        reverse("customers:activity_create", args=[customer.pk]),
        {"kind": "call", "date": "", "summary": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400  # htmx swaps 400 answers (htmx_config.html)
    html = response.content.decode()
    summary = re.search(r"<textarea[^>]*id=\"id_summary\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in summary
    assert 'aria-describedby="id_summary_error"' in summary
    assert '<div id="id_summary_error" class="field-errors" data-error-for="id_summary">' in html
    # a field without error still has its (empty) box, so a later swap can fill it
    assert '<div id="id_kind_error" class="field-errors" data-error-for="id_kind"></div>' in html
    # the outcome, in one sentence, for the page's status region
    assert '<div id="status" hx-swap-oob="innerHTML">Not logged:' in html


def test_help_text_gets_the_id_aria_describedby_names(rep_client):
    html = rep_client.get(reverse("password_change")).content.decode()
    assert 'aria-describedby="id_new_password1_helptext"' in html
    assert 'id="id_new_password1_helptext"' in html


def test_sign_in_error_is_tied_to_both_fields_and_summarised(client, rep):
    html = client.post(
        reverse("login"), {"username": rep.username, "password": "not " + PASSWORD}
    ).content.decode()
    for name in ("username", "password"):
        field = re.search(rf"<input[^>]*name=\"{name}\"[^>]*>", html).group(0)
        assert 'aria-invalid="true"' in field and 'aria-describedby="login-errors"' in field
    assert '<div id="login-errors" class="form-errors"><ul class="errorlist">' in html
    assert 'id="error-summary" tabindex="-1" data-error-summary' in html


def test_error_summary_links_each_error_to_its_field(rep):
    customer = CustomerFactory(owner=rep)
    form = ActivityForm({"kind": "call", "date": "", "summary": ""}, customer=customer)
    assert not form.is_valid()
    errors = summary_errors(form, None)
    assert {e.target for e in errors} >= {"id_date", "id_summary"}
    assert all(e.label and e.message for e in errors)


def test_sorted_column_says_so_with_aria_sort(rep_client):
    html = rep_client.get(reverse("customers:list") + "?sort=-updated").content.decode()
    assert html.count("aria-sort=") == 1
    assert re.search(r'<th scope="col" aria-sort="descending"><a [^>]*>Updated', html)
    assert "<th></th>" not in html and "<th>" not in html


def test_notifications_count_is_polled_inside_a_link_that_is_never_swapped(rep_client):
    html = rep_client.get(reverse("customers:my_day")).content.decode()
    link = re.search(r'<a href="/notifications/" id="notifications-link".*?</a>', html).group(0)
    assert 'id="notifications-count" hx-get="/notifications/badge/"' in link
    assert 'hx-trigger="load, every 30s" hx-swap="innerHTML"' in link
