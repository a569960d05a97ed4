"""API tokens end: they expire, a password change or a logout revokes them, and every
request for a token issues a new one (docs/api.md, "Authentication")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xq7!mg-trade-2026"


def _token(user, password=PASSWORD) -> dict:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_response_keeps_token_and_adds_expiry(rep, settings):
    before = timezone.now()
    body = _token(rep)
    assert isinstance(body["token"], str) and len(body["token"]) >= 40
    expiry = parse_datetime(body["expiry"])
    ttl = timedelta(days=settings.MGTRADE["API_TOKEN_TTL_DAYS"])
    assert before + ttl - timedelta(minutes=1) <= expiry <= timezone.now() + ttl
    assert _client(body["token"]).get("/api/v1/products/").status_code == 200


def test_default_token_lifetime_is_30_days(settings):
    assert settings.MGTRADE["API_TOKEN_TTL_DAYS"] == 30


def test_each_request_issues_a_new_token_and_both_work(rep):
    first, second = _token(rep)["token"], _token(rep)["token"]
    assert first != second
    assert _client(first).get("/api/v1/products/").status_code == 200
    assert _client(second).get("/api/v1/products/").status_code == 200


def test_expired_token_is_refused(rep):
    token = _token(rep)["token"]
    client = _client(token)
    later = timezone.now() + timedelta(days=31)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get("/api/v1/products/")
    assert response.status_code == 401


def test_password_change_page_revokes_every_token(client, rep):
    token = _token(rep)["token"]
    client.force_login(rep)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _client(token).get("/api/v1/products/").status_code == 401
    assert _client(_token(rep, NEW_PASSWORD)["token"]).get("/api/v1/products/").status_code == 200


def test_password_set_anywhere_revokes_tokens(rep):
    token = _token(rep)["token"]
    rep.set_password(NEW_PASSWORD)
    rep.save()
    assert _client(token).get("/api/v1/products/").status_code == 401


def test_other_saves_of_the_user_keep_tokens(rep):
    token = _token(rep)["token"]
    rep.title = "Export sales"
    rep.save()
    assert _client(token).get("/api/v1/products/").status_code == 200


def test_logout_revokes_only_the_token_used(rep):
    kept, revoked = _token(rep)["token"], _token(rep)["token"]
    response = _client(revoked).post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert _client(revoked).get("/api/v1/products/").status_code == 401
    assert _client(kept).get("/api/v1/products/").status_code == 200


def test_logout_all_revokes_every_token_of_the_user(rep, other_rep):
    first, second = _token(rep)["token"], _token(rep)["token"]
    others = _token(other_rep)["token"]
    response = _client(first).post("/api/v1/auth/logout-all/")
    assert response.status_code == 204
    assert _client(first).get("/api/v1/products/").status_code == 401
    assert _client(second).get("/api/v1/products/").status_code == 401
    assert _client(others).get("/api/v1/products/").status_code == 200


def test_logout_without_a_token_is_401(api_client):
    assert api_client.post("/api/v1/auth/logout/").status_code == 401


def test_token_endpoints_are_in_the_schema(rep_client):
    schema = rep_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    token_post = schema["paths"]["/api/v1/auth/token/"]["post"]
    ok = token_post["responses"]["200"]["content"]["application/json"]["schema"]
    assert "429" in token_post["responses"]
    assert "/api/v1/auth/logout/" in schema["paths"]
    assert "/api/v1/auth/logout-all/" in schema["paths"]
    ref = ok["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"token", "expiry"}
