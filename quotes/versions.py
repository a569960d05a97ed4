"""Versions of a quote and what changed between them.

A revised quote is a new row with the same number and the next version; the quote page
shows every version of the number, newest first, each with its diff from the one before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .models import Quote, QuoteLine


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LineChange:
    kind: str  # "added", "removed" or "changed"
    product: str
    changes: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class VersionDiff:
    old_version: int
    new_version: int
    fields: tuple[FieldChange, ...]
    lines: tuple[LineChange, ...]

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.lines)


def _duties_usd(quote: Quote) -> str | None:
    return (quote.pricing or {}).get("usd", {}).get("duties")


def _duty_rates(quote: Quote) -> str:
    """The tariff rules applied, as text: what a rule change shows up as."""
    seen = []
    for line in (quote.pricing or {}).get("lines", []):
        for duty in line.get("duties", []):
            text = f"{line['product']} {duty['kind']} {duty['rate_percent']} % ({duty['basis']})"
            if text not in seen:
                seen.append(text)
    return "; ".join(seen) or "none"


DIFF_FIELDS: tuple[tuple[str, Any], ...] = (
    ("Quote date", lambda q: q.quote_date),
    ("Valid until", lambda q: q.valid_until),
    ("Incoterm", lambda q: q.incoterm),
    ("Origin port", lambda q: q.origin_port),
    ("Destination port", lambda q: q.destination_port),
    ("Currency", lambda q: q.currency),
    ("Exchange rate", lambda q: q.fx_rate),
    ("Insurance %", lambda q: q.insurance_rate_percent),
    ("Tariff absorption %", lambda q: q.tariff_absorption_percent),
    ("Contact", lambda q: str(q.contact) if q.contact_id else ""),
    ("Payment terms", lambda q: q.payment_terms),
    ("Lead time", lambda q: q.lead_time),
    ("Packaging", lambda q: q.packaging_notes),
    ("Terms", lambda q: q.terms),
    ("Duty rules", _duty_rates),
    ("Total quantity (MT)", lambda q: q.total_quantity_mt),
    ("Duties (USD)", _duties_usd),
    ("Total (USD)", lambda q: q.total_usd),
    ("Total (quote currency)", lambda q: q.total_quote_currency),
    ("Landed cost per MT (USD)", lambda q: q.landed_cost_per_mt_usd),
)
LINE_DIFF_FIELDS = (
    ("Quantity (MT)", "quantity_mt"),
    ("Unit price (USD/MT)", "unit_price_usd_per_mt"),
    ("Discount %", "discount_percent"),
    ("Goods value (USD)", "goods_value_usd"),
)


def _lines_by_key(quote: Quote) -> dict[tuple[str, int], QuoteLine]:
    """Lines keyed by (grade, n-th line of that grade), so reordering is not a change."""
    keyed, seen = {}, {}
    for line in quote.lines.all():
        n = seen.get(line.product_code, 0)
        seen[line.product_code] = n + 1
        keyed[(line.product_code, n)] = line
    return keyed


def quote_version_diff(old: Quote, new: Quote) -> VersionDiff:
    """What changed from ``old`` to ``new`` (usually consecutive versions): header fields,
    totals, the duty rules applied, and lines added, removed or changed. Pure: pass quotes
    with ``lines`` prefetched to avoid queries."""
    fields = []
    for label, get in DIFF_FIELDS:
        before, after = get(old), get(new)
        if before != after:
            fields.append(FieldChange(label, before, after))
    old_lines, new_lines = _lines_by_key(old), _lines_by_key(new)
    lines = []
    for key, line in new_lines.items():
        before = old_lines.get(key)
        if before is None:
            lines.append(LineChange("added", line.product_code))
            continue
        changes = tuple(
            FieldChange(label, getattr(before, name), getattr(line, name))
            for label, name in LINE_DIFF_FIELDS
            if getattr(before, name) != getattr(line, name)
        )
        if changes:
            lines.append(LineChange("changed", line.product_code, changes))
    lines.extend(LineChange("removed", key[0]) for key in old_lines if key not in new_lines)
    return VersionDiff(old.version, new.version, tuple(fields), tuple(lines))


@dataclass(frozen=True)
class VersionEntry:
    quote: Quote
    diff: VersionDiff | None  # from the previous version; None for version 1


def quote_version_history(*, quote: Quote) -> list[VersionEntry]:
    """Every version of the quote's number, newest first, each with its diff from the one
    before (2 queries)."""
    versions = list(
        Quote.objects.filter(number=quote.number)
        .select_related("contact", "created_by")
        .prefetch_related("lines")
        .order_by("version")
    )
    entries = [
        VersionEntry(v, quote_version_diff(versions[i - 1], v) if i else None)
        for i, v in enumerate(versions)
    ]
    return entries[::-1]
