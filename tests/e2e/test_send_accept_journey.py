"""A rep sends a quote; the buyer opens the link from the email they received and accepts;
the rep sees the quote accepted and a notification.

Celery runs eagerly inside the live server and email goes to Django's locmem outbox, so the
"received email" is ``mail.outbox`` (the live server runs in this process)."""

import re

import pytest
from django.core import mail

from mgtrade.accounts.models import Role
from mgtrade.accounts.services import roles_sync
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.pricing.conftest import worked_example_data  # noqa: F401 (the reference data)
from tests.quotes.sending import sendable_draft

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def test_rep_sends_buyer_accepts_from_the_email_rep_sees_it(
    live_server, page, browser, settings, media_root
):
    roles_sync()
    settings.MGTRADE = {**settings.MGTRADE, "SITE_URL": live_server.url}
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")
    quote = sendable_draft(rep, name="Kurpfalz Druckguss GmbH")
    contact_email = quote.contact.email

    # The rep sends it from the quote page and watches the delivery state.
    login(page, live_server, "e2e_rep", PASSWORD)
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=send]")
    page.wait_for_url(re.compile(rf"/quotes/{quote.pk}/$"))
    status = page.locator("[data-testid=delivery-status]")
    status.get_by_text("Sent").wait_for()
    assert page.locator("#quote-status").inner_text() == "Sent"
    page.locator("#emails").get_by_text(f"Quotation {quote.number}").wait_for()
    screenshot(page, "send-delivery-sent")

    # The buyer's email.
    (message,) = [m for m in mail.outbox if contact_email in m.to]
    assert message.attachments[0][0] == f"{quote.number}-v1.pdf"
    link = re.search(r"(http://\S+/q/\S+/)", message.body).group(1)
    assert link.startswith(live_server.url)

    # The buyer, not signed in, opens the link and accepts.
    buyer_context = browser.new_context(viewport={"width": 1100, "height": 900})
    buyer = buyer_context.new_page()
    buyer.set_default_timeout(10_000)
    buyer.goto(link)
    buyer.get_by_text(f"Quotation {quote.number}").first.wait_for()
    assert buyer.locator("[data-testid=public-pdf]").is_visible()
    buyer.fill("#id_name", "Katrin Vogel")
    buyer.check("#id_confirm")
    screenshot(buyer, "buyer-accepts")
    buyer.click("[data-testid=accept]")
    buyer.get_by_text(f"Thank you: quotation {quote.number} is accepted").wait_for()
    screenshot(buyer, "buyer-accepted")
    buyer_context.close()

    # The rep sees it accepted, with who, and a notification (and an email).
    page.reload()
    assert page.locator("#quote-status").inner_text() == "Accepted"
    assert page.locator("#quote-facts").get_by_text("by Katrin Vogel").is_visible()
    page.locator("[data-testid=notifications-badge]").get_by_text("1").wait_for()
    page.click("[data-testid=notifications-badge]")
    page.get_by_text(
        f"Katrin Vogel (Kurpfalz Druckguss GmbH) accepted {quote.number} v1"
    ).wait_for()
    screenshot(page, "rep-notified")
    assert any(m.subject.startswith(f"Accepted: {quote.number} v1") for m in mail.outbox)
