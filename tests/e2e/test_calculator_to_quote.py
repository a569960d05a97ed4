"""A rep prices in the calculator, makes a quote from it for a customer found by name, and
saves it: the calculator's terms and lines arrive in the builder, priced."""

import re

import pytest

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from quotes.models import Quote
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.pricing.conftest import worked_example_data  # noqa: F401 (the reference data)
from tests.quotes.factories import german_buyer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def test_rep_makes_a_quote_from_the_calculator(live_server, page):
    roles_sync()
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP)
    buyer = german_buyer(owner=rep, name="Kurpfalz Druckguss GmbH", default_incoterm="CIF")
    login(page, live_server, "e2e_rep", PASSWORD)

    page.goto(f"{live_server.url}/quotes/calculator/")
    page.select_option("#id_destination_port", "DEHAM")
    page.select_option("#id_incoterm", "FOB")
    page.select_option("#id_lines-0-product", "MG9990")
    page.fill("#id_lines-0-quantity_mt", "44")
    page.locator("#result").get_by_text("FOB").first.wait_for()
    page.click("#make-quote")

    page.wait_for_url(re.compile(r"/quotes/new/\?"))
    page.get_by_text("From the calculator: 44 MT MG9990").wait_for()
    page.fill("#id_q", "kurpfalz")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Kurpfalz Druckguss GmbH").click()

    page.wait_for_url(re.compile(rf"customer={buyer.pk}"))
    assert page.locator("#id_incoterm").input_value() == "FOB"  # not the customer's CIF
    assert page.locator("#id_lines-0-product").input_value() == "MG9990"
    assert page.locator("#id_lines-0-quantity_mt").input_value() == "44"
    page.get_by_text("Quote total").first.wait_for()  # priced on arrival
    screenshot(page, "builder-from-calculator")
    page.get_by_role("button", name=re.compile("^Save")).click()
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    quote = Quote.objects.get()
    assert (quote.customer_id, quote.incoterm) == (buyer.pk, "FOB")
    assert [(line.product_code, str(line.quantity_mt)) for line in quote.lines.all()] == [
        ("MG9990", "44.000")
    ]
