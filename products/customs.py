"""Customs constants shared by the catalogue (``products``) and the pricing engine.

Plain Python (no Django, no imports from other apps), so the reference data and the
engine agree on what a tariff rule's destination ``EU`` covers, which duty kinds and
customs-value bases exist, and which Incoterms a quote may use.
"""

from __future__ import annotations

__all__ = [
    "DUTY_BASES",
    "EU_GROUP",
    "EU_MEMBER_STATES",
    "FEE_KINDS",
    "INCOTERMS",
    "TARIFF_KINDS",
    "tariff_destinations",
]

# Incoterms 2020, in the order of the seller's growing obligations.
INCOTERMS = ("EXW", "FCA", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP")

# Kinds of import duty a tariff rule can be (``products.models.TariffKind``).
TARIFF_KINDS = (
    "mfn",
    "anti_dumping",
    "countervailing",
    "safeguard",
    "retaliatory",
    "other",
    "entry_fee",
    "port_fee",
)

# Import fees charged per customs entry (US merchandise processing fee, with an optional
# minimum and maximum per entry) or on the cargo (US harbor maintenance fee): counted in DDP
# totals and the landed cost, never absorbable by the seller.
FEE_KINDS = frozenset({"entry_fee", "port_fee"})

# The customs value a duty rate applies to (``products.models.DutyBasis``).
DUTY_BASES = ("CIF", "FOB")

# A tariff rule's destination that stands for every member state of the EU customs union.
EU_GROUP = "EU"

# The 27 member states (ISO 3166-1 alpha-2) that a tariff rule for ``EU`` covers.
EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)


def tariff_destinations(country: str) -> tuple[str, ...]:
    """The tariff rule destinations that apply to goods imported into ``country``: the
    country itself and, for an EU member state, ``EU``."""
    return (country, EU_GROUP) if country in EU_MEMBER_STATES else (country,)
