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
from tests.customers.factories import ContactFactory
from tests.e2e.conftest import login, screenshot
from tests.pricing.conftest import worked_example_data  # noqa: F401 (the reference data)
from tests.quotes.sending import sendable_draft

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worked_example_data"),
]


def focus_inside_dialog(page) -> None:
    """Focus moves into the open dialog; app.js moves it after htmx settles, so wait for it
    (up to 5 s) rather than read it the moment the content appears."""
    page.wait_for_function(
        "() => { const d = document.getElementById('send-dialog');"
        " return d && d.open && d.contains(document.activeElement); }",
        timeout=5_000,
    )


def test_rep_sends_buyer_accepts_from_the_email_rep_sees_it(
    live_server, page, browser, settings, media_root
):
    roles_sync()
    settings.MGTRADE = {**settings.MGTRADE, "SITE_URL": live_server.url}
    rep = UserFactory(username="e2e_rep", role=Role.SALES_REP, first_name="Li", last_name="Wei")
    quote = sendable_draft(rep, name="Kurpfalz Druckguss GmbH")
    contact_email = quote.contact.email

    colleague = ContactFactory(
        customer=quote.customer, name="Jonas Keller", email="jonas@example.de", is_primary=False
    )
    ContactFactory(
        customer=quote.customer,
        name="Petra Nein",
        email="petra@example.de",
        is_primary=False,
        email_opt_out=True,
    )

    # The rep opens the Send dialog from the quote page: focus moves into it, Escape closes
    # it and focus comes back to Send (no browser confirm box any more).
    login(page, live_server, "e2e_rep", PASSWORD)
    page.goto(f"{live_server.url}/quotes/{quote.pk}/")
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected browser dialog: {dialog.message}"))
    dialog = page.locator("#send-dialog")
    page.click("[data-testid=send]")
    dialog.get_by_role("heading", name=f"Send {quote.reference}").wait_for()
    focus_inside_dialog(page)
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('send-dialog').open")
    assert page.evaluate("document.activeElement.dataset.testid") == "send"

    # Opened again: an opted-out contact is refused with a clear message, in the dialog.
    page.keyboard.press("Enter")
    dialog.get_by_label("Jonas Keller <jonas@example.de>", exact=False).first.wait_for()
    assert dialog.get_by_label("Message").input_value().startswith(f"Dear {quote.contact.name},")
    assert dialog.locator("[data-testid=send-preview-pdf]").get_attribute("href") == (
        f"/quotes/{quote.pk}/pdf/"
    )
    dialog.locator("#id_cc").get_by_label("Petra Nein", exact=False).check()
    dialog.locator("[data-testid=send-submit]").click()
    dialog.locator("#id_cc_error").get_by_text(
        "Petra Nein has opted out of email and cannot receive quotes"
    ).wait_for()
    focus_inside_dialog(page)
    screenshot(page, "send-dialog-refused")

    # The rep copies in a colleague instead, edits the message and sends.
    dialog.locator("#id_cc").get_by_label("Petra Nein", exact=False).uncheck()
    dialog.locator("#id_cc").get_by_label("Jonas Keller", exact=False).check()
    dialog.get_by_label("Message").fill(
        f"Dear {quote.contact.name},\n\nAs promised on the phone, here is our offer."
    )
    screenshot(page, "send-dialog")
    dialog.locator("[data-testid=send-submit]").click()
    page.wait_for_url(re.compile(rf"/quotes/{quote.pk}/$"))
    status = page.locator("[data-testid=delivery-status]")
    status.get_by_text("Sent").wait_for()
    assert page.locator("#quote-status").inner_text() == "Sent"
    page.locator("#emails").get_by_text(f"Quotation {quote.number}").wait_for()
    screenshot(page, "send-delivery-sent")

    # The buyer's email.
    (message,) = [m for m in mail.outbox if contact_email in m.to]
    assert message.attachments[0][0] == f"{quote.number}-v1.pdf"
    assert colleague.email in message.cc
    assert "As promised on the phone, here is our offer." in message.body
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
