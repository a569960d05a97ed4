from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from products.models import Product
from tests.accounts.factories import PASSWORD
from tests.products.factories import ProductFactory, ProductPriceFactory

pytestmark = pytest.mark.django_db

NEW_GRADE = {
    "code": "AM60B",
    "name": "AM60B alloy ingot",
    "category": "alloy",
    "hs_code": "8104.19.00",
    "standard": "ASTM B93 AM60B",
    "packaging": "7.5 kg ingots",
    "spec": [{"element": "Al", "min_percent": "5.5", "max_percent": "6.5"}],
}


def test_anonymous_gets_401(api_client):
    assert api_client.get("/api/v1/products/").status_code == 401


def test_rep_reads_products_with_price_in_force_and_spec(rep_api):
    product = ProductFactory(code="MG9990")
    product.spec_limits.create(element="Mg", min_percent=Decimal("99.90"))
    ProductPriceFactory(
        product=product, usd_per_mt=Decimal("2285.00"), effective_from=date(2025, 7, 21)
    )
    response = rep_api.get("/api/v1/products/MG9990/")
    assert response.status_code == 200
    body = response.json()
    assert body["list_price_usd_per_mt"] == "2285.00"
    assert body["hs_code"] == "8104.11.00"
    assert body["spec"] == [{"element": "Mg", "min_percent": "99.9000", "max_percent": None}]


def test_rep_cannot_write_products_or_prices(rep_api):
    ProductFactory(code="MG9990")
    assert rep_api.post("/api/v1/products/", NEW_GRADE, format="json").status_code == 403
    assert (
        rep_api.patch("/api/v1/products/MG9990/", {"name": "x"}, format="json").status_code == 403
    )
    response = rep_api.post(
        "/api/v1/products/MG9990/prices/",
        {"usd_per_mt": "1.00", "effective_from": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 403


def test_admin_creates_a_grade_with_its_spec(admin_api):
    response = admin_api.post("/api/v1/products/", NEW_GRADE, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["spec"][0]["element"] == "Al"
    assert Product.objects.get(code="AM60B").spec_limits.count() == 1


def test_bad_grade_gets_400_with_field_errors(admin_api):
    bad = {
        **NEW_GRADE,
        "hs_code": "81.04",
        "spec": [{"element": "Al", "min_percent": "7", "max_percent": "6"}],
    }
    response = admin_api.post("/api/v1/products/", bad, format="json")
    assert response.status_code == 400
    assert "hs_code" in response.json()
    assert not Product.objects.filter(code="AM60B").exists()


def test_duplicate_code_gets_400(admin_api):
    ProductFactory(code="AM60B")
    response = admin_api.post("/api/v1/products/", NEW_GRADE, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_admin_adds_prices_and_history_is_kept(admin_api):
    ProductFactory(code="MG9990")
    url = "/api/v1/products/MG9990/prices/"
    assert (
        admin_api.post(
            url, {"usd_per_mt": "2250.00", "effective_from": "2025-06-23"}, format="json"
        ).status_code
        == 201
    )
    assert (
        admin_api.post(
            url, {"usd_per_mt": "2285.00", "effective_from": "2025-07-21"}, format="json"
        ).status_code
        == 201
    )
    duplicate = admin_api.post(
        url, {"usd_per_mt": "9.00", "effective_from": "2025-07-21"}, format="json"
    )
    assert duplicate.status_code == 400
    assert "effective_from" in duplicate.json()
    history = admin_api.get(url).json()
    assert [row["usd_per_mt"] for row in history["results"]] == ["2285.00", "2250.00"]


def test_products_cannot_be_deleted_through_the_api(admin_api):
    ProductFactory(code="MG9990")
    assert admin_api.delete("/api/v1/products/MG9990/").status_code == 405


def test_list_is_paginated_with_contract_shape(rep_api, django_assert_max_num_queries):
    for i in range(25):
        ProductFactory(code=f"MG{i:04d}")
    with django_assert_max_num_queries(5):
        body = rep_api.get("/api/v1/products/?page_size=10").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 25 and len(body["results"]) == 10


def test_session_api_writes_enforce_csrf(admin_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/v1/products/", NEW_GRADE, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_auth_round_trip(rep):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/products/").status_code == 200


def test_openapi_schema_and_docs_are_served(rep_client):
    schema = rep_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/products/" in schema.content
    docs = rep_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
