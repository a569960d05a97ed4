"""Number formatting for documents and pages: ``{% load amounts %}``.

``{{ amount|money:"EUR" }}`` -> ``EUR 12,345.67``; ``{{ amount|money:"JPY" }}`` ->
``JPY 1,234,568``: rounded half-up to the currency's minor units (the pricing engine's
``currency_minor_units``, so a page or PDF shows what the engine computed), comma thousands
separators, a no-break space after the code. ``{{ amount|amount:"JPY" }}`` is the number
alone (table cells under a currency heading). ``{{ qty|quantity }}`` -> ``1,250.000`` (MT,
3 decimals); ``{{ rate|percent }}`` -> ``5.3 %``.

Values are ``Decimal``, ``int`` or strings ``Decimal`` accepts; ``None`` and ``""`` print
nothing. Anything else (a float, "abc") raises ``ValueError``: a document with a wrong
amount must fail to render rather than be sent. No Babel: it is not installed and a table of
minor units is all these documents need.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from pricing.engine import currency_minor_units

register = template.Library()

NBSP = "\u00a0"


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (float, bool)):
        raise ValueError(f"refusing to format {value!r}: use Decimal, int or str for amounts")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def format_decimal(value, places: int) -> str:
    """``1234567.5, 2`` -> ``1,234,567.50`` (half-up)."""
    number = to_decimal(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    number = number.quantize(quantum, ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # no "-0.00"
    return f"{number:,.{places}f}"


@register.filter
def money(value, currency: str = "") -> str:
    """``EUR 12,345.67``; without a currency just the number to 2 decimals."""
    text = amount(value, currency)
    if not text or not currency:
        return text
    return f"{currency.upper()}{NBSP}{text}"


@register.filter
def amount(value, currency: str = "") -> str:
    """``12,345.67``; ``1,234,568`` for JPY: ``money`` without the code."""
    return format_decimal(value, currency_minor_units(currency))


@register.filter
def quantity(value, places: int = 3) -> str:
    """Metric tonnes: ``1,250.000``."""
    return format_decimal(value, int(places))


@register.filter
def percent(value) -> str:
    """``Decimal("5.30")`` -> ``5.3 %``; ``Decimal("108.26")`` -> ``108.26 %``."""
    number = to_decimal(value)
    if number is None:
        return ""
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f}{NBSP}%"


@register.filter
def duty_kind(kind: str) -> str:
    """``anti_dumping`` -> ``Anti-dumping duty``: the catalogue's ``TariffKind`` labels, so
    the PDF and the pages name duties alike; unknown kinds are shown readably."""
    from products.models import TariffKind

    try:
        return str(TariffKind(kind).label)
    except ValueError:
        return (kind or "").replace("_", " ").capitalize()
