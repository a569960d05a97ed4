import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_signs_in_and_out(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("products:catalogue")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("products:catalogue")).status_code == 302


def test_wrong_password_shows_a_form_error(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": "wrong"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_login_page_locks_out_after_repeated_failures(client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": rep.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_token_endpoint_locks_out_after_repeated_failures(rep, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        bad = client.post(
            "/api/v1/auth/token/", {"username": rep.username, "password": "wrong"}, format="json"
        )
        assert bad.status_code in (400, 429)
    response = client.post(
        "/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "token" not in response.json()


def test_lockout_is_shared_between_page_and_api(client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": rep.username, "password": "wrong"})
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429


def test_password_change_page(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xq7!mg-trade-2026",
            "new_password2": "Xq7!mg-trade-2026",
        },
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("Xq7!mg-trade-2026")


def test_session_timeout_is_configured(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
