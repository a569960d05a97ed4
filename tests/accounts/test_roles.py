import pytest
from django.urls import reverse

from mgtrade.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_cast_has_expected_roles(rep, manager, admin_user):
    assert rep.is_rep and not rep.is_manager and not rep.is_admin
    assert manager.is_manager and not manager.is_admin
    assert admin_user.is_admin and admin_user.is_manager and admin_user.is_staff


def test_groups_exist_for_every_role(django_user_model):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_anonymous_is_redirected_to_login(client):
    response = client.get(reverse("products:catalogue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
