"""The accessibility fixes to the Django admin and the Swagger UI that hold without a
browser (docs/accessibility.md, "The admin and the API docs"); axe checks them in
tests/e2e/test_accessibility.py::test_admin_and_api_docs_pass_axe."""

import pytest
from django.conf import settings

from mgtrade.accounts.services import roles_sync
from tests.customers.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    roles_sync()
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_tabular_inline_inputs_are_labelled_by_column_and_row(staff_client, admin_user):
    customer = CustomerFactory(owner=admin_user)
    ContactFactory(customer=customer, name="Anna")
    page = staff_client.get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert 'aria-label="Name, row 1"' in page and 'aria-label="Email, row 1"' in page
    assert 'aria-label="Preferred language, row 1"' in page
    assert 'aria-label="Delete, row 1"' in page
    assert 'aria-label="Name, new row"' in page  # the blank row "Add another" copies
    assert 'id="contacts-group" tabindex="0" role="region" aria-labelledby="contacts-heading"' in (
        page
    )


def test_admin_pages_load_our_admin_stylesheet(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "/static/css/admin.css" in page


def test_swagger_ui_has_a_language_our_styles_and_no_deep_links(client, rep):
    client.force_login(rep)
    page = client.get("/api/docs/").content.decode()
    assert '<html lang="en">' in page and "/static/css/swagger.css" in page
    assert "<style" not in page
    assert settings.SPECTACULAR_SETTINGS["SWAGGER_UI_SETTINGS"]["deepLinking"] is False
