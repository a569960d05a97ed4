"""The consistency check of a letter of credit against its sales contract (pure: no queries).

``lc_discrepancies(lc, contract)`` returns one ``Discrepancy`` per problem, each with both
values, so the rep can ask the buyer for an amendment or accept the L/C knowingly. Only
what would hurt the exporter is a discrepancy: an L/C more generous than the contract (a
later latest shipment date, partial shipments allowed where the contract forbids them) is
fine. The rules (docs/orders.md):

- ``amount``: the L/C amount is below the contract value;
- ``tolerance``: the L/C's amount tolerance is below the contract's quantity tolerance
  (a shipment at +tolerance could not be drawn in full);
- ``currency``: a different currency;
- ``latest_shipment``: the L/C's latest shipment date is before the contract's, or before
  the contract's shipment period starts;
- ``expiry``: the L/C expires before its latest shipment date + the presentation period
  (21 days when the L/C is silent, UCP 600 article 14(c));
- ``partial_shipments`` / ``transhipment``: forbidden by the L/C, allowed by the contract;
- ``port_of_loading`` / ``port_of_discharge`` / ``incoterm``: named and different;
- ``document``: a 46A document the exporter does not normally issue (third-party
  inspection, consular or legalised documents, anything signed by the applicant, an
  insurance document under a term where the buyer insures), one entry per document.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import timedelta

UCP_DEFAULT_PRESENTATION_DAYS = 21

# Documents an exporter of magnesium issues itself (lowercase fragments of 46A lines).
NORMAL_DOCUMENTS = (
    "commercial invoice",
    "packing list",
    "bill of lading",
    "bills of lading",
    "b/l",
    "certificate of origin",
    "certificate of analysis",
    "quality certificate",
    "certificate of quality",
    "weight list",
    "weight certificate",
    "safety data sheet",
    "msds",
    "beneficiary's certificate",
    "beneficiary certificate",
    "insurance policy",
    "insurance certificate",
    "shipping advice",
)
# Fragments that make a document one the exporter cannot issue alone, whatever its name.
NOT_ISSUED_MARKERS = (
    "inspection certificate",
    "inspection report",
    "sgs",
    "bureau veritas",
    "intertek",
    "consular",
    "legalized",
    "legalised",
    "signed by the applicant",
    "signed by applicant",
    "issued by the applicant",
    "issued by applicant",
    "countersigned by",
)
INSURED_BY_SELLER = ("CIF", "CIP")


@dataclass(frozen=True)
class Discrepancy:
    code: str
    label: str
    lc_value: str
    contract_value: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _money(currency: str, amount) -> str:
    return f"{currency} {amount:,.2f}"


def _yes_no(value: bool) -> str:
    return "allowed" if value else "not allowed"


def document_is_normally_issued(text: str, *, incoterm: str) -> bool:
    folded = " ".join(text.lower().split())
    if any(marker in folded for marker in NOT_ISSUED_MARKERS):
        return False
    if re.search(r"\binsurance\b", folded) and incoterm not in INSURED_BY_SELLER:
        return False  # the buyer insures under FOB/CFR/…: we have no policy to present
    return any(name in folded for name in NORMAL_DOCUMENTS)


def lc_discrepancies(lc, contract) -> list[Discrepancy]:
    """Every discrepancy of ``lc`` (a ``LetterOfCredit``, saved or not) with ``contract``."""
    found: list[Discrepancy] = []
    add = found.append
    if lc.currency != contract.currency:
        add(Discrepancy("currency", "Currency", lc.currency, contract.currency))
    elif lc.amount < contract.total_amount:
        add(
            Discrepancy(
                "amount",
                "Amount below the contract value",
                _money(lc.currency, lc.amount),
                _money(contract.currency, contract.total_amount),
            )
        )
    if lc.tolerance_percent < contract.tolerance_percent:
        add(
            Discrepancy(
                "tolerance",
                "Amount tolerance narrower than the quantity tolerance",
                f"±{lc.tolerance_percent.normalize():f} %",
                f"±{contract.tolerance_percent.normalize():f} %",
            )
        )
    if (
        lc.latest_shipment_date < contract.latest_shipment_date
        or lc.latest_shipment_date < contract.shipment_from
    ):
        add(
            Discrepancy(
                "latest_shipment",
                "Latest shipment date earlier than the contract's",
                lc.latest_shipment_date.isoformat(),
                f"{contract.shipment_from.isoformat()} to "
                f"{contract.latest_shipment_date.isoformat()}",
            )
        )
    days = UCP_DEFAULT_PRESENTATION_DAYS if lc.presentation_days is None else lc.presentation_days
    needed = lc.latest_shipment_date + timedelta(days=days)
    if lc.expiry_date < needed:
        add(
            Discrepancy(
                "expiry",
                "Expires before the latest shipment date + presentation period",
                lc.expiry_date.isoformat(),
                f"{needed.isoformat()} (latest shipment {lc.latest_shipment_date.isoformat()}"
                f" + {days} days)",
            )
        )
    if contract.partial_shipments and not lc.partial_shipments_allowed:
        add(
            Discrepancy(
                "partial_shipments",
                "Partial shipments",
                _yes_no(lc.partial_shipments_allowed),
                _yes_no(contract.partial_shipments),
            )
        )
    if contract.transhipment and not lc.transhipment_allowed:
        add(
            Discrepancy(
                "transhipment",
                "Transhipment",
                _yes_no(lc.transhipment_allowed),
                _yes_no(contract.transhipment),
            )
        )
    for code, label, lc_value, contract_value in (
        ("port_of_loading", "Port of loading", lc.port_of_loading, contract.port_of_loading),
        (
            "port_of_discharge",
            "Port of discharge",
            lc.port_of_discharge,
            contract.port_of_discharge,
        ),
        ("incoterm", "Incoterm", lc.incoterm, contract.incoterm),
    ):
        if lc_value and lc_value.upper() != contract_value.upper():
            add(Discrepancy(code, label, lc_value, contract_value))
    for document in lc.documents_required or []:
        if not document_is_normally_issued(document, incoterm=contract.incoterm):
            add(
                Discrepancy(
                    "document",
                    "Document we do not normally issue",
                    document,
                    "; ".join(contract.documents or []) or "—",
                )
            )
    return found
