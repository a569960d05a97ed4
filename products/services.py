from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

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
    "valid_from",
    "valid_to",
    "reference",
    "note",
)


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


@transaction.atomic
def tariff_rule_create(**fields: Any) -> TariffRule:
    rule = TariffRule()
    _assign(rule, TARIFF_RULE_FIELDS, fields)
    tariff_rule_check(rule=rule)
    rule.save()
    return rule


@transaction.atomic
def tariff_rule_update(*, rule: TariffRule, **fields: Any) -> TariffRule:
    _assign(rule, TARIFF_RULE_FIELDS, fields)
    tariff_rule_check(rule=rule)
    rule.save()
    return rule
