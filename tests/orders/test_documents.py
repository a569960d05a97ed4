"""Contract and proforma PDFs (WeasyPrint, read back with pypdf): the right bank account
for the currency, the amounts, both signature blocks."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from orders.documents import (
    CONTRACT_TEMPLATE,
    PROFORMA_TEMPLATE,
    contract_document,
    document_pdf,
    proforma_document,
)
from quotes.templatetags.amounts import amount as amount_text
from tests.orders.factories import BankAccountFactory, confirmed_contract

pytestmark = pytest.mark.usefixtures("worked_example_data", "bank_accounts")


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_proforma_pdf_has_the_eur_account_and_the_deposit(rep, bank_accounts):
    BankAccountFactory(currency="EUR", is_default=False, account="DE00 9999 0000 0000 0000 01")
    contract = confirmed_contract(owner=rep)
    deposit = contract.proformas.get()
    text = _text(document_pdf(PROFORMA_TEMPLATE, proforma_document(deposit, language="en")))
    assert deposit.number in text and contract.number in text
    assert f"EUR {amount_text(deposit.amount, 'EUR')}" in text
    assert amount_text(contract.total_amount, "EUR") in text
    assert bank_accounts["EUR"].account in text
    assert "DE00 9999" not in text  # not the non-default account
    assert bank_accounts["USD"].account not in text
    assert "30 % of the contract value" in text
    assert "PO-4711" in text


def test_jpy_proforma_pdf_prints_whole_yen_and_the_jpy_account(rep, bank_accounts):
    contract = confirmed_contract(owner=rep, currency="JPY")
    deposit = contract.proformas.get()
    text = _text(document_pdf(PROFORMA_TEMPLATE, proforma_document(deposit, language="en")))
    assert f"JPY {deposit.amount:,.0f}" in text
    assert bank_accounts["JPY"].account in text
    assert bank_accounts["EUR"].account not in text


def test_contract_pdf_has_lines_total_bank_and_both_signature_blocks(rep, bank_accounts):
    contract = confirmed_contract(owner=rep)
    text = _text(document_pdf(CONTRACT_TEMPLATE, contract_document(contract, language="en")))
    assert "Sales contract" in text and contract.number in text
    for line in contract.lines.all():
        assert amount_text(line.amount, "EUR") in text
    assert sum((ln.amount for ln in contract.lines.all()), Decimal("0")) == contract.total_amount
    assert f"EUR {amount_text(contract.total_amount, 'EUR')}" in text
    assert "For the seller" in text and "For the buyer" in text
    assert bank_accounts["EUR"].account in text
    assert "PO-4711" in text
    assert "30% T/T in advance" in text
