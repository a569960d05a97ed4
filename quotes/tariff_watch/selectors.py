"""Reads for tariff watch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from mgtrade.accounts.models import User
from pricing.engine import EU_MEMBER_STATES
from products.models import TariffRule

from ..models import OPEN_STATUSES, Quote, QuoteLine
from ..selectors import quote_list_visible
from .models import RunStatus, TariffChangeEvent, TariffChangeImpact
from .repricing import banner_text


def quote_tariff_banners(*, quote: Quote) -> list[TariffChangeImpact]:
    """The computed tariff changes that still apply to an open quote: its figures are
    those the change was measured against (a reprice or revision since clears it)."""
    if quote.status not in OPEN_STATUSES:
        return []
    impacts = (
        TariffChangeImpact.objects.filter(
            quote=quote,
            event__status=RunStatus.DONE,
            old_landed_per_mt_usd=quote.landed_cost_per_mt_usd,
        )
        .select_related("event")
        .order_by("event__effective_on", "event_id")
    )
    out = []
    for impact in impacts:
        impact.banner = banner_text(impact, impact.event.effective_on)
        out.append(impact)
    return out


def tariff_change_list(*, affecting_only: bool = True) -> QuerySet[TariffChangeEvent]:
    qs = TariffChangeEvent.objects.select_related("raised_by")
    if affecting_only:
        qs = qs.exclude(status=RunStatus.DONE, affected_count=0)
    return qs.order_by("-effective_on", "-id")


def tariff_change_impacts(*, event: TariffChangeEvent, user: User) -> QuerySet[TariffChangeImpact]:
    """The event's affected quotes the user may see, biggest change per MT first."""
    visible = quote_list_visible(user=user).values("pk")
    return (
        event.impacts.filter(quote_id__in=visible)
        .select_related("quote", "quote__customer", "owner")
        .order_by("-change_per_mt_usd", "quote_id")
    )


@dataclass(frozen=True)
class CalendarEntry:
    on: date
    what: str  # "starts" or "ends"
    rule: TariffRule
    open_quotes: int
    tonnes: Decimal


def _dotted(prefix: str) -> str:
    """HS digits as the catalogue writes them: 810411 → 8104.11, 81041100 → 8104.11.00."""
    parts = [prefix[:4]] + [prefix[i : i + 2] for i in range(4, len(prefix), 2)]
    return ".".join(p for p in parts if p)


def tariff_calendar(*, today: date | None = None, days: int = 90) -> list[CalendarEntry]:
    """Rules starting or ending in the next ``days`` days, with the open quotes (still
    valid) and tonnes whose lines each touches: one query for the rules, one per rule."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=days)
    rules = TariffRule.objects.filter(
        Q(valid_from__gte=today, valid_from__lte=horizon)
        | Q(valid_to__gte=today, valid_to__lte=horizon)
    ).order_by("pk")
    entries = []
    for rule in rules:
        countries = sorted(EU_MEMBER_STATES) if rule.destination == "EU" else [rule.destination]
        touched = QuoteLine.objects.filter(
            quote__status__in=OPEN_STATUSES,
            quote__valid_until__gte=today,
            quote__destination_country__in=countries,
            hs_code__startswith=_dotted(rule.hs_prefix),
        ).aggregate(quotes=Count("quote_id", distinct=True), tonnes=Sum("quantity_mt"))
        for on, what in ((rule.valid_from, "starts"), (rule.valid_to, "ends")):
            if on is not None and today <= on <= horizon:
                entries.append(
                    CalendarEntry(
                        on=on,
                        what=what,
                        rule=rule,
                        open_quotes=touched["quotes"] or 0,
                        tonnes=touched["tonnes"] or Decimal("0"),
                    )
                )
    entries.sort(key=lambda e: (e.on, e.rule.destination, e.rule.hs_prefix))
    return entries
