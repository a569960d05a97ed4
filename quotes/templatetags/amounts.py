"""Number formatting for documents and pages: ``{% load amounts %}``.

``{{ amount|money:"EUR" }}`` -> ``EUR 12,345.67``; ``{{ amount|money:"JPY" }}`` ->
``JPY 1,234,568``: rounded half-up to the currency's minor units (the pricing engine's
``currency_minor_units``, so a page or PDF shows what the engine computed), comma thousands
separators, a no-break space after the code. ``{{ amount|amount:"JPY" }}`` is the number
alone (table cells under a currency heading). ``{{ qty|quantity }}`` -> ``1,250.000`` (MT,
3 decimals); ``{{ rate|percent }}`` -> ``5.3 %``.

Values are ``Decimal``, ``int`` or strings ``Decimal`` accepts; ``None`` and ``""`` print
nothing. Anything else (a float, "abc") raises ``ValueError``: a document with a wrong
amount must fail to render rather than be sent.

The format follows the active language (``mgtrade.i18n``): English, the app's language,
prints the house format above; a buyer's document rendered inside
``translation.override("de")`` prints ``1.099,98 €`` (Babel, CLDR).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language, gettext_lazy

from mgtrade.i18n import babel_locale, format_money, format_number
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


def rounded(value, places: int) -> Decimal | None:
    """``value`` half-up to ``places`` decimals, never ``-0``."""
    number = to_decimal(value)
    if number is None:
        return None
    number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return abs(number) if number == 0 else number


def format_decimal(value, places: int) -> str:
    """``1234567.5, 2`` -> ``1,234,567.50`` (half-up); ``1.234.567,50`` in German."""
    number = rounded(value, places)
    if number is None:
        return ""
    locale = babel_locale(get_language())
    if locale:
        return format_number(number, places=places, locale=locale)
    return f"{number:,.{places}f}"


@register.filter
def money(value, currency: str = "") -> str:
    """``EUR 12,345.67``; without a currency just the number to 2 decimals."""
    locale = babel_locale(get_language())
    if locale and currency:
        number = rounded(value, currency_minor_units(currency))
        return "" if number is None else format_money(number, currency=currency, locale=locale)
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
    places = max(0, -int(number.as_tuple().exponent))
    return f"{format_decimal(number, places)}{NBSP}%"


# The duty kinds as a buyer's document names them, in the active language (the catalogue's
# ``products.models.TariffKind`` labels, same keys, stay the rep's English).
DUTY_KIND_NAMES = {
    # Translators: the most-favoured-nation import duty; keep "MFN" if your trade uses it.
    "mfn": gettext_lazy("MFN duty"),
    "anti_dumping": gettext_lazy("Anti-dumping duty"),
    "countervailing": gettext_lazy("Countervailing duty"),
    "safeguard": gettext_lazy("Safeguard duty"),
    "retaliatory": gettext_lazy("Retaliatory tariff"),
    "other": gettext_lazy("Other duty"),
    # Translators: a customs processing fee charged once per import entry (US MPF).
    "entry_fee": gettext_lazy("Processing fee per entry"),
    # Translators: the US harbor maintenance fee on imports by sea.
    "port_fee": gettext_lazy("Harbor maintenance fee"),
}


@register.filter
def duty_kind(kind: str) -> str:
    """``anti_dumping`` -> ``Anti-dumping duty`` (``Antidumpingzoll`` in German): the
    catalogue's ``TariffKind`` labels in the active language, so the PDF and the pages name
    duties alike; unknown kinds are shown readably."""
    from products.models import TariffKind

    if kind in DUTY_KIND_NAMES:
        return str(DUTY_KIND_NAMES[kind])
    try:
        return str(TariffKind(kind).label)
    except ValueError:
        return (kind or "").replace("_", " ").capitalize()
