"""The fixed cast of users and clients every test can use.

rep and other_rep are sales reps, manager a sales manager, admin_user an admin;
``client``/``api_client`` are anonymous. ``*_client`` fixtures are signed in.
"""

import os
import socket

import pytest
from rest_framework.test import APIClient

from mgtrade.accounts.models import Role
from tests.accounts.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("MGTRADE_REQUIRE_SERVICES") == "1"


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a local service is down, except in CI where that is a failure."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as exc:
        message = f"{name} is not reachable at {host}:{port}: {exc}"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def postgres_only():
    """For tests of PostgreSQL's own behaviour: skipped on SQLite, except in CI (a failure)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (set DATABASE_URL=postgres://…)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def media_root(settings, tmp_path):
    """Stored files (quote PDFs) go to a directory of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")


@pytest.fixture
def other_rep(db):
    return UserFactory(username="other_rep", role=Role.SALES_REP, first_name="Chen", last_name="Yu")


@pytest.fixture
def manager(db):
    return UserFactory(
        username="manager", role=Role.SALES_MANAGER, first_name="Zhang", last_name="Min"
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, first_name="Ada", last_name="Min")


@pytest.fixture
def api_client():
    return APIClient()


def _api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def rep_api(rep):
    return _api_client_for(rep)


@pytest.fixture
def other_rep_api(other_rep):
    return _api_client_for(other_rep)


@pytest.fixture
def manager_api(manager):
    return _api_client_for(manager)


@pytest.fixture
def admin_api(admin_user):
    return _api_client_for(admin_user)


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client
