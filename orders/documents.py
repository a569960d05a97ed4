"""The printed contract and proforma: plain contexts built from the stored snapshots, and
their PDFs through the quotes' WeasyPrint renderer (``quotes.documents.pdf``, its
``SafeURLFetcher``: only the app's static files).

Contexts hold plain values (JSON-safe after ``document_freeze``), never model instances:
a contract and a proforma are snapshots already (lines, buyer, bank account copied), so
their documents never change when the customer, catalogue or bank accounts do.

Both are in the buyer's language (``selectors.contract_language``, or the rep's choice):
the context is built inside ``translation.override(language)`` (the words it composes,
the grade names and bank instructions copied in that language, English where there are
none) and records ``language``; ``document_pdf`` renders inside the same override, so a
worker or a request in another language prints the same document.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mgtrade.i18n import ENGLISH
from mgtrade.translations import in_language
from quotes.documents.context import document_freeze
from quotes.documents.pdf import company_context, render_template_pdf

from .models import BalanceTerms, PaymentMethod, Proforma, ProformaKind, SalesContract

CONTRACT_TEMPLATE = "pdf/contract.html"
PROFORMA_TEMPLATE = "pdf/proforma.html"


BALANCE_TERMS = {
    # Translators: when the T/T balance is paid (a bill of lading is the B/L).
    BalanceTerms.AGAINST_BL_COPY: gettext_lazy("against copy of B/L"),
    BalanceTerms.BEFORE_SHIPMENT: gettext_lazy("before shipment"),
}
PROFORMA_KINDS = {
    # Translators: the kind of a proforma invoice: the advance payment.
    ProformaKind.DEPOSIT: gettext_lazy("Deposit"),
    # Translators: the kind of a proforma invoice: the rest of the contract value.
    ProformaKind.BALANCE: gettext_lazy("Balance"),
}


def _percent(value) -> str:
    return f"{value.normalize():f}"


def payment_terms_text(contract: SalesContract) -> str:
    """The contract's payment terms in the active language (the rep's pages keep
    ``SalesContract.payment_terms_label``, in English)."""
    if contract.payment_method == PaymentMethod.TT:
        balance = BALANCE_TERMS.get(contract.balance_terms, contract.balance_terms)
        if contract.advance_percent >= 100:
            # Translators: payment terms; T/T is a telegraphic (bank) transfer.
            return _("100% T/T in advance")
        if contract.advance_percent <= 0:
            # Translators: payment terms, e.g. "T/T, 100% against copy of B/L".
            return _("T/T, 100%% %(balance)s") % {"balance": balance}
        # Translators: payment terms, e.g. "30% T/T in advance on confirmation, balance
        # against copy of B/L".
        return _("%(advance)s%% T/T in advance on confirmation, balance %(balance)s") % {
            "advance": _percent(contract.advance_percent),
            "balance": balance,
        }
    if contract.payment_method == PaymentMethod.LC_SIGHT:
        # Translators: payment terms; L/C is a documentary letter of credit.
        return _("Irrevocable L/C at sight")
    # Translators: payment terms (CAD: documents released against payment).
    return _("Cash against documents (CAD)")


def _lines(contract: SalesContract, language: str) -> list[dict[str, str]]:
    """The contract's lines with each grade's name in ``language`` (as copied when the
    contract was made), English where it had none."""
    return [
        {
            "grade": ln.product_code,
            "name": (ln.product_name_translations or {}).get(language) or ln.product_name,
            "hs_code": ln.hs_code,
            "standard": ln.standard,
            "quantity_mt": str(ln.quantity_mt),
            "unit_price": str(ln.unit_price),
            "amount": str(ln.amount),
        }
        for ln in contract.lines.order_by("position")
    ]


def _language(contract: SalesContract, language: str | None) -> str:
    if language:
        return language
    from .selectors import contract_language

    return contract_language(contract)


def _contract_part(contract: SalesContract) -> dict[str, Any]:
    owner = contract.owner
    return {
        "number": contract.number,
        "date": contract.contract_date.isoformat(),
        "status": contract.get_status_display(),
        "quote": contract.quote.reference,
        "buyer_po_number": contract.buyer_po_number,
        "currency": contract.currency,
        "incoterm": contract.incoterm,
        "named_place": contract.named_place,
        "port_of_loading": contract.port_of_loading,
        "port_of_discharge": contract.port_of_discharge,
        "total_amount": str(contract.total_amount),
        "total_quantity_mt": str(contract.total_quantity_mt),
        "payment_terms": payment_terms_text(contract),
        "shipment_from": contract.shipment_from.isoformat(),
        "latest_shipment_date": contract.latest_shipment_date.isoformat(),
        "tolerance_percent": f"{contract.tolerance_percent.normalize():f}",
        "partial_shipments": contract.partial_shipments,
        "transhipment": contract.transhipment,
        # Stored in English; the standard names read in the active language.
        "documents": [_(name) for name in contract.documents or []],
        "terms_text": contract.terms_text,
        "consignee": contract.consignee,
        "rep": {
            "name": owner.get_full_name() or owner.username,
            "title": getattr(owner, "title", ""),
            "email": owner.email,
        },
        "countersigned": {
            "name": contract.countersigned_by_name,
            "title": contract.countersigned_by_title,
            "on": contract.countersigned_on.isoformat() if contract.countersigned_on else "",
        },
    }


def contract_document(contract: SalesContract, *, language: str | None = None) -> dict[str, Any]:
    """The ``pdf/contract.html`` context in ``language`` (default: the contract's,
    ``selectors.contract_language``): parties, lines, terms, the bank account the buyer
    pays into (the currency's default, if any) and both signature blocks."""
    from .models import BankAccount

    language = _language(contract, language)
    account = BankAccount.objects.filter(
        currency=contract.currency, is_default=True, active=True
    ).first()
    proforma = contract.proformas.exclude(status="cancelled").order_by("issue_date", "id").first()
    bank = proforma.bank if proforma else (account.snapshot() if account else None)
    with translation.override(language):
        return document_freeze(
            {
                "language": language,
                "bilingual_labels": _bilingual(contract),
                "draft": contract.status == "draft",
                "company": company_context(),
                "contract": _contract_part(contract),
                "buyer": dict(contract.buyer),
                "lines": _lines(contract, language),
                "bank": in_language(bank, language) or None,
            }
        )


def proforma_document(proforma: Proforma, *, language: str | None = None) -> dict[str, Any]:
    """The ``pdf/proforma.html`` context in ``language`` (default: the contract's): the
    request for payment, with the contract's lines for reference and the bank account
    copied onto the proforma."""
    contract = proforma.contract
    language = _language(contract, language)
    with translation.override(language):
        return document_freeze(
            {
                "language": language,
                "bilingual_labels": _bilingual(contract),
                "draft": False,
                "company": company_context(),
                "proforma": {
                    "number": proforma.number,
                    "kind": str(PROFORMA_KINDS.get(proforma.kind, proforma.kind)),
                    "percent": f"{proforma.percent.normalize():f}" if proforma.percent else "",
                    "currency": proforma.currency,
                    "amount": str(proforma.amount),
                    "issue_date": proforma.issue_date.isoformat(),
                    "due_date": proforma.due_date.isoformat(),
                },
                "contract": _contract_part(contract),
                "buyer": dict(contract.buyer),
                "lines": _lines(contract, language),
                "bank": in_language(proforma.bank, language),
            }
        )


def _bilingual(contract: SalesContract) -> bool:
    """The quote's bilingual-labels option (the buyer's language with English beneath)."""
    # Quote.bilingual_labels comes with the quote PDF's option (i18n-send).
    return bool(getattr(contract.quote, "bilingual_labels", False))


def document_pdf(template: str, document: dict[str, Any], *, language: str | None = None) -> bytes:
    """PDF bytes of a contract or proforma document, rendered inside
    ``translation.override`` of ``language`` (default: the one the document records).
    Slow: never inside a transaction."""
    with translation.override(language or document.get("language") or ENGLISH):
        return render_template_pdf(template, document)


def pdf_checksum(data: bytes) -> str:
    from quotes.documents.context import pdf_sha256

    return pdf_sha256(data)


def contract_pdf_filename(contract: SalesContract) -> str:
    return f"{contract.number}{'-DRAFT' if contract.status == 'draft' else ''}.pdf"


def proforma_pdf_filename(proforma: Proforma) -> str:
    return f"{proforma.number}.pdf"
