"""Parse the ECB euro foreign exchange reference rates XML and derive rates per USD.

The file (``eurofxref-daily.xml``, ``-hist-90d.xml`` or ``-hist.xml``) is a gesmes
envelope of ``<Cube time="YYYY-MM-DD">`` elements holding ``<Cube currency="USD"
rate="1.0845"/>`` rows: units of each currency per 1 EUR. mgtrade stores units per 1 USD:
``rate_per_usd(X) = EUR→X / EUR→USD``, ``EUR = 1 / EUR→USD``, ``USD = 1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.etree import ElementTree

MAX_BYTES = 20 * 1024 * 1024
RATE_PLACES = Decimal("0.00000001")  # ExchangeRate.rate_per_usd has 8 decimals
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class EcbFileError(ValueError):
    """The file is not a usable ECB reference-rate file."""


@dataclass(frozen=True)
class DerivedRate:
    currency: str
    on: date
    rate_per_usd: Decimal


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse(content: bytes) -> dict[date, dict[str, Decimal]]:
    """``{date: {currency: units per EUR}}``. DTDs and entities are refused outright."""
    if len(content) > MAX_BYTES:
        raise EcbFileError("The file is larger than 20 MB.")
    if _FORBIDDEN.search(content):
        raise EcbFileError("The file declares a DTD or entities; an ECB file never does.")
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise EcbFileError(f"Not well-formed XML: {exc}") from exc
    if _local(root.tag) != "Envelope":
        raise EcbFileError("Not an ECB gesmes envelope (root element is not Envelope).")
    days: dict[date, dict[str, Decimal]] = {}
    for cube in root.iter():
        if _local(cube.tag) != "Cube" or "time" not in cube.attrib:
            continue
        try:
            on = date.fromisoformat(cube.attrib["time"])
        except ValueError as exc:
            raise EcbFileError(f"Bad date {cube.attrib['time']!r}.") from exc
        rates = days.setdefault(on, {})
        for row in cube:
            if _local(row.tag) != "Cube":
                continue
            currency = row.attrib.get("currency", "")
            if not _CURRENCY.match(currency):
                raise EcbFileError(f"Bad currency code {currency!r} on {on}.")
            try:
                rate = Decimal(row.attrib.get("rate", ""))
            except InvalidOperation as exc:
                raise EcbFileError(f"Bad rate for {currency} on {on}.") from exc
            if not rate.is_finite() or rate <= 0:
                raise EcbFileError(f"Bad rate for {currency} on {on}.")
            rates[currency] = rate
    if not days:
        raise EcbFileError("No <Cube time=...> with rates found.")
    return days


def per_usd(days: dict[date, dict[str, Decimal]]) -> list[DerivedRate]:
    """Rates per USD for every day that has a USD rate (a day without one is an error)."""
    out = []
    for on in sorted(days):
        per_eur = days[on]
        usd = per_eur.get("USD")
        if usd is None:
            raise EcbFileError(f"No USD rate on {on}: rates per USD cannot be derived.")
        out.append(DerivedRate("USD", on, Decimal("1")))
        out.append(DerivedRate("EUR", on, (1 / usd).quantize(RATE_PLACES, ROUND_HALF_UP)))
        for currency, rate in sorted(per_eur.items()):
            if currency in {"USD", "EUR"}:
                continue
            out.append(DerivedRate(currency, on, (rate / usd).quantize(RATE_PLACES, ROUND_HALF_UP)))
    return out
