"""What-if scenarios: hypothetical tariff rules re-pricing (a) every open quote and (b) the
last 12 months' accepted quotes "as if shipped again", without touching any quote.

The rules are plain data (``TariffRuleData``) handed to the pure engine through
``repricing.rules_with_scenario``: a hypothetical rule replaces the quote's rule of the same
destination, origin, kind and HS prefix, or is added to its rules. Quotes are only read
(``values_list``); the only write is the scenario's own row (progress, then the result).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from pricing.engine import TariffRuleData
from products.customs import DUTY_BASES, TARIFF_KINDS

from ..models import OPEN_STATUSES, Quote, QuoteStatus
from ..sending import enqueue
from . import repricing
from .models import RunStatus, TariffScenario
from .services import _claim

PROGRESS_EVERY = 1000
CHUNK = 2000
ZERO = Decimal("0")
RULE_FIELDS = (
    "destination",
    "hs_prefix",
    "kind",
    "rate_percent",
    "specific_usd_per_mt",
    "basis",
    "valid_from",
)
ROW_FIELDS = (
    "set",
    "quote_id",
    "reference",
    "customer",
    "destination",
    "rep",
    "currency",
    "quantity_mt",
    "goods_value_usd",
    "old_landed_per_mt_usd",
    "new_landed_per_mt_usd",
    "change_per_mt_usd",
    "change_total_usd",
    "change_per_mt_quote_currency",
)


def _check_rules(rules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Validate hypothetical rules; return them as plain strings (JSON)."""
    if not rules:
        raise ValidationError({"rules": "Add at least one hypothetical rule."})
    out, errors = [], []
    for i, rule in enumerate(rules, start=1):
        problems = []
        destination = str(rule.get("destination") or "").strip().upper()
        prefix = str(rule.get("hs_prefix") or "").replace(".", "").strip()
        kind = rule.get("kind")
        basis = rule.get("basis")
        try:
            rate = Decimal(str(rule.get("rate_percent") or "0"))
            specific = Decimal(str(rule.get("specific_usd_per_mt") or "0"))
        except ArithmeticError:
            problems.append("rate and specific duty must be numbers")
            rate = specific = ZERO
        if not (len(destination) == 2 and destination.isalpha()):
            problems.append("destination is a country code or EU")
        if not (prefix.isdigit() and 4 <= len(prefix) <= 10):
            problems.append("HS prefix is 4 to 10 digits")
        if kind not in TARIFF_KINDS:
            problems.append(f"kind is one of {', '.join(TARIFF_KINDS)}")
        if basis not in DUTY_BASES:
            problems.append("basis is CIF or FOB")
        if not (ZERO <= rate <= 1000 and ZERO <= specific <= 100000):
            problems.append("rate 0–1000 %, specific duty 0–100,000 USD/MT")
        valid_from = rule.get("valid_from")
        if isinstance(valid_from, str) and valid_from:
            try:
                valid_from = date.fromisoformat(valid_from)
            except ValueError:
                problems.append("from date like 2027-01-01")
        if problems:
            errors.append(f"Rule {i}: " + "; ".join(problems) + ".")
            continue
        out.append(
            {
                "destination": destination,
                "hs_prefix": prefix,
                "kind": kind,
                "rate_percent": str(rate),
                "specific_usd_per_mt": str(specific),
                "basis": basis,
                "valid_from": valid_from.isoformat() if valid_from else "",
            }
        )
    if errors:
        raise ValidationError({"rules": errors})
    return out


def scenario_rules_data(scenario: TariffScenario) -> list[TariffRuleData]:
    return [
        TariffRuleData(
            destination=r["destination"],
            hs_prefix=r["hs_prefix"],
            kind=r["kind"],
            rate_percent=Decimal(r["rate_percent"]),
            basis=r["basis"],
            specific_usd_per_mt=Decimal(r["specific_usd_per_mt"]),
            reference=f"What-if scenario “{scenario.name}”",
        )
        for r in scenario.rules
    ]


RUN_TASK = "quotes.tariff_watch.tasks.tariff_scenario_run_task"


def _enqueue(scenario_id: int) -> None:
    # By the task's pinned name (QuotesConfig.ready registers the tasks): this module never
    # imports quotes.tariff_watch.tasks, which imports it.
    # A broker outage is logged, not raised after the commit (quotes.sending.enqueue).
    transaction.on_commit(lambda: enqueue.queue_task(RUN_TASK, scenario_id))


def _manager(by: User) -> None:
    if not by.is_manager:
        raise StateConflict("Only managers and admins define scenarios.")


@transaction.atomic
def scenario_create(
    *, name: str, rules: list[dict[str, Any]], by: User, description: str = ""
) -> TariffScenario:
    """Save a scenario and queue its first run."""
    _manager(by)
    if not name.strip():
        raise ValidationError({"name": "Name the scenario."})
    scenario = TariffScenario.objects.create(
        name=name.strip()[:120],
        description=description,
        rules=_check_rules(rules),
        created_by=by,
    )
    _enqueue(scenario.pk)
    return scenario


@transaction.atomic
def scenario_rerun(*, scenario: TariffScenario, by: User) -> TariffScenario:
    """Queue the scenario again (the data changed since its last run)."""
    _manager(by)
    updated = TariffScenario.objects.filter(
        pk=scenario.pk, status__in=[RunStatus.DONE, RunStatus.FAILED]
    ).update(status=RunStatus.PENDING, progress_done=0, error="")
    if not updated:
        raise StateConflict("The scenario is running; wait for it to finish.")
    _enqueue(scenario.pk)
    scenario.refresh_from_db()
    return scenario


QUOTE_ROW_FIELDS = (
    "pk",
    "number",
    "version",
    "customer_id",
    "customer__name",
    "owner__username",
    "pricing",
)


def quote_rows(*, today: date) -> Iterator[tuple]:
    """The open quotes (still valid), then the accepted ones decided in the last 12 months."""
    fields = QUOTE_ROW_FIELDS
    open_ = Quote.objects.filter(status__in=OPEN_STATUSES, valid_until__gte=today)
    for row in open_.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK):
        yield ("open", *row)
    since = timezone.now() - timedelta(days=365)
    accepted = Quote.objects.filter(status=QuoteStatus.ACCEPTED, decided_at__gte=since)
    for row in accepted.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK):
        yield ("accepted", *row)


def _group() -> dict[str, Any]:
    return {"quotes": 0, "tonnes": ZERO, "value_usd": ZERO, "change_usd": ZERO}


def _add(group: dict[str, Any], qty: Decimal, value: Decimal, change: Decimal) -> None:
    group["quotes"] += 1
    group["tonnes"] += qty
    group["value_usd"] += value
    group["change_usd"] += change


def _table(groups: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for key, g in groups.items():
        per_mt = (g["change_usd"] / g["tonnes"]).quantize(Decimal("0.01")) if g["tonnes"] else ZERO
        rows.append(
            {
                "key": key,
                "quotes": g["quotes"],
                "tonnes": str(g["tonnes"].quantize(Decimal("0.001"))),
                "value_usd": str(g["value_usd"].quantize(Decimal("0.01"))),
                "change_usd": str(g["change_usd"].quantize(Decimal("0.01"))),
                "change_per_mt_usd": str(per_mt),
            }
        )
    rows.sort(key=lambda r: (-abs(Decimal(r["change_usd"])), r["key"]))
    return rows


def scenario_compute(
    *,
    hypothetical: list[TariffRuleData],
    today: date,
    progress=None,
    source: Iterator[tuple] | None = None,
) -> dict[str, Any]:
    """The scenario's result (plain JSON data) from the stored quotes; writes nothing.
    ``source`` (default: the open and last year's accepted quotes) yields rows like
    ``quote_rows``: (set, pk, number, version, customer_id, customer name, rep, pricing)."""
    groups: dict[str, dict[str, dict[str, Any]]] = {
        name: defaultdict(_group) for name in ("destination", "customer", "grade", "rep")
    }
    totals = {"open": _group(), "accepted": _group()}
    rows: list[list[str]] = []
    customers_new: dict[int, tuple[str, Decimal, Decimal]] = {}
    checked = 0
    rows_in = source if source is not None else quote_rows(today=today)
    for which, pk, number, version, customer_id, customer, rep, pricing in rows_in:
        checked += 1
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
        rules = repricing.rules_with_scenario(pricing, hypothetical)
        if rules is None:
            continue
        usd = pricing["usd"]
        if usd.get("landed_cost") is None:  # landed cost unknown (no freight rate)
            continue
        new = repricing.reprice(pricing, rules)
        change = new.usd.landed_cost - Decimal(usd["landed_cost"])
        if not change:
            continue
        qty = new.total_quantity_mt
        value = Decimal(usd["goods_value"])
        old_per_mt = Decimal(usd["landed_cost_per_mt"])
        quantum = repricing.currency_quantum(pricing["currency"])
        change_qc = new.quote_currency.landed_cost_per_mt - Decimal(
            pricing["quote_currency"]["landed_cost_per_mt"]
        ).quantize(quantum)
        _add(totals.setdefault(which, _group()), qty, value, change)
        _add(groups["destination"][pricing["destination_country"]], qty, value, change)
        _add(groups["customer"][customer], qty, value, change)
        _add(groups["rep"][rep], qty, value, change)
        for old_line, new_line in zip(pricing["lines"], new.lines, strict=True):
            line_change = new_line.duties_total - Decimal(old_line["duties_total"])
            if line_change:
                _add(
                    groups["grade"][new_line.product],
                    new_line.quantity_mt,
                    new_line.goods_value,
                    line_change,
                )
        best = customers_new.get(customer_id)
        if best is None or new.usd.landed_cost_per_mt > best[2]:
            customers_new[customer_id] = (customer, old_per_mt, new.usd.landed_cost_per_mt)
        rows.append(
            [
                which,
                str(pk),
                f"{number} v{version}",
                customer,
                pricing["destination_country"],
                rep,
                pricing["currency"],
                str(qty),
                str(value),
                str(old_per_mt),
                str(new.usd.landed_cost_per_mt),
                str(new.usd.landed_cost_per_mt - old_per_mt),
                str(change),
                str(change_qc),
            ]
        )
    return {
        "ran_on": today.isoformat(),
        "quotes_checked": checked,
        "affected_count": len(rows),
        "totals": {
            k: {
                "quotes": g["quotes"],
                "tonnes": str(g["tonnes"]),
                "value_usd": str(g["value_usd"]),
                "change_usd": str(g["change_usd"].quantize(Decimal("0.01"))),
            }
            for k, g in totals.items()
        },
        "by": {name: _table(g) for name, g in groups.items()},
        "competitors": _competitors(customers_new),
        "rows": rows,
    }


def _competitors(customers_new: dict[int, tuple[str, Decimal, Decimal]]) -> list[dict[str, str]]:
    """Buyers whose landed cost per MT under the scenario would exceed the price of a
    competitor they named on a lost quote (the latest such quote per buyer)."""
    if not customers_new:
        return []
    lost = (
        Quote.objects.filter(
            status=QuoteStatus.REJECTED,
            customer_id__in=list(customers_new),
            competitor_price_usd_per_mt__isnull=False,
        )
        .order_by("customer_id", "-decided_at", "-pk")
        .values_list(
            "customer_id",
            "competitor",
            "competitor_origin",
            "competitor_price_usd_per_mt",
            "number",
        )
    )
    seen, out = set(), []
    for customer_id, competitor, origin, price_per_mt, number in lost:
        if customer_id in seen:
            continue
        seen.add(customer_id)
        name, old, new = customers_new[customer_id]
        if new > price_per_mt:
            out.append(
                {
                    "customer": name,
                    "competitor": competitor or "—",
                    "origin": origin or "—",
                    "competitor_price_usd_per_mt": str(price_per_mt),
                    "lost_quote": number,
                    "old_landed_per_mt_usd": str(old),
                    "new_landed_per_mt_usd": str(new),
                    "already_above": old > price_per_mt,
                }
            )
    return out


def scenario_run(*, scenario_id: int, today: date | None = None) -> TariffScenario | None:
    """Run a scenario (the task's one service); ``None`` when another worker holds it."""
    token = _claim(TariffScenario, scenario_id)
    if token is None:
        return None
    scenario = TariffScenario.objects.get(pk=scenario_id)
    today = today or timezone.localdate()
    total = (
        Quote.objects.filter(status__in=OPEN_STATUSES, valid_until__gte=today).count()
        + Quote.objects.filter(
            status=QuoteStatus.ACCEPTED, decided_at__gte=timezone.now() - timedelta(days=365)
        ).count()
    )
    mine = TariffScenario.objects.filter(pk=scenario_id, claim_token=token)
    mine.update(progress_total=total, progress_done=0)
    try:
        result = scenario_compute(
            hypothetical=scenario_rules_data(scenario),
            today=today,
            progress=lambda n: mine.update(progress_done=n),
        )
    except Exception as exc:
        mine.update(status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    mine.update(
        status=RunStatus.DONE,
        result=result,
        progress_done=result["quotes_checked"],
        last_run_at=timezone.now(),
    )
    scenario.refresh_from_db()
    return scenario


def scenario_export_rows(*, scenario: TariffScenario) -> Iterator[list[str]]:
    """The last run's affected quotes as CSV rows, the header first."""
    yield list(ROW_FIELDS)
    yield from scenario.result.get("rows", [])
