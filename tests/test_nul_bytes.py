"""A NUL character anywhere in a request (path, query string, form field, JSON string or
key) is refused at the edge with 400, before any view or query runs (PostgreSQL cannot
store or compare NUL; docs/api.md, "Bad input")."""

import pytest
from django.urls import reverse

from tests.customers.factories import CustomerFactory
from tests.quotes.conftest import worked_example_data  # noqa: F401  (fixture)
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products/MG9990%00/",
        "/api/v1/ports/DE%00HAM/",
        "/api/v1/products/?search=mg%00",
        "/api/v1/customers/?search=a%00b",
        "/api/v1/customers/?country=D%00E",
        "/api/v1/quotes/?status=draft%00",
    ],
)
def test_api_get_with_nul_is_400_json(rep_api, url):
    response = rep_api.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/catalogue/MG9990%00/", "/catalogue/?q=%00", "/quotes/new/?q=a%00", "/customers/?q=%00"],
)
def test_page_get_with_nul_is_400(rep_client, url):
    response = rep_client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_json_string_with_nul_is_400(rep_api):
    response = rep_api.post(
        "/api/v1/customers/",
        {"name": "Acme\u0000", "country": "DE", "industry": "automotive"},
        format="json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_json_key_or_nested_value_with_nul_is_400(rep_api):
    response = rep_api.post(
        "/api/v1/pricing/preview/",
        {"incoterm": "CIF", "destination_port": "DEHAM", "lines": [{"product": "MG\u00009990"}]},
        format="json",
    )
    assert response.status_code == 400
    response = rep_api.post("/api/v1/customers/", {"na\u0000me": "x"}, format="json")
    assert response.status_code == 400


def test_reject_reason_with_nul_is_400_in_api_and_page(
    rep,
    rep_api,
    rep_client,
    worked_example_data,  # noqa: F811
):
    quote = quote_for(customer=german_buyer(owner=rep))
    response = rep_api.post(
        f"/api/v1/quotes/{quote.pk}/reject/", {"reason": "price\u0000"}, format="json"
    )
    assert response.status_code == 400
    response = rep_client.post(
        reverse("quotes:reject", args=[quote.pk]), {"reason_text": "price\x00", "reason": "x\x00"}
    )
    assert response.status_code == 400


def test_form_post_with_nul_is_400_and_saves_nothing(rep, rep_client):
    customer = CustomerFactory(owner=rep, name="Nordmetall")
    response = rep_client.post(
        reverse("customers:edit", args=[customer.pk]), {"name": "Nord\x00metall"}
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.name == "Nordmetall"


def test_ordinary_requests_pass(rep_api, rep_client):
    assert rep_api.get("/api/v1/products/?search=mg").status_code == 200
    assert rep_client.get("/catalogue/?q=mg").status_code == 200
