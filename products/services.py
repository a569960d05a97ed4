from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from mgtrade.accounts.models import User

from .customs import EU_GROUP, EU_MEMBER_STATES
from .models import (
    ExchangeRate,
    FreightRate,
    Port,
    Product,
    ProductPrice,
    SpecLimit,
    TariffRule,
    _period_overlap,
)

PRODUCT_FIELDS = (
    "code",
    "name",
    "category",
    "hs_code",
    "purity_percent",
    "standard",
    "spec_source",
    "form",
    "packaging",
    "un_number",
    "dg_class",
    "min_order_qty_mt",
    "floor_price_usd_per_mt",
    "active",
    "notes",
)


def _spec_replace(*, product: Product, spec: list[dict[str, Any]]) -> None:
    rows, errors, seen = [], [], set()
    for position, item in enumerate(spec):
        element = str(item.get("element", "")).strip()
        row = SpecLimit(
            product=product,
            element=element,
            position=position,
            min_percent=item.get("min_percent"),
            max_percent=item.get("max_percent"),
        )
        try:
            row.full_clean(exclude=["product"])
            if element in seen:
                raise ValidationError({"element": f"{element} is listed twice."})
        except ValidationError as exc:
            errors.append(f"Row {position + 1} ({element or '?'}): " + "; ".join(exc.messages))
        seen.add(element)
        rows.append(row)
    if errors:
        raise ValidationError({"spec": errors})
    product.spec_limits.all().delete()
    SpecLimit.objects.bulk_create(rows)


@transaction.atomic
def product_create(*, spec: list[dict[str, Any]] | None = None, **fields: Any) -> Product:
    """Create a grade with its chemical specification rows."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    product = Product(**fields)
    product.full_clean()
    product.save()
    if spec:
        _spec_replace(product=product, spec=spec)
    return product


@transaction.atomic
def product_update(
    *, product: Product, spec: list[dict[str, Any]] | None = None, **fields: Any
) -> Product:
    """Change a grade; ``spec`` (when given) replaces the whole specification table."""
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown product fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    if spec is not None:
        _spec_replace(product=product, spec=spec)
    return product


def product_price_add(
    *,
    product: Product,
    usd_per_mt: Decimal,
    effective_from: date,
    note: str = "",
    by: User | None = None,
) -> ProductPrice:
    """Add a list price from a date. History is kept: an existing date is never overwritten."""
    price = ProductPrice(
        product=product,
        usd_per_mt=usd_per_mt,
        effective_from=effective_from,
        note=note,
        created_by=by,
    )
    price.full_clean(exclude=["product"], validate_unique=False)
    if ProductPrice.objects.filter(product=product, effective_from=effective_from).exists():
        raise ValidationError(
            {
                "effective_from": f"{product.code} already has a price from {effective_from}; add one for another date."
            }
        )
    try:
        with transaction.atomic():
            price.save()
    except IntegrityError as exc:  # a concurrent insert for the same day
        raise ValidationError({"effective_from": "A price for this date was just added."}) from exc
    return price


# ---------------------------------------------------------------- reference data for pricing

PORT_FIELDS = (
    "code",
    "name",
    "country",
    "origin_charges_usd_per_mt",
    "destination_charges_usd_per_mt",
    "note",
)
FREIGHT_RATE_FIELDS = (
    "origin_port",
    "destination_port",
    "container_type",
    "transport_mode",
    "usd_per_container",
    "mt_per_container",
    "valid_from",
    "valid_to",
    "note",
)
EXCHANGE_RATE_FIELDS = ("currency", "rate_per_usd", "date", "source")
TARIFF_RULE_FIELDS = (
    "destination",
    "origin_country",
    "hs_prefix",
    "kind",
    "rate_percent",
    "specific_usd_per_mt",
    "basis",
    "transport_mode",
    "min_usd_per_entry",
    "max_usd_per_entry",
    "valid_from",
    "valid_to",
    "legal_citation",
    "source_note",
)
# What a change may edit in place (text: the row's history keeps the old wording) and what
# makes a new version from an effective date (the figures a quote is priced with).
TARIFF_RULE_TEXT_FIELDS = ("legal_citation", "source_note")
TARIFF_RULE_VERSIONED_FIELDS = (
    "rate_percent",
    "specific_usd_per_mt",
    "basis",
    "transport_mode",
    "min_usd_per_entry",
    "max_usd_per_entry",
    "valid_to",
)
TARIFF_RULE_KEY_FIELDS = ("destination", "origin_country", "hs_prefix", "kind", "valid_from")


def _assign(instance: models.Model, allowed: tuple[str, ...], fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


def _period(row: FreightRate | TariffRule) -> str:
    return f"{row.valid_from} – {row.valid_to or 'open'}"


def freight_rate_check(*, rate: FreightRate) -> None:
    """Field rules plus: no other rate for the same route and container in the same period."""
    rate.full_clean()
    clash = rate.overlapping().first()
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": f"Another {clash.container_type} rate for this route is in force "
                f"over part of this period ({_period(clash)}). End it first."
            }
        )


def tariff_rule_check(*, rule: TariffRule) -> None:
    """Field rules plus: one rule per key (destination, origin, HS prefix, kind) at a time,
    and no member-state rule that doubles an EU rule of the same key (or the reverse)."""
    rule.full_clean()
    clash = rule.overlapping().first()
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": f"A {clash.get_kind_display()} rule for {clash.destination} "
                f"{clash.hs_prefix} is in force over part of this period ({_period(clash)}). "
                "End it first."
            }
        )
    if rule.destination == EU_GROUP:
        group = list(EU_MEMBER_STATES)
    elif rule.destination in EU_MEMBER_STATES:
        group = [EU_GROUP]
    else:
        group = []
    if group:
        others = TariffRule.objects.filter(
            destination__in=group,
            origin_country=rule.origin_country,
            hs_prefix=rule.hs_prefix,
            kind=rule.kind,
        ).exclude(pk=rule.pk)
        clash = _period_overlap(others, rule.valid_from, rule.valid_to).first()
        if clash is not None:
            raise ValidationError(
                {
                    "destination": f"{rule.destination} overlaps the {clash.destination} rule for "
                    f"{clash.hs_prefix} ({_period(clash)}): the duty would be charged twice. "
                    "The EU's common customs tariff covers all 27 member states."
                }
            )


def port_create(**fields: Any) -> Port:
    port = Port()
    _assign(port, PORT_FIELDS, fields)
    port.full_clean()
    port.save()
    return port


def port_update(*, port: Port, **fields: Any) -> Port:
    _assign(port, PORT_FIELDS, fields)
    port.full_clean()
    port.save()
    return port


@transaction.atomic
def freight_rate_create(**fields: Any) -> FreightRate:
    rate = FreightRate()
    _assign(rate, FREIGHT_RATE_FIELDS, fields)
    freight_rate_check(rate=rate)
    rate.save()
    return rate


@transaction.atomic
def freight_rate_update(*, rate: FreightRate, **fields: Any) -> FreightRate:
    _assign(rate, FREIGHT_RATE_FIELDS, fields)
    freight_rate_check(rate=rate)
    rate.save()
    return rate


def exchange_rate_create(**fields: Any) -> ExchangeRate:
    rate = ExchangeRate()
    _assign(rate, EXCHANGE_RATE_FIELDS, fields)
    rate.full_clean()
    rate.save()
    return rate


def exchange_rate_update(*, rate: ExchangeRate, **fields: Any) -> ExchangeRate:
    _assign(rate, EXCHANGE_RATE_FIELDS, fields)
    rate.full_clean()
    rate.save()
    return rate


def exchange_rate_upsert(
    *, currency: str, on: date, rate_per_usd: Decimal, source: str
) -> tuple[ExchangeRate, str]:
    """Set a currency's rate on a date. Returns the row and "created", "updated" or "unchanged"."""
    existing = ExchangeRate.objects.filter(currency=currency, date=on).first()
    if existing is None:
        rate = exchange_rate_create(
            currency=currency, date=on, rate_per_usd=rate_per_usd, source=source
        )
        return rate, "created"
    if existing.rate_per_usd == rate_per_usd and existing.source == source:
        return existing, "unchanged"
    return exchange_rate_update(rate=existing, rate_per_usd=rate_per_usd, source=source), "updated"


def _rules_changed(
    *,
    kind: str,
    effective_on: date,
    added: list[TariffRule],
    removed: list[TariffRule],
    by: User | None,
) -> None:
    from .signals import tariff_rules_changed

    tariff_rules_changed.send(
        sender=TariffRule,
        kind=kind,
        effective_on=effective_on,
        added=list(added),
        removed=list(removed),
        by=by,
    )


@transaction.atomic
def tariff_rule_create(
    *, by: User | None = None, verified_on: date | None = None, **fields: Any
) -> TariffRule:
    """Add a rule. ``verified_on`` (with ``by`` as the checker) says it was checked against
    the official tariff on that date; without it the rule starts unverified (stale)."""
    rule = TariffRule()
    _assign(rule, TARIFF_RULE_FIELDS, fields)
    if verified_on is not None:
        if verified_on > timezone.localdate():
            raise ValidationError({"verified_on": "A rule cannot be verified in the future."})
        rule.verified_on, rule.verified_by = verified_on, by
    tariff_rule_check(rule=rule)
    rule.save()
    _rules_changed(kind="added", effective_on=rule.valid_from, added=[rule], removed=[], by=by)
    return rule


@dataclass
class RuleChangePlan:
    """What ``tariff_rule_change`` will do: edit text in place, close the row, and/or add a
    new version from ``effective_on``."""

    rule: TariffRule
    kind: str  # "text" (in place only), "ended" or "changed"
    effective_on: date | None = None
    new_version: TariffRule | None = None
    text: dict[str, Any] = field(default_factory=dict)


def tariff_rule_change_plan(
    *, rule: TariffRule, effective_from: date | None = None, **changes: Any
) -> RuleChangePlan:
    """Check a change and say how it will be written (nothing is saved).

    - ``legal_citation`` / ``source_note`` are edited in place.
    - An earlier (or first) ``valid_to`` alone closes the rule in place: kind ``ended``.
    - Any other change of rate, specific duty, basis or end date is a new version from
      ``effective_from`` (after the rule's start): the old row ends the day before.
    - Destination, origin, HS prefix, kind and valid-from never change: add a new rule.
    """
    unknown = set(changes) - set(TARIFF_RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields for TariffRule: {sorted(unknown)}")
    fixed = {
        name: "This cannot change on an existing rule; end it and add a new rule."
        for name in TARIFF_RULE_KEY_FIELDS
        if name in changes and str(changes[name]).replace(".", "") != str(getattr(rule, name))
    }
    if fixed:
        raise ValidationError(fixed)
    text = {
        name: changes[name]
        for name in TARIFF_RULE_TEXT_FIELDS
        if name in changes and changes[name] != getattr(rule, name)
    }
    figures = {
        name: changes[name]
        for name in TARIFF_RULE_VERSIONED_FIELDS
        if name in changes and changes[name] != getattr(rule, name)
    }
    plan = RuleChangePlan(rule=rule, kind="text", text=text)
    if not figures:
        if effective_from is not None and not text:
            raise ValidationError({"effective_from": "Nothing changes from this date."})
        return plan
    new_end = figures.get("valid_to", rule.valid_to)
    closes_only = (
        set(figures) == {"valid_to"}
        and new_end is not None
        and (rule.valid_to is None or new_end < rule.valid_to)
        and effective_from is None
    )
    if closes_only and new_end is not None:
        if new_end < rule.valid_from:
            raise ValidationError({"valid_to": "The rule would end before it starts."})
        plan.kind = "ended"
        plan.effective_on = new_end + timedelta(days=1)
        return plan
    if effective_from is None:
        raise ValidationError(
            {
                "effective_from": "Say from which date the new figures apply: the rule in "
                "force until then keeps its figures (quotes priced earlier used them)."
            }
        )
    if effective_from <= rule.valid_from:
        raise ValidationError(
            {
                "effective_from": f"The change must take effect after the rule's start "
                f"({rule.valid_from}); to replace the rule from its start, end it and add a new one."
            }
        )
    if rule.valid_to is not None and effective_from > rule.valid_to + timedelta(days=1):
        raise ValidationError(
            {"effective_from": f"The rule already ended on {rule.valid_to}; add a new rule."}
        )
    if new_end is not None and new_end < effective_from:
        raise ValidationError({"valid_to": "The new version would end before it starts."})
    new = TariffRule(
        **{
            name: getattr(rule, name)
            for name in (*TARIFF_RULE_FIELDS,)
            if name not in ("valid_from", "valid_to")
        }
    )
    for name, value in {**text, **figures}.items():
        setattr(new, name, value)
    new.valid_from, new.valid_to = effective_from, new_end
    new.previous_version = rule
    plan.kind, plan.effective_on, plan.new_version = "changed", effective_from, new
    return plan


def _plan_check(plan: RuleChangePlan) -> None:
    """Field and overlap checks of the rows a plan writes (with the old row closed)."""
    rule = plan.rule
    for name, value in plan.text.items():
        setattr(rule, name, value)
    if plan.kind == "ended":
        assert plan.effective_on is not None  # every "ended" plan has one
        rule.valid_to = plan.effective_on - timedelta(days=1)
    if plan.kind == "changed":
        assert plan.effective_on is not None and plan.new_version is not None  # ditto
        rule.valid_to = plan.effective_on - timedelta(days=1)
        rule.full_clean()
        new = plan.new_version
        new.full_clean(exclude=["previous_version"])
        clash = new.overlapping().exclude(pk=rule.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "effective_from": f"Another {clash.get_kind_display()} rule for "
                    f"{clash.destination} {clash.hs_prefix} is in force over part of the new "
                    f"version's period ({_period(clash)})."
                }
            )
    else:
        tariff_rule_check(rule=rule)


@transaction.atomic
def tariff_rule_change(
    *,
    rule: TariffRule,
    by: User | None = None,
    effective_from: date | None = None,
    **changes: Any,
) -> TariffRule:
    """Change a rule the way history allows (see ``tariff_rule_change_plan``). Returns the
    row in force after the change: the new version, or the same row."""
    rule = TariffRule.objects.select_for_update().get(pk=rule.pk)
    plan = tariff_rule_change_plan(rule=rule, effective_from=effective_from, **changes)
    _plan_check(plan)
    rule.save()
    if plan.kind == "ended":
        assert plan.effective_on is not None  # every "ended" plan has one
        _rules_changed(
            kind="ended", effective_on=plan.effective_on, added=[], removed=[rule], by=by
        )
        return rule
    if plan.kind == "changed":
        assert plan.effective_on is not None and plan.new_version is not None  # ditto
        new = plan.new_version
        new.verified_on, new.verified_by = (timezone.localdate(), by) if by else (None, None)
        new.save()
        _rules_changed(
            kind="changed", effective_on=plan.effective_on, added=[new], removed=[rule], by=by
        )
        return new
    return rule


def tariff_rule_update(*, rule: TariffRule, **fields: Any) -> TariffRule:
    """``tariff_rule_change`` without an effective date (text edits, ending a rule)."""
    return tariff_rule_change(rule=rule, **fields)


@transaction.atomic
def tariff_rule_verify(*, rule: TariffRule, by: User, on: date | None = None) -> TariffRule:
    """Record that ``by`` checked the rule against the official tariff (today by default)."""
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError({"verified_on": "A rule cannot be verified in the future."})
    rule = TariffRule.objects.select_for_update().get(pk=rule.pk)
    rule.verified_on, rule.verified_by = on, by
    rule.save(update_fields=["verified_on", "verified_by"])
    return rule
