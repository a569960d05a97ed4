"""Tariff watch writes: raise a change event, compute its impact on open quotes, notify
owners, act on a banner; the daily look-ahead.

The impact of a change is computed from each open quote's snapshot with the pure engine
(``repricing``): no quote is written, ever; the result is stored in one transaction at the
end (impact rows, the owners' notifications, the event's totals).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from pricing.engine import TariffRuleData
from pricing.inputs import tariff_rule_data
from products.customs import EU_MEMBER_STATES
from products.models import TariffRule

from .. import services as quote_services
from ..models import OPEN_STATUSES, Notification, Quote, QuoteEmail, QuoteStatus
from ..public.links import site_url
from ..sending import enqueue
from ..sending.emails import email_subject, emails_queue_on_commit
from . import repricing
from .models import RunStatus, TariffChangeEvent, TariffChangeImpact

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 500
CLAIM_STALE = timedelta(minutes=15)
CHUNK = 2000


IMPACT_TASK = "quotes.tariff_watch.tasks.tariff_change_impact_task"


def _enqueue_impact(event_id: int) -> None:
    # By the task's pinned name (QuotesConfig.ready registers the tasks): this module never
    # imports quotes.tariff_watch.tasks, which imports it.
    # A broker outage is logged, not raised after the commit (quotes.sending.enqueue).
    transaction.on_commit(lambda: enqueue.queue_task(IMPACT_TASK, event_id))


def _describe(
    kind: str, effective_on: date, added: list[TariffRule], removed: list[TariffRule]
) -> tuple[str, str, str]:
    rule = (added or removed)[0]
    label = f"{rule.destination} {rule.hs_prefix} {rule.get_kind_display()}"

    def rate(r: TariffRule) -> str:
        text = f"{r.rate_percent.normalize():f} %"
        if r.specific_usd_per_mt:
            text += f" + {r.specific_usd_per_mt} USD/MT"
        return text

    if kind == "ended":
        summary = f"{label} {rate(rule)} ends after {effective_on - timedelta(days=1)}"
    elif kind == "changed":
        summary = f"{label}: {rate(removed[0])} → {rate(added[0])} from {effective_on}"
    else:
        summary = f"{label} {rate(rule)} from {effective_on}"
    return rule.destination, rule.hs_prefix, summary[:300]


def _key(kind: str, added: list[TariffRule], removed: list[TariffRule], effective_on: date) -> str:
    if kind == "added":
        return f"added:{added[0].pk}"
    if kind == "changed":
        return f"changed:{added[0].pk}"
    return f"ended:{removed[0].pk}:{effective_on.isoformat()}"


def tariff_change_raise(
    *,
    kind: str,
    effective_on: date,
    added: list[TariffRule],
    removed: list[TariffRule],
    by: User | None = None,
) -> TariffChangeEvent:
    """The event for a change of rules (one per change, whoever raises it) and its impact
    computation queued after the commit. Returns the existing event for a known change."""
    key = _key(kind, added, removed, effective_on)
    existing = TariffChangeEvent.objects.filter(key=key).first()
    if existing is not None:
        return existing
    destination, hs_prefix, summary = _describe(kind, effective_on, added, removed)
    event = TariffChangeEvent.objects.create(
        key=key,
        kind=kind,
        effective_on=effective_on,
        destination=destination,
        hs_prefix=hs_prefix,
        summary=summary,
        added_rule_ids=[r.pk for r in added],
        removed_rule_ids=[r.pk for r in removed],
        raised_by=by,
    )
    _enqueue_impact(event.pk)
    return event


def tariff_change_recompute(*, event: TariffChangeEvent) -> TariffChangeEvent:
    """Queue the impact again (quotes opened or repriced since); the new result replaces
    the old one."""
    updated = TariffChangeEvent.objects.filter(
        pk=event.pk, status__in=[RunStatus.DONE, RunStatus.FAILED]
    ).update(status=RunStatus.PENDING, progress_done=0, error="")
    if not updated:
        raise StateConflict("The impact is being computed; wait for it to finish.")
    _enqueue_impact(event.pk)
    event.refresh_from_db()
    return event


def _countries(destinations: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for destination in destinations:
        out |= set(EU_MEMBER_STATES) if destination == "EU" else {destination}
    return out


def open_quote_snapshots(
    *, countries: set[str] | None, today: date
) -> Iterator[tuple[int, int, int, str, dict]]:
    """(pk, owner_id, customer_id, number, pricing) of every open quote (draft to sent,
    still valid), optionally only for these destination countries; read in chunks."""
    qs = Quote.objects.filter(status__in=OPEN_STATUSES, valid_until__gte=today)
    if countries is not None:
        qs = qs.filter(destination_country__in=countries)
    yield from (
        qs.order_by("pk")
        .values_list("pk", "owner_id", "customer_id", "number", "pricing")
        .iterator(chunk_size=CHUNK)
    )


def _claim(model: type[TariffChangeEvent], pk: int) -> str | None:
    """Claim a computation row: pending or failed, or running with a dead claim."""
    token = secrets.token_hex(8)
    now = timezone.now()
    claimed = model.objects.filter(
        Q(status__in=[RunStatus.PENDING, RunStatus.FAILED])
        | Q(status=RunStatus.RUNNING, started_at__lt=now - CLAIM_STALE),
        pk=pk,
    ).update(status=RunStatus.RUNNING, claim_token=token, started_at=now, error="")
    return token if claimed else None


def _undated(rule: TariffRule) -> TariffRuleData:
    return tariff_rule_data(rule)


def tariff_change_impact_compute(
    *, event_id: int, today: date | None = None
) -> TariffChangeEvent | None:
    """Compute and store a change's impact on every open quote (the task's one service).
    Returns ``None`` when the event is gone, done, or being computed by another worker."""
    token = _claim(TariffChangeEvent, event_id)
    if token is None:
        return None
    event = TariffChangeEvent.objects.get(pk=event_id)
    today = today or timezone.localdate()
    try:
        rows, checked = _impacts(event, today=today, token=token)
        return _store(event, rows, checked=checked, token=token)
    except Exception as exc:
        TariffChangeEvent.objects.filter(pk=event_id, claim_token=token).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise


def _impacts(
    event: TariffChangeEvent, *, today: date, token: str
) -> tuple[list[dict[str, Any]], int]:
    """The changed figures of every open quote the change touches, and how many were read."""
    ids = set(event.added_rule_ids) | set(event.removed_rule_ids)
    rules = {r.pk: r for r in TariffRule.objects.filter(pk__in=ids)}
    added = [_undated(rules[pk]) for pk in event.added_rule_ids if pk in rules]
    removed = set(event.removed_rule_ids)
    countries = _countries(r.destination for r in rules.values())
    total = Quote.objects.filter(
        status__in=OPEN_STATUSES, valid_until__gte=today, destination_country__in=countries
    ).count()
    TariffChangeEvent.objects.filter(pk=event.pk, claim_token=token).update(progress_total=total)
    out = []
    done = 0
    for pk, owner_id, _customer, number, pricing in open_quote_snapshots(
        countries=countries, today=today
    ):
        done += 1
        if done % PROGRESS_EVERY == 0:
            TariffChangeEvent.objects.filter(pk=event.pk, claim_token=token).update(
                progress_done=done
            )
        on = max(event.effective_on, date.fromisoformat(pricing["quote_date"]))
        new_rules = repricing.rules_after_change(pricing, removed_ids=removed, added=added, on=on)
        if new_rules is None:
            continue
        impact = repricing.impact_of(pricing, new_rules)
        if not impact.changed:
            continue
        out.append({"quote_id": pk, "owner_id": owner_id, "number": number, "impact": impact})
    return out, done


@transaction.atomic
def _store(
    event: TariffChangeEvent, rows: list[dict[str, Any]], *, checked: int, token: str
) -> TariffChangeEvent | None:
    event = TariffChangeEvent.objects.select_for_update().get(pk=event.pk)
    if event.claim_token != token:
        return None  # another worker took over
    notified = set(
        Notification.objects.filter(
            quote_id__in=event.impacts.values("quote_id"), text__startswith=f"[tariff #{event.pk}]"
        ).values_list("quote_id", flat=True)
    )
    event.impacts.all().delete()
    impacts = [
        TariffChangeImpact(
            event=event,
            quote_id=row["quote_id"],
            owner_id=row["owner_id"],
            currency=i.currency,
            total_quantity_mt=i.total_quantity_mt,
            old_duties_usd=i.old_duties_usd,
            new_duties_usd=i.new_duties_usd,
            old_landed_per_mt_usd=i.old_landed_per_mt_usd,
            new_landed_per_mt_usd=i.new_landed_per_mt_usd,
            change_per_mt_usd=i.change_per_mt_usd,
            old_landed_per_mt_qc=i.old_landed_per_mt_qc,
            new_landed_per_mt_qc=i.new_landed_per_mt_qc,
            change_per_mt_qc=i.change_per_mt_qc,
            change_total_usd=i.change_total_usd,
        )
        for row in rows
        for i in (row["impact"],)
    ]
    TariffChangeImpact.objects.bulk_create(impacts, batch_size=CHUNK)
    to_notify = [row for row in rows if row["quote_id"] not in notified]
    Notification.objects.bulk_create(
        (
            Notification(
                user_id=row["owner_id"],
                quote_id=row["quote_id"],
                text=f"[tariff #{event.pk}] {row['number']}: "
                f"{repricing.banner_text(row['impact'], event.effective_on)} ({event.summary})"[
                    :300
                ],
            )
            for row in to_notify
        ),
        batch_size=CHUNK,
    )
    if settings.MGTRADE["NOTIFY_BY_EMAIL"] and to_notify:
        _emails_queue(event, to_notify)
    event.status = RunStatus.DONE
    event.quotes_checked = checked
    event.progress_done = event.progress_total = max(event.progress_total, checked)
    event.finished_at = timezone.now()
    event.affected_count = len(impacts)
    event.tonnes_affected = sum((i.total_quantity_mt for i in impacts), Decimal("0"))
    event.landed_change_usd = sum((i.change_total_usd for i in impacts), Decimal("0"))
    event.save()
    return event


def _emails_queue(event: TariffChangeEvent, rows: list[dict[str, Any]]) -> None:
    """With MGTRADE_NOTIFY_BY_EMAIL: each affected quote's owner also gets an email (a
    ``QuoteEmail`` row each, queued after the commit, sent once like every notice)."""
    facts = {
        q["pk"]: q
        for q in Quote.objects.filter(pk__in=[row["quote_id"] for row in rows]).values(
            "pk",
            "number",
            "version",
            "customer__name",
            "owner__email",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )
    }
    emails = []
    for row in rows:
        q = facts[row["quote_id"]]
        if not q["owner__email"]:
            continue
        impact = row["impact"]
        rep = f"{q['owner__first_name']} {q['owner__last_name']}".strip() or q["owner__username"]
        reference = f"{q['number']} v{q['version']}"
        context = {
            "quote": {"number": q["number"], "version": q["version"], "reference": reference},
            "customer": q["customer__name"],
            "rep": rep,
            "recipient": rep,
            "url": site_url() + f"/quotes/{q['pk']}/",
            "banner": repricing.banner_text(impact, event.effective_on),
            "change": event.summary,
            "old_landed_per_mt_usd": str(impact.old_landed_per_mt_usd),
            "new_landed_per_mt_usd": str(impact.new_landed_per_mt_usd),
        }
        emails.append(
            QuoteEmail(
                quote_id=q["pk"],
                kind=QuoteEmail.Kind.TARIFF_CHANGE,
                subject=email_subject("quote-tariff_change", context),
                to=[q["owner__email"]],
                context=context,
            )
        )
    emails_queue_on_commit(QuoteEmail.objects.bulk_create(emails, batch_size=CHUNK))


# ------------------------------------------------------------------ the daily look-ahead


def tariff_changes_look_ahead(*, today: date | None = None) -> list[TariffChangeEvent]:
    """Raise the events of rules that start or end within MGTRADE_TARIFF_LOOKAHEAD_DAYS
    (or ended yesterday) and have none yet. Safe to run twice."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.MGTRADE["TARIFF_LOOKAHEAD_DAYS"])
    raised = []
    ending = TariffRule.objects.filter(
        valid_to__gte=today - timedelta(days=1), valid_to__lte=horizon
    ).order_by("valid_to", "pk")
    for rule in ending:
        effective_on = cast(date, rule.valid_to) + timedelta(days=1)  # filtered: not null
        successor = TariffRule.objects.filter(
            previous_version=rule, valid_from=effective_on
        ).first()
        if successor is not None:
            continue  # a new version: its "changed" event covers it
        key = f"ended:{rule.pk}:{effective_on.isoformat()}"
        if not TariffChangeEvent.objects.filter(key=key).exists():
            with transaction.atomic():
                raised.append(
                    tariff_change_raise(
                        kind="ended", effective_on=effective_on, added=[], removed=[rule]
                    )
                )
    starting = TariffRule.objects.filter(valid_from__gte=today, valid_from__lte=horizon)
    for rule in starting.order_by("valid_from", "pk"):
        if not TariffChangeEvent.objects.filter(
            key__in=[f"added:{rule.pk}", f"changed:{rule.pk}"]
        ).exists():
            with transaction.atomic():
                kind = "changed" if rule.previous_version_id else "added"
                removed = (
                    [cast(TariffRule, rule.previous_version)] if rule.previous_version_id else []
                )
                raised.append(
                    tariff_change_raise(
                        kind=kind, effective_on=rule.valid_from, added=[rule], removed=removed
                    )
                )
    return raised


# ------------------------------------------------------------------ acting on a banner


def tariff_impact_apply(*, impact: TariffChangeImpact, by: User) -> Quote:
    """The banner's action: reprice a draft (or a quote awaiting/holding approval), revise
    a sent quote (a new version through the normal approval and send flow). The duties
    are those in force from the change's effective date when that is later than today.
    Nothing is sent."""
    quote = impact.quote
    duties_on = max(impact.event.effective_on, timezone.localdate())
    if quote.is_editable:
        return quote_services.quote_reprice(quote=quote, by=by, duties_on=duties_on)
    if quote.status == QuoteStatus.SENT:
        return quote_services.quote_revise(quote=quote, by=by, duties_on=duties_on)
    raise StateConflict(
        f"A {quote.get_status_display().lower()} quote is not affected by tariff changes."
    )
