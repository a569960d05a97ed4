"""The languages of what leaves the company, and number formats for their readers.

The rep-facing app is English. A buyer's documents, e-mails and the public acceptance page
are in the buyer's language: the contact's ``language`` when it is one we ship a catalogue
for (``settings.LANGUAGES``), else English. Callers render inside
``translation.override(language)`` with the language passed explicitly (a worker never
relies on ambient state); the ``amounts`` template filters then format for that reader.

English keeps the house format (``EUR 12,345.67``: an ISO code, unambiguous for every
reader); every other language formats with Babel's CLDR data (``1.099,98 €`` in German,
``￥1,100`` in Japanese, ``R$ 1.099,98`` in Brazilian Portuguese). The currency is never
converted: only its formatting follows the reader.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal
from django.conf import settings

ENGLISH = "en"

# Django language code -> Babel (CLDR) locale. English has none: the house format.
BABEL_LOCALES = {
    "de": "de_DE",
    "ja": "ja_JP",
    "ko": "ko_KR",
    "tr": "tr_TR",
    "pt-br": "pt_BR",
    "zh-hans": "zh_Hans_CN",
}


def buyer_languages() -> list[str]:
    """The codes we ship catalogues for, English first."""
    return [code for code, _name in settings.LANGUAGES]


def buyer_language(*, contact_language: str | None, override: str | None = None) -> str:
    """The language of a send: the rep's ``override`` if given, else the contact's.

    A regional or related code maps to the language we have (``de-at`` -> ``de``,
    ``pt`` -> ``pt-br``, ``zh-cn`` -> ``zh-hans``); a language we have no catalogue for
    (Dutch, Italian, Hindi) is English, the language of international trade documents.
    An unknown ``override`` raises ``ValueError``: a rep's explicit choice is never
    silently replaced.
    """
    supported = buyer_languages()
    if override:
        code = override.strip().lower()
        if code not in supported:
            raise ValueError(f"{override!r} is not one of {', '.join(supported)}")
        return code
    code = (contact_language or "").strip().lower().replace("_", "-")
    if code in supported:
        return code
    base = code.split("-")[0]
    for candidate in supported:
        if candidate.split("-")[0] == base:
            return candidate
    return ENGLISH


def babel_locale(language: str | None) -> str | None:
    """The CLDR locale for a language code; ``None`` for English (the house format)."""
    if not language:
        return None
    code = language.lower()
    return BABEL_LOCALES.get(code) or BABEL_LOCALES.get(code.split("-")[0])


def decimal_pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places > 0 else "")


def format_number(number: Decimal, *, places: int, locale: str) -> str:
    """``1234.5`` -> ``1.234,50`` (de_DE): the locale's separators, exactly ``places``
    decimals. ``number`` is already rounded by the caller."""
    return babel_format_decimal(
        number, format=decimal_pattern(places), locale=locale, decimal_quantization=True
    )


def format_money(number: Decimal, *, currency: str, locale: str) -> str:
    """``1099.98 EUR`` -> ``1.099,98 €`` (de_DE), ``1100 JPY`` -> ``￥1,100`` (ja_JP).

    CLDR's minor units per currency agree with the engine's table (JPY 0, KWD 3), and
    ``number`` is already rounded half-up to them by the caller."""
    return babel_format_currency(number, currency.upper(), locale=locale, numbering_system="latn")
