"""What the orders' e-mails say: plain, JSON-safe contexts (amounts already formatted) for
``templates/emails/quote-{confirmation,contract,proforma}-*``, stored on the e-mail row."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from quotes.templatetags.amounts import money

from .models import PaymentMethod, Proforma, SalesContract


def _common(contract: SalesContract) -> dict[str, Any]:
    owner = contract.owner
    return {
        "contract": contract.number,
        "quote": contract.quote.reference,
        "po_number": contract.buyer_po_number,
        "customer": contract.buyer.get("name", ""),
        "contact_name": contract.buyer.get("contact_name", ""),
        "total": money(contract.total_amount, contract.currency),
        "incoterm_place": f"{contract.incoterm} {contract.named_place}",
        "rep": owner.get_full_name() or owner.username,
        "company": settings.MGTRADE["COMPANY_NAME"],
    }


def confirmation_context(contract: SalesContract) -> dict[str, Any]:
    """The buyer's confirmation that their acceptance was received (no attachment)."""
    return {
        **_common(contract),
        "buyer_name": contract.accepted_by_name or contract.buyer.get("contact_name", ""),
        "proforma_expected": contract.payment_method == PaymentMethod.TT
        and contract.advance_percent > 0,
    }


def contract_context(contract: SalesContract) -> dict[str, Any]:
    return _common(contract)


def proforma_context(proforma: Proforma) -> dict[str, Any]:
    return {
        **_common(proforma.contract),
        "proforma": proforma.number,
        "kind": proforma.get_kind_display().lower(),
        "amount": money(proforma.amount, proforma.currency),
        "due_date": proforma.due_date.isoformat(),
        "bank": dict(proforma.bank),
    }
