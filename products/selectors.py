from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from .models import Product, ProductPrice, SpecLimit


def _price_in_force(on: date) -> Subquery:
    return Subquery(
        ProductPrice.objects.filter(product=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("usd_per_mt")[:1]
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
    """Products by code with ``list_price`` in force on ``on``, in one query."""
    codes = {c.upper() for c in codes}
    return {
        p.code: p
        for p in Product.objects.filter(code__in=codes).annotate(list_price=_price_in_force(on))
    }
