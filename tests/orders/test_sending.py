"""Contract and proforma PDFs go to the buyer through the quotes' sending pipeline (render
once, e-mail once, tracked); the buyer gets a confirmation e-mail on acceptance."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from mgtrade.errors import StateConflict
from orders import services
from quotes.models import QuoteEmail
from quotes.sending import services as sending
from quotes.sending.selectors import delivery_state
from quotes.templatetags.amounts import amount as amount_text
from tests.orders.factories import confirmed_contract, draft_contract

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts", "media_root")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def _to_buyer(contract):
    return [m for m in mail.outbox if contract.buyer["contact_email"] in m.to]


def test_the_buyer_gets_one_confirmation_email_on_acceptance(rep, on_commit):
    with on_commit(execute=True):
        contract = draft_contract(owner=rep, po_number="PO-77")
    [message] = _to_buyer(contract)
    assert contract.number in message.subject and "PO-77" in message.subject
    assert "thank you for accepting" in message.body
    email = QuoteEmail.objects.get(kind="confirmation")
    assert email.status == "sent"
    assert sending.email_send(email_id=email.pk) == sending.SKIPPED  # a redelivered task
    assert len(_to_buyer(contract)) == 1


def test_contract_pdf_is_rendered_and_emailed_once_with_both_signature_blocks(
    rep, bank_accounts, on_commit
):
    contract = confirmed_contract(owner=rep)
    mail.outbox.clear()
    with on_commit(execute=True):
        contract = services.contract_send(contract=contract, by=rep)
    [message] = _to_buyer(contract)
    assert message.reply_to == ([rep.email] if rep.email else [])
    filename, data, mimetype = message.attachments[0]
    assert filename == f"{contract.number}.pdf" and mimetype == "application/pdf"
    text = _pdf_text(data)
    assert "For the seller" in text and "For the buyer" in text
    assert bank_accounts["EUR"].account in text
    assert f"EUR {amount_text(contract.total_amount, 'EUR')}" in text
    contract.delivery.refresh_from_db()
    state = delivery_state(delivery=contract.delivery)
    assert state.status == "sent"
    # A redelivered render or e-mail task does nothing twice.
    assert sending.delivery_render(delivery_id=contract.delivery_id) == sending.SKIPPED
    assert sending.delivery_email(delivery_id=contract.delivery_id) == sending.SKIPPED
    assert len(_to_buyer(contract)) == 1
    with pytest.raises(StateConflict):
        services.contract_send(contract=contract, by=rep)
    assert contract.events.filter(action="sent").count() == 1


def test_deposit_proforma_pdf_goes_to_the_buyer_with_the_amount_and_account(
    rep, bank_accounts, on_commit
):
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    mail.outbox.clear()
    with on_commit(execute=True):
        services.proforma_send(proforma=deposit, by=rep)
    [message] = _to_buyer(contract)
    assert deposit.number in message.subject
    assert bank_accounts["EUR"].account in message.body
    filename, data, _ = message.attachments[0]
    assert filename == f"{deposit.number}.pdf"
    text = _pdf_text(data)
    assert f"EUR {amount_text(deposit.amount, 'EUR')}" in text
    assert bank_accounts["EUR"].account in text
    deposit.refresh_from_db()
    with pytest.raises(StateConflict):
        services.proforma_send(proforma=deposit, by=rep)


def test_a_draft_contract_is_not_sent(rep):
    contract = draft_contract(owner=rep)
    with pytest.raises(StateConflict):
        services.contract_send(contract=contract, by=rep)


def test_send_buttons_on_the_contract_page(rep, rep_client, other_rep, on_commit):
    from django.test import Client

    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    url = reverse("orders:detail", args=[contract.pk])
    page = rep_client.get(url).content.decode()
    assert 'data-testid="contract-send"' in page
    other = Client()
    other.force_login(other_rep)
    assert other.post(reverse("orders:proforma_send", args=[deposit.pk])).status_code == 404
    with on_commit(execute=True):
        rep_client.post(reverse("orders:proforma_send", args=[deposit.pk]))
        rep_client.post(reverse("orders:send", args=[contract.pk]))
    page = rep_client.get(url).content.decode()
    assert f'data-testid="proforma-{deposit.number}-delivery"' in page
    assert 'data-testid="contract-delivery"' in page
    # The stored PDF is what the page serves now.
    contract.refresh_from_db()
    stored = contract.delivery.pdf.open("rb").read()
    assert rep_client.get(reverse("orders:pdf", args=[contract.pk])).content == stored
