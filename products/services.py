from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mgtrade.accounts.models import User

from .models import Product, ProductPrice, SpecLimit

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
