"""A rep builds a two-line CIF Hamburg quote for a German buyer, watches the EU duty appear
in the live breakdown, and saves it; a discounted quote goes to approval and a manager, in
another browser session, approves it from the queue."""

import re

import pytest

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.quotes.conftest import worked_example_data  # noqa: F401 (the reference data)
from tests.quotes.factories import german_buyer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def _new_quote(page, live_server, customer_pk: int) -> None:
    page.goto(f"{live_server.url}/customers/{customer_pk}/")
    page.click("text=New quote")
    page.wait_for_url(re.compile(r"/quotes/new/\?customer=\d+$"))


def test_rep_builds_a_quote_and_a_manager_approves_a_discounted_one(live_server, page, browser):
    roles_sync()  # live_server tests flush the database; the role groups must exist
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")
    UserFactory(
        username="e2e_manager", role=Role.SALES_MANAGER, first_name="Zhang", last_name="Min"
    )
    buyer = german_buyer(owner=rep, name="Kurpfalz Druckguss GmbH")

    login(page, live_server, "e2e_rep", PASSWORD)
    _new_quote(page, live_server, buyer.pk)
    # The customer's defaults are filled in: CIF Hamburg in EUR.
    assert page.locator("#id_incoterm").input_value() == "CIF"
    assert page.locator("#id_destination_port").input_value() == "DEHAM"
    assert page.locator("#id_currency").input_value() == "EUR"

    page.select_option("#id_lines-0-product", "MG9990")
    page.fill("#id_lines-0-quantity_mt", "50")
    result = page.locator("#result")
    result.get_by_text("MFN duty · EU · EU TARIC 810411 (example)").wait_for()  # live, by htmx

    page.click("button:has-text('Add line')")
    page.locator("#id_lines-1-product").wait_for()
    page.select_option("#id_lines-1-product", "AZ91D")
    page.fill("#id_lines-1-quantity_mt", "20")
    result.get_by_text("EU TARIC 810419 (example)").wait_for()
    assert result.get_by_text("Landed cost per MT").is_visible()
    assert result.get_by_text("70 MT").is_visible()
    screenshot(page, "quote-builder-live-breakdown")

    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    assert page.locator("#quote-status").inner_text() == "Draft"
    lines = page.locator("#quote-lines")
    assert lines.get_by_text("MG9990", exact=True).is_visible()
    assert lines.get_by_text("AZ91D", exact=True).is_visible()
    assert page.locator("#breakdown").get_by_text("CIF basis").first.is_visible()
    screenshot(page, "quote-page-draft")

    # A second quote with a 5 % discount (threshold 3 %) needs a manager.
    _new_quote(page, live_server, buyer.pk)
    page.select_option("#id_lines-0-product", "MG9990")
    page.fill("#id_lines-0-quantity_mt", "100")
    page.fill("#id_lines-0-discount_percent", "5")
    result.get_by_text("MFN duty · EU").wait_for()
    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    quote_url = page.url
    assert (
        page.locator("#approval")
        .get_by_text("discount 5.00 %, above the 3 % threshold")
        .is_visible()
    )
    page.click("button:has-text('Submit for approval')")
    page.locator("#quote-status").get_by_text("Pending approval").wait_for()
    number = page.locator("h1").inner_text().split()[0]

    manager_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        manager = manager_context.new_page()
        manager.set_default_timeout(10_000)
        login(manager, live_server, "e2e_manager", PASSWORD)
        manager.goto(f"{live_server.url}/quotes/approvals/")
        card = manager.locator(".quote-approval", has_text=number)
        assert card.get_by_text("Kurpfalz Druckguss GmbH").is_visible()
        card.locator("input[name=comment]").first.fill("Fine for 100 MT.")
        card.locator("button:has-text('Approve')").click()
        manager.get_by_text(f"Approved {number} v1.").wait_for()
        assert manager.get_by_text("Nothing waiting for approval.").is_visible()
        screenshot(manager, "quote-approval-queue-after")
    finally:
        manager_context.close()

    page.goto(quote_url)
    assert page.locator("#quote-status").inner_text() == "Approved"
    assert page.locator("#approval").get_by_text("Zhang Min approved it").is_visible()
    screenshot(page, "quote-page-approved")
