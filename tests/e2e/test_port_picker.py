"""Search-as-you-type port picker on the price calculator: typing "hamb" offers DEHAM, a
click picks it and the breakdown re-prices; a destination without a lane is offered
disabled with the reason. Screenshots at phone and laptop widths."""

import pytest

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from products import services as product_services
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.quotes.conftest import worked_example_data  # noqa: F401 (the reference data)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("laptop", 1366, 768)])
def test_rep_types_hamb_and_picks_deham(live_server, page, name, width, height):
    roles_sync()
    UserFactory(username="e2e_rep", role=Role.SALES_REP)
    product_services.port_create(code="DEBRV", name="Bremerhaven", country="DE")
    login(page, live_server, "e2e_rep", PASSWORD)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/quotes/calculator/")
    page.select_option("#id_lines-0-product", "MG9990")
    page.fill("#id_lines-0-quantity_mt", "22")

    page.fill("#id_destination_port-search", "hamb")
    option = page.locator("#id_destination_port-pick-DEHAM")
    option.wait_for()
    assert "Hamburg" in option.inner_text()
    screenshot(page, f"port-picker-{name}")
    option.click()
    assert page.locator("#id_destination_port").input_value() == "DEHAM"
    page.locator("#result").get_by_text("CIF DEHAM").first.wait_for()  # re-priced by htmx

    page.fill("#id_destination_port-search", "bremer")
    no_lane = page.locator("#id_destination_port-pick-DEBRV")
    no_lane.wait_for()
    assert no_lane.is_disabled() and "no freight rate from CNTXG" in no_lane.inner_text()
    # no horizontal page scroll at this width
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_default_port_and_currency_are_picked_by_typing(live_server, page):
    """The customer's default port and currency: the same picker, backed by the port and
    currency tables; the text fields take the picked codes and the customer is saved."""
    from tests.customers.factories import CustomerFactory

    roles_sync()
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP)
    customer = CustomerFactory(owner=rep, country="DE", default_destination_port="")
    login(page, live_server, "e2e_rep", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")

    page.fill("#id_default_destination_port-search", "hamb")
    option = page.locator("#id_default_destination_port-pick-DEHAM")
    option.wait_for()
    assert not option.is_disabled()
    option.click()
    assert page.locator("#id_default_destination_port").input_value() == "DEHAM"
    assert page.evaluate("document.activeElement.id") == "id_default_destination_port"

    page.fill("#id_default_currency-search", "eu")
    page.locator("#id_default_currency-pick-EUR").click()
    assert page.locator("#id_default_currency").input_value() == "EUR"
    page.get_by_role("status").get_by_text("EUR chosen.").wait_for(state="attached")
    screenshot(page, "customer-pickers-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    customer.refresh_from_db()
    assert (customer.default_destination_port, customer.default_currency) == ("DEHAM", "EUR")
