"""After "accepted": the buyer accepts with a PO number (and gets a confirmation e-mail),
the rep confirms the contract, sends the deposit proforma (PDF by e-mail through the
sending pipeline), records the deposit and the contract shows "ready to ship".

Celery runs eagerly inside the live server and e-mail goes to Django's locmem outbox."""

import re

import pytest
from django.core import mail

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from orders.models import SalesContract
from quotes.public.links import acceptance_url
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.orders.factories import BankAccountFactory, sent_quote
from tests.quotes.conftest import worked_example_data  # noqa: F401 (the reference data)
from tests.quotes.factories import german_buyer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def test_buyer_accepts_with_po_rep_confirms_records_deposit_ready_to_ship(
    live_server, page, browser, settings, media_root
):
    roles_sync()
    settings.MGTRADE = {**settings.MGTRADE, "SITE_URL": live_server.url}
    BankAccountFactory(currency="EUR", account="DE89 3704 0044 0532 0130 00")
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")
    quote = sent_quote(customer=german_buyer(owner=rep, name="Kurpfalz Druckguss GmbH"))

    # The buyer opens the signed link and accepts with their PO number.
    buyer_context = browser.new_context(viewport={"width": 1100, "height": 900})
    buyer = buyer_context.new_page()
    buyer.set_default_timeout(10_000)
    buyer.goto(acceptance_url(quote))
    buyer.fill("#id_name", "Katrin Vogel")
    buyer.fill("#id_po_number", "KD-4500-0815")
    buyer.check("#id_confirm")
    buyer.click("[data-testid=accept]")
    buyer.get_by_text(f"quotation {quote.number} is accepted").wait_for()
    buyer_context.close()
    contract = SalesContract.objects.get(quote=quote)
    buyer_email = contract.buyer["contact_email"]
    [confirmation] = [m for m in mail.outbox if buyer_email in m.to]
    assert "KD-4500-0815" in confirmation.subject

    # The rep finds the draft contract from the quote page and confirms it.
    login(page, live_server, "e2e_rep", PASSWORD)
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    page.locator("#quote-contract").get_by_role("link", name=contract.number).click()
    page.wait_for_url(re.compile(rf"/contracts/{contract.pk}/$"))
    assert page.locator("#buyer-po").inner_text() == "KD-4500-0815"
    page.click("[data-testid=confirm]")
    page.locator("#contract-status").get_by_text("Confirmed").wait_for()
    deposit = contract.proformas.get()
    assert page.locator(f"#proforma-{deposit.pk}").is_visible()
    screenshot(page, "contract-confirmed")

    # The rep sends the deposit proforma to the buyer.
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"[data-testid=proforma-{deposit.number}-send]")
    page.locator(f"[data-testid=proforma-{deposit.number}-delivery]").get_by_text("Sent").wait_for()
    [sent] = [m for m in mail.outbox if buyer_email in m.to and deposit.number in m.subject]
    assert sent.attachments[0][0] == f"{deposit.number}.pdf"

    # The buyer pays the deposit; the rep records it.
    page.click("[data-testid=record-payment]")
    page.fill("#id_amount", str(deposit.amount))
    page.fill("#id_bank_reference", "DEUTDEFF 2611300042")
    page.fill(f"#id_alloc_{deposit.pk}", str(deposit.amount))
    page.get_by_role("button", name="Record payment").click()
    page.wait_for_url(re.compile(rf"/contracts/{contract.pk}/$"))
    page.locator("#ready-to-ship").wait_for()
    assert page.locator("#payments").get_by_text("DEUTDEFF 2611300042").is_visible()
    screenshot(page, "contract-ready-to-ship")
    contract.refresh_from_db()
    assert contract.is_ready_to_ship
