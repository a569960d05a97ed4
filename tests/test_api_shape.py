"""One API shape across the apps: invalid filter values answer 400 with the field's
errors, whichever app's list it is and whether its selector or the filter backend applies
the filters; every model endpoint of these apps uses one of the two model-permission classes."""

import pytest
from django.urls import get_resolver

from mgtrade.permissions import ModelPermissions, ReadAnyWriteModelPerms

BAD_FILTERS = [
    ("/api/v1/products/?category=bogus", "category"),
    ("/api/v1/tariff-rules/?kind=bogus", "kind"),
    ("/api/v1/fx-rates/?date=not-a-date", "date"),
    ("/api/v1/customers/?owner=x", "owner"),
    ("/api/v1/customers/?status=bogus", "status"),
    ("/api/v1/quotes/?customer=x", "customer"),
    ("/api/v1/quotes/?status=bogus", "status"),
]


@pytest.mark.parametrize(("url", "field"), BAD_FILTERS)
def test_an_invalid_filter_value_is_a_400_naming_the_field(manager_api, url, field):
    response = manager_api.get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) for message in body[field])


def _api_views():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if route.startswith("api/v1/") and cls is not None:
            yield route, cls


def test_model_endpoints_share_one_permission_pattern():
    model_views = [
        (route, cls)
        for route, cls in _api_views()
        if getattr(cls, "queryset", None) is not None
        and cls.__module__.split(".")[0] in {"customers", "products", "quotes", "pricing"}
    ]
    assert model_views
    for route, cls in model_views:
        kinds = {type(p) for p in (klass() for klass in cls.permission_classes)}
        assert kinds & {ModelPermissions, ReadAnyWriteModelPerms}, route


@pytest.mark.parametrize(
    "url", ["/api/v1/quotes/null/send/", "/api/v1/customers/-1.5/contacts/", "/api/v1/nowhere/"]
)
def test_a_url_that_matches_no_api_route_is_the_api_s_json_404(rep_api, url):
    """Found by the bounded schemathesis run (.ci/run): an id that is not a number matched no
    URL and got the site's HTML page, which the schema does not document."""
    response = rep_api.post(url) if url.endswith("send/") else rep_api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_that_does_not_exist_is_still_the_html_404(rep_client):
    response = rep_client.get("/quotes/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_documents_contract_events_as_the_plain_list_they_are(manager_api):
    schema = manager_api.get("/api/schema/?format=json").json()
    ok = schema["paths"]["/api/v1/contracts/{id}/events/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["type"] == "array"
