"""The L/C presentation check of a shipment's documents (pure: plain values in, a list of
discrepancies out), before the set goes to the bank. One ``Discrepancy`` (``lc_check``'s
shape: code, label, the L/C's value, the documents' value) per problem:

- ``amount``: the invoice total above the L/C amount + its tolerance (less what earlier
  shipments drew);
- ``latest_shipment``: the on-board date after the L/C's latest shipment date;
- ``presentation_period``: presented later than the period after the on-board date
  (21 days when the L/C is silent, UCP 600 art. 14(c));
- ``expiry``: presented after the L/C's expiry;
- ``partial_shipment``: one of several shipments where the L/C forbids partial shipments;
- ``document_missing``: a 46A document with no issued document to match it;
- ``applicant`` / ``beneficiary`` / ``lc_number``: the names and reference on the documents
  not identical to the L/C's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .lc_check import Discrepancy

HUNDRED = Decimal("100")

# 46A lines the documents this app issues (or the carrier's B/L) answer.
PRESENTED_BY_KIND = {
    "commercial_invoice": ("commercial invoice", "invoice"),
    "packing_list": ("packing list",),
    "certificate_of_analysis": ("certificate of analysis", "analysis certificate"),
    "bill_of_lading": ("bill of lading", "bills of lading", "b/l"),
}


@dataclass(frozen=True)
class Presentation:
    lc_number: str
    lc_currency: str
    lc_amount: Decimal
    lc_tolerance_percent: Decimal
    lc_latest_shipment: date
    lc_expiry: date
    lc_presentation_days: int
    lc_partial_allowed: bool
    lc_documents: tuple[str, ...]
    lc_applicant: str
    lc_beneficiary: str
    invoice_amount: Decimal
    drawn_before: Decimal
    on_board_date: date
    presentation_date: date
    shipments: int
    kinds_presented: tuple[str, ...]  # ExportDocument kinds issued, plus "bill_of_lading"
    doc_lc_numbers: tuple[str, ...]  # the L/C number as printed on each document
    doc_applicants: tuple[str, ...]  # the buyer as printed on each document
    doc_beneficiaries: tuple[str, ...]  # the seller as printed on each document


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _money(currency: str, amount: Decimal) -> str:
    return f"{currency} {amount:,.2f}"


def presentation_discrepancies(p: Presentation) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    ceiling = p.lc_amount * (1 + p.lc_tolerance_percent / HUNDRED) - p.drawn_before
    if p.invoice_amount > ceiling:
        found.append(
            Discrepancy(
                "amount",
                "Invoice above what the L/C leaves",
                _money(p.lc_currency, ceiling),
                _money(p.lc_currency, p.invoice_amount),
            )
        )
    if p.on_board_date > p.lc_latest_shipment:
        found.append(
            Discrepancy(
                "latest_shipment",
                "Shipped after the latest shipment date",
                p.lc_latest_shipment.isoformat(),
                p.on_board_date.isoformat(),
            )
        )
    last_day = p.on_board_date + timedelta(days=p.lc_presentation_days)
    if p.presentation_date > last_day:
        found.append(
            Discrepancy(
                "presentation_period",
                f"Presented more than {p.lc_presentation_days} days after shipment",
                last_day.isoformat(),
                p.presentation_date.isoformat(),
            )
        )
    if p.presentation_date > p.lc_expiry:
        found.append(
            Discrepancy(
                "expiry",
                "Presented after the L/C expired",
                p.lc_expiry.isoformat(),
                p.presentation_date.isoformat(),
            )
        )
    if p.shipments > 1 and not p.lc_partial_allowed:
        found.append(
            Discrepancy(
                "partial_shipment",
                "Partial shipment where the L/C forbids it",
                "not allowed",
                f"shipment {p.shipments} of several",
            )
        )
    for required in p.lc_documents:
        folded = _norm(required)
        matches = [
            kind
            for kind, names in PRESENTED_BY_KIND.items()
            if any(name in folded for name in names)
        ]
        if not matches or not any(kind in p.kinds_presented for kind in matches):
            found.append(Discrepancy("document_missing", "46A document missing", required, "—"))
    for code, label, expected, printed in (
        ("lc_number", "L/C number differs on a document", p.lc_number, p.doc_lc_numbers),
        ("applicant", "Buyer's name differs from the applicant", p.lc_applicant, p.doc_applicants),
        (
            "beneficiary",
            "Seller's name differs from the beneficiary",
            p.lc_beneficiary,
            p.doc_beneficiaries,
        ),
    ):
        different = sorted({value for value in printed if _norm(value) != _norm(expected)})
        if different:
            found.append(Discrepancy(code, label, expected, "; ".join(different)))
    return found
