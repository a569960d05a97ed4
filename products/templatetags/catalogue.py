from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_decimal(value: Decimal | None) -> str:
    """8.5000 → 8.5, 0.0050 → 0.005, None → —, never scientific notation."""
    if value is None:
        return "—"
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def tariff_kind(code: str) -> str:
    """mfn → MFN duty, anti_dumping → Anti-dumping duty (the TariffKind labels)."""
    from products.models import TariffKind

    try:
        return TariffKind(code).label
    except ValueError:
        return code
