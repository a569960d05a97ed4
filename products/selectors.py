from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .customs import tariff_destinations
from .models import (
    ExchangeRate,
    FreightRate,
    Port,
    Product,
    ProductPrice,
    SpecLimit,
    TariffRule,
)


def _price_in_force(on: date, column: str = "usd_per_mt") -> Subquery:
    return Subquery(
        ProductPrice.objects.filter(product=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from")
        .values(column)[:1]
    )


def product_list(*, on: date | None = None, active_only: bool = False) -> QuerySet[Product]:
    """Products with ``list_price`` (in force on ``on``, default today) and their spec rows."""
    on = on or timezone.localdate()
    qs = Product.objects.annotate(list_price=_price_in_force(on)).prefetch_related(
        Prefetch("spec_limits", queryset=SpecLimit.objects.order_by("position", "id"))
    )
    return qs.filter(active=True) if active_only else qs


def product_get(*, code: str, on: date | None = None) -> Product:
    return product_list(on=on).get(code=code.upper())


def product_price_on(*, product: Product, on: date) -> Decimal | None:
    """The list price in force on a date: the latest one effective on or before it."""
    price = (
        ProductPrice.objects.filter(product=product, effective_from__lte=on)
        .order_by("-effective_from")
        .values_list("usd_per_mt", flat=True)
        .first()
    )
    return price


def product_price_history(*, product: Product) -> QuerySet[ProductPrice]:
    return product.prices.select_related("created_by").order_by("-effective_from")


def products_for_pricing(*, codes: Iterable[str], on: date) -> dict[str, Product]:
    """Products by code with ``list_price`` in force on ``on`` and its date
    (``list_price_from``), in one query."""
    codes = {c.upper() for c in codes}
    return {
        p.code: p
        for p in Product.objects.filter(code__in=codes).annotate(
            list_price=_price_in_force(on),
            list_price_from=_price_in_force(on, "effective_from"),
        )
    }


# ---------------------------------------------------------------- reference data for pricing


def port_list() -> QuerySet[Port]:
    return Port.objects.order_by("code")


def ports_by_code(*, codes: Iterable[str]) -> dict[str, Port]:
    """Ports by UN/LOCODE, in one query."""
    return {p.code: p for p in Port.objects.filter(code__in={c.upper() for c in codes})}


def freight_rate_list() -> QuerySet[FreightRate]:
    return FreightRate.objects.select_related("origin_port", "destination_port")


def freight_rate_in_force(
    *, origin: Port, destination: Port, on: date, container_type: str = "20GP"
) -> FreightRate | None:
    """The rate for a route and container in force on a date (periods never overlap)."""
    return (
        FreightRate.objects.filter(
            origin_port=origin,
            destination_port=destination,
            container_type=container_type,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("currency", "-date")


def exchange_rate_on(*, currency: str, on: date) -> ExchangeRate | None:
    """The latest rate dated on or before ``on``."""
    return (
        ExchangeRate.objects.filter(currency=currency.upper(), date__lte=on)
        .order_by("-date")
        .first()
    )


def exchange_rate_currencies() -> list[str]:
    return list(
        ExchangeRate.objects.order_by("currency").values_list("currency", flat=True).distinct()
    )


def tariff_rule_list() -> QuerySet[TariffRule]:
    return TariffRule.objects.order_by("destination", "hs_prefix", "kind", "-valid_from")


def tariff_rules_candidates(
    *, destination_country: str, origin_country: str
) -> QuerySet[TariffRule]:
    """Rules that may apply to goods from ``origin_country`` imported into
    ``destination_country`` (its own and, for a member state, the EU's), in every period.
    The engine picks those in force and matching each line's HS code."""
    return TariffRule.objects.filter(
        destination__in=tariff_destinations(destination_country), origin_country=origin_country
    ).order_by("destination", "hs_prefix", "kind", "valid_from", "pk")
