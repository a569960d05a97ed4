"""The printed contract and proforma: plain contexts built from the stored snapshots, and
their PDFs through the quotes' WeasyPrint renderer (``quotes.documents.pdf``, its
``SafeURLFetcher``: only the app's static files).

Contexts hold plain values (JSON-safe after ``document_freeze``), never model instances:
a contract and a proforma are snapshots already (lines, buyer, bank account copied), so
their documents never change when the customer, catalogue or bank accounts do.
"""

from __future__ import annotations

from typing import Any

from quotes.documents.context import document_freeze
from quotes.documents.pdf import company_context, render_template_pdf

from .models import Proforma, SalesContract

CONTRACT_TEMPLATE = "pdf/contract.html"
PROFORMA_TEMPLATE = "pdf/proforma.html"


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
        "payment_terms": contract.payment_terms_label,
        "shipment_from": contract.shipment_from.isoformat(),
        "latest_shipment_date": contract.latest_shipment_date.isoformat(),
        "tolerance_percent": f"{contract.tolerance_percent.normalize():f}",
        "partial_shipments": contract.partial_shipments,
        "transhipment": contract.transhipment,
        "documents": list(contract.documents or []),
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


def contract_document(contract: SalesContract) -> dict[str, Any]:
    """The ``pdf/contract.html`` context: parties, lines, terms, the bank account the buyer
    pays into (the currency's default, if any) and both signature blocks."""
    from .models import BankAccount

    account = BankAccount.objects.filter(
        currency=contract.currency, is_default=True, active=True
    ).first()
    proforma = contract.proformas.exclude(status="cancelled").order_by("issue_date", "id").first()
    bank = proforma.bank if proforma else (account.snapshot() if account else None)
    return document_freeze(
        {
            "draft": contract.status == "draft",
            "company": company_context(),
            "contract": _contract_part(contract),
            "buyer": dict(contract.buyer),
            "lines": [
                {
                    "grade": ln.product_code,
                    "name": ln.product_name,
                    "hs_code": ln.hs_code,
                    "standard": ln.standard,
                    "quantity_mt": str(ln.quantity_mt),
                    "unit_price": str(ln.unit_price),
                    "amount": str(ln.amount),
                }
                for ln in contract.lines.order_by("position")
            ],
            "bank": bank,
        }
    )


def proforma_document(proforma: Proforma) -> dict[str, Any]:
    """The ``pdf/proforma.html`` context: the request for payment, with the contract's
    lines for reference and the bank account copied onto the proforma."""
    contract = proforma.contract
    return document_freeze(
        {
            "draft": False,
            "company": company_context(),
            "proforma": {
                "number": proforma.number,
                "kind": proforma.get_kind_display(),
                "percent": f"{proforma.percent.normalize():f}" if proforma.percent else "",
                "currency": proforma.currency,
                "amount": str(proforma.amount),
                "issue_date": proforma.issue_date.isoformat(),
                "due_date": proforma.due_date.isoformat(),
            },
            "contract": _contract_part(contract),
            "buyer": dict(contract.buyer),
            "lines": [
                {
                    "grade": ln.product_code,
                    "name": ln.product_name,
                    "quantity_mt": str(ln.quantity_mt),
                    "unit_price": str(ln.unit_price),
                    "amount": str(ln.amount),
                }
                for ln in contract.lines.order_by("position")
            ],
            "bank": dict(proforma.bank),
        }
    )


def document_pdf(template: str, document: dict[str, Any]) -> bytes:
    """PDF bytes of a contract or proforma document. Slow: never inside a transaction."""
    return render_template_pdf(template, document)


def pdf_checksum(data: bytes) -> str:
    from quotes.documents.context import pdf_sha256

    return pdf_sha256(data)


def contract_pdf_filename(contract: SalesContract) -> str:
    return f"{contract.number}{'-DRAFT' if contract.status == 'draft' else ''}.pdf"


def proforma_pdf_filename(proforma: Proforma) -> str:
    return f"{proforma.number}.pdf"
