"""Reads for tariff watch."""

from __future__ import annotations

from products import selectors as products_selectors
from products.models import TariffRule

from ..models import Quote


def quote_stale_rules(*, quote: Quote) -> list[TariffRule]:
    """The stale tariff rules (never verified, or not for MGTRADE_TARIFF_VERIFY_DAYS) that
    the quote's stored duties use (at most 2 queries; none without duties)."""
    ids = {
        duty.get("rule_id")
        for line in (quote.pricing or {}).get("lines", [])
        for duty in line.get("duties", [])
    }
    stale = products_selectors.tariff_rule_ids_stale(ids=ids)
    if not stale:
        return []
    return list(TariffRule.objects.filter(pk__in=stale).select_related("verified_by"))
