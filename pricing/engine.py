"""The pricing engine: the rules of ``docs/pricing.md``, exactly.

Pure Python: plain frozen dataclasses in and out, ``Decimal`` throughout, no Django, no
settings, no I/O. ``pricing.inputs`` gathers the input; callers store or show the output
(``PricingResult.to_dict()`` is the API's JSON shape and what a quote stores).

``price()`` runs the steps of ``docs/pricing.md`` in order, one function each: goods
value, freight, insurance, customs value, duties, origin deduction, destination charges,
tariff absorption, the quote total, the landed cost, and the conversion to the quote's
currency.

Rounding: intermediate values keep full precision; each reported amount is rounded
half-up to cents once; totals are sums of reported amounts. Quote-currency components
are the reported USD components converted and rounded one by one.

Interpretations of points the rules leave open (documented in ``docs/pricing.md``):
- ``goods_value`` (reported) is the sum of the rounded line goods values; freight shares,
  insurance and customs values use the unrounded line goods values.
- A rule's ``valid_to`` is the last day it is in force (inclusive).
- Tariff absorption is taken from the full-precision total of the absorbable duties.
- Quote-currency amounts are rounded to the currency's minor unit (ISO 4217): cents for
  most, whole units for JPY and KRW, so a yen quote adds up on paper too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeVar, cast

from products.customs import (
    DUTY_BASES,
    EU_MEMBER_STATES,
    FEE_KINDS,
    INCOTERMS,
    TARIFF_KINDS,
    tariff_destinations,
)

__all__ = [
    "ABSORBABLE_KINDS",
    "BASES",
    "COMPONENT_LABELS",
    "EU_MEMBER_STATES",
    "INCOTERMS",
    "TARIFF_KINDS",
    "ComponentLabel",
    "Components",
    "DocumentLine",
    "DutyLine",
    "FreightData",
    "LineInput",
    "LineResult",
    "PortData",
    "PricingError",
    "PricingInput",
    "PricingResult",
    "TariffRuleData",
    "allocate",
    "check_line",
    "check_terms",
    "currency_minor_units",
    "currency_quantum",
    "document_lines",
    "fob_from_term_price",
    "named_place_port",
    "parse_decimal",
    "price",
    "term_price_from_fob",
    "total_composition",
    "with_netback",
]

BASES = DUTY_BASES

ZERO = Decimal("0")
CENT = Decimal("0.01")
MT3 = Decimal("0.001")
HUNDRED = Decimal("100")
PCT = Decimal("0.01")
INSURED_FACTOR = Decimal("1.1")
MAX_QUANTITY_MT = Decimal("100000")


class _Composition(NamedTuple):
    """Which components the seller pays under an Incoterm (so the quote total has them)."""

    origin_deduction: bool  # EXW: the origin port's charges come off
    freight: bool
    insurance: bool
    destination: bool  # the destination port's charges
    duties: bool
    absorption: bool  # tariff absorption may come off (not under DDP)


_COMPOSITION: dict[str, _Composition] = {
    "EXW": _Composition(True, False, False, False, False, True),
    "FCA": _Composition(False, False, False, False, False, True),
    "FOB": _Composition(False, False, False, False, False, True),
    "CFR": _Composition(False, True, False, False, False, True),
    "CPT": _Composition(False, True, False, False, False, True),
    "CIF": _Composition(False, True, True, False, False, True),
    "CIP": _Composition(False, True, True, False, False, True),
    "DAP": _Composition(False, True, True, True, False, True),
    "DPU": _Composition(False, True, True, True, False, True),
    "DDP": _Composition(False, True, True, True, True, False),
}


# pricing.md v2, step 8: anti-dumping and countervailing duty lines are never absorbed (an
# exporter paying the importer's AD/CVD duty is reimbursing it, 19 CFR 351.402(f)).
# pricing.md v2, Errors: these terms are priced without a freight rate (landed cost unknown).
FREIGHT_OPTIONAL = frozenset({"EXW", "FCA", "FOB"})
ABSORBABLE_KINDS = frozenset({"mfn", "safeguard", "retaliatory", "other"})
# Import fees (US MPF, HMF) are the buyer's cost of entry, never absorbed, never warned of.
NEVER_ABSORBED_KINDS = frozenset({"anti_dumping", "countervailing"})


def total_composition(incoterm: str) -> dict[str, int]:
    """How each component enters the quote total under an Incoterm: +1, -1 or 0."""
    c = _COMPOSITION[incoterm]
    return {
        "goods_value": 1,
        "origin_deduction": -1 if c.origin_deduction else 0,
        "freight": 1 if c.freight else 0,
        "insurance": 1 if c.insurance else 0,
        "duties": 1 if c.duties else 0,
        "destination_charges": 1 if c.destination else 0,
        "tariff_absorption": -1 if c.absorption else 0,
    }


class ComponentLabel(NamedTuple):
    key: str  # a ``Components`` field
    label: str
    landed: int  # how the buyer's landed cost takes it: +1, -1 or 0


# The one wording of the components, in the order every breakdown shows them: the
# calculator, the quote builder and page, and the quote's PDF.
COMPONENT_LABELS: tuple[ComponentLabel, ...] = (
    ComponentLabel("goods_value", "Goods value", 1),
    ComponentLabel("origin_deduction", "Origin charges", 0),
    ComponentLabel("freight", "Ocean freight", 1),
    ComponentLabel("insurance", "Insurance", 1),
    ComponentLabel("duties", "Import duties", 1),
    ComponentLabel("destination_charges", "Destination charges", 0),
    ComponentLabel("tariff_absorption", "Tariff absorbed by the seller", -1),
)


def _r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


# ISO 4217 minor units that differ from 2 (currencies a buyer may be quoted in).
CURRENCY_MINOR_UNITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "KWD": 3, "BHD": 3}


def currency_minor_units(currency: str) -> int:
    """Decimal places of a currency's amounts: 2 for EUR, 0 for JPY, 3 for KWD."""
    return CURRENCY_MINOR_UNITS.get((currency or "").upper(), 2)


def currency_quantum(currency: str) -> Decimal:
    """The smallest amount of a currency: 0.01 for EUR, 1 for JPY."""
    return Decimal(1).scaleb(-currency_minor_units(currency))


def parse_decimal(value: Any) -> Decimal | None:
    """A finite ``Decimal`` from a Decimal, string or number; ``None`` for anything else
    (text that is not a number, NaN, infinity). The one parser of pricing input."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


class PricingError(Exception):
    """Invalid pricing input. ``errors`` maps fields to messages, DRF-style.

    Line errors are nested: ``{"lines": [{}, {"quantity_mt": ["..."]}]}`` (one dict per
    line, empty for a valid line); errors about the lines as a whole are a list of strings
    under ``lines``.
    """

    def __init__(self, errors: dict[str, Any]):
        super().__init__(errors)
        self.errors = errors

    def flat(self) -> dict[str, list[str]]:
        """``{"lines[1].quantity_mt": [...], "incoterm": [...]}``: for forms and logs."""
        out: dict[str, list[str]] = {}
        for key, value in self.errors.items():
            if key == "lines" and value and isinstance(value[0], dict):
                for i, line_errors in enumerate(value):
                    for name, messages in line_errors.items():
                        out[f"lines[{i}].{name}"] = list(messages)
            else:
                out[key] = list(value)
        return out


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class PortData:
    code: str
    country: str  # ISO 3166-1 alpha-2
    origin_charges_usd_per_mt: Decimal = ZERO
    destination_charges_usd_per_mt: Decimal = ZERO
    name: str = ""


@dataclass(frozen=True, slots=True)
class FreightData:
    usd_per_container: Decimal
    mt_per_container: Decimal
    container_type: str = "20GP"
    transport_mode: str = "ocean"  # how the lane ships: a rule may apply to one mode only


@dataclass(frozen=True, slots=True)
class TariffRuleData:
    destination: str  # ISO country code or "EU"
    hs_prefix: str  # digits, e.g. "810411"
    kind: str  # one of TARIFF_KINDS
    rate_percent: Decimal
    basis: str  # "CIF" or "FOB"
    origin_country: str = "CN"
    specific_usd_per_mt: Decimal = ZERO
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive; None: open
    reference: str = ""
    id: int | None = None
    # per-entry fees (kind "entry_fee", e.g. US MPF): the quote's fee (one customs entry)
    # is at least / at most this, shared over the lines pro rata to their raw fee
    min_usd_per_entry: Decimal | None = None
    max_usd_per_entry: Decimal | None = None
    # "" applies whatever the mode; "ocean" (e.g. the US harbor maintenance fee) only when
    # the quote's lane ships by sea (``transport_mode``)
    transport_mode: str = ""


@dataclass(frozen=True, slots=True)
class LineInput:
    product: str  # grade code
    hs_code: str
    quantity_mt: Decimal
    unit_price_usd_per_mt: Decimal
    discount_percent: Decimal = ZERO
    name: str = ""
    # Netback: the price per MT in the quote currency on the quote's Incoterm basis; when
    # set, ``unit_price_usd_per_mt`` is derived from it (``netback``) and ignored here.
    term_price_per_mt: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PricingInput:
    quote_date: date
    incoterm: str
    origin_port: PortData
    destination_port: PortData
    freight: FreightData | None  # v2: None (no rate on the lane) is allowed for EXW/FCA/FOB
    currency: str
    fx_rate: Decimal  # units of ``currency`` per 1 USD
    lines: tuple[LineInput, ...]
    tariff_rules: tuple[TariffRuleData, ...] = ()
    insurance_rate_percent: Decimal = Decimal("0.15")
    tariff_absorption_percent: Decimal = ZERO


# ---------------------------------------------------------------- outputs


def _s(value: Decimal, places: Decimal) -> str:
    return str(value.quantize(places, ROUND_HALF_UP))


def _fx_str(value: Decimal) -> str:
    """At least 4 decimals ("0.9250"), more when the rate has them ("0.92503412")."""
    value = value.normalize()
    if cast(int, value.as_tuple().exponent) > -4:  # a finite rate: an int exponent
        value = value.quantize(Decimal("0.0001"))
    return f"{value:f}"


def _rate_str(value: Decimal) -> str:
    """A rate in percent: two decimals ("5.30"), four when it has them ("0.3464", MPF)."""
    return _s(value, CENT) if value == value.quantize(CENT) else _s(value, Decimal("0.0001"))


_T = TypeVar("_T")


def _frozen_new(cls: type[_T], values: dict[str, Any]) -> _T:
    """Build a frozen (dict-based) dataclass instance without its generated ``__init__``.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, which
    halved the engine's throughput for the many duty and line results of a quote; the
    values here come straight from validated inputs, so nothing is skipped but the cost.
    """
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    return obj


@dataclass(frozen=True)
class DutyLine:
    kind: str
    destination: str
    origin_country: str
    hs_prefix: str
    rate_percent: Decimal
    specific_usd_per_mt: Decimal
    basis: str
    customs_value: Decimal  # reported (rounded)
    amount: Decimal  # reported (rounded)
    reference: str
    rule_id: int | None = None
    # the rule's per-entry limits and transport mode, kept with the snapshot so a quote
    # re-priced from it (tariff watch) applies the rule as it was; stored only when set
    min_usd_per_entry: Decimal | None = None
    max_usd_per_entry: Decimal | None = None
    transport_mode: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "destination": self.destination,
            "origin_country": self.origin_country,
            "hs_prefix": self.hs_prefix,
            "rate_percent": _rate_str(self.rate_percent),
            "specific_usd_per_mt": _s(self.specific_usd_per_mt, CENT),
            "basis": self.basis,
            "customs_value": _s(self.customs_value, CENT),
            "amount": _s(self.amount, CENT),
            "reference": self.reference,
            "rule_id": self.rule_id,
        }
        if self.min_usd_per_entry is not None:
            out["min_usd_per_entry"] = _s(self.min_usd_per_entry, CENT)
        if self.max_usd_per_entry is not None:
            out["max_usd_per_entry"] = _s(self.max_usd_per_entry, CENT)
        if self.transport_mode:
            out["transport_mode"] = self.transport_mode
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DutyLine:
        return cls(
            kind=data["kind"],
            destination=data["destination"],
            origin_country=data.get("origin_country", "CN"),
            hs_prefix=data.get("hs_prefix", ""),
            rate_percent=Decimal(data["rate_percent"]),
            specific_usd_per_mt=Decimal(data["specific_usd_per_mt"]),
            basis=data["basis"],
            customs_value=Decimal(data["customs_value"]),
            amount=Decimal(data["amount"]),
            reference=data.get("reference", ""),
            rule_id=data.get("rule_id"),
            min_usd_per_entry=_optional_decimal(data.get("min_usd_per_entry")),
            max_usd_per_entry=_optional_decimal(data.get("max_usd_per_entry")),
            transport_mode=data.get("transport_mode", ""),
        )


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


@dataclass(frozen=True)
class LineResult:
    product: str
    name: str
    hs_code: str
    quantity_mt: Decimal
    unit_price_usd_per_mt: Decimal
    discount_percent: Decimal
    goods_value: Decimal  # reported (rounded), USD
    duties: tuple[DutyLine, ...]
    duties_total: Decimal  # sum of the duty lines' amounts, USD
    term_price_per_mt: Decimal | None = None  # netback: the price entered (quote currency)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "product": self.product,
            "name": self.name,
            "hs_code": self.hs_code,
            "quantity_mt": _s(self.quantity_mt, MT3),
            "unit_price_usd_per_mt": _s(self.unit_price_usd_per_mt, CENT),
            "discount_percent": _s(self.discount_percent, CENT),
            "goods_value": _s(self.goods_value, CENT),
            "duties": [d.to_dict() for d in self.duties],
            "duties_total": _s(self.duties_total, CENT),
        }
        if self.term_price_per_mt is not None:  # netback lines only: older shapes unchanged
            data["term_price_per_mt"] = str(self.term_price_per_mt)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineResult:
        duties = tuple(DutyLine.from_dict(d) for d in data["duties"])
        return cls(
            product=data["product"],
            name=data.get("name", ""),
            hs_code=data["hs_code"],
            quantity_mt=Decimal(data["quantity_mt"]),
            unit_price_usd_per_mt=Decimal(data["unit_price_usd_per_mt"]),
            discount_percent=Decimal(data["discount_percent"]),
            goods_value=Decimal(data["goods_value"]),
            duties=duties,
            duties_total=Decimal(data.get("duties_total") or sum((d.amount for d in duties), ZERO)),
            term_price_per_mt=(
                None
                if data.get("term_price_per_mt") is None
                else Decimal(data["term_price_per_mt"])
            ),
        )


COMPONENT_KEYS = (
    "goods_value",
    "origin_deduction",
    "freight",
    "insurance",
    "duties",
    "destination_charges",
    "tariff_absorption",
    "quote_total",
    "landed_cost",
    "landed_cost_per_mt",
)


@dataclass(frozen=True, slots=True)
class Components:
    """Quote-level amounts in one currency, all rounded to cents.

    ``destination_charges`` is what the seller pays (DAP/DPU/DDP only);
    ``destination_port_charges`` is the port's charges that the landed cost always includes.
    ``origin_deduction`` and ``tariff_absorption`` are positive amounts that the total subtracts.
    """

    goods_value: Decimal
    origin_deduction: Decimal
    freight: Decimal
    insurance: Decimal
    duties: Decimal
    destination_charges: Decimal
    tariff_absorption: Decimal
    quote_total: Decimal
    landed_cost: Decimal | None  # None: unknown (v2: no freight rate on the lane)
    landed_cost_per_mt: Decimal | None
    destination_port_charges: Decimal
    quantum: Decimal = CENT  # the currency's smallest unit; amounts are rounded to it

    def to_dict(self) -> dict[str, str | None]:
        return {
            key: None if (value := getattr(self, key)) is None else _s(value, self.quantum)
            for key in (*COMPONENT_KEYS, "destination_port_charges")
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], quantum: Decimal = CENT) -> Components:
        # None only for the landed cost fields (unknown), as to_dict wrote them
        values: dict[str, Any] = {
            key: None if (value := data.get(key, "0")) is None else Decimal(value)
            for key in (*COMPONENT_KEYS, "destination_port_charges")
        }
        return cls(
            **values,
            quantum=quantum,
        )


@dataclass(frozen=True, slots=True)
class PricingResult:
    quote_date: date
    incoterm: str
    origin_port: str
    destination_port: str
    origin_country: str
    destination_country: str
    currency: str
    fx_rate: Decimal
    insurance_rate_percent: Decimal
    tariff_absorption_percent: Decimal
    containers: int
    total_quantity_mt: Decimal
    freight_usd_per_container: Decimal
    mt_per_container: Decimal
    lines: tuple[LineResult, ...]
    usd: Components
    quote_currency: Components
    warnings: tuple[str, ...] = field(default=())

    @property
    def duty_lines(self) -> list[DutyLine]:
        return [d for line in self.lines for d in line.duties]

    def to_dict(self) -> dict[str, Any]:
        """The preview API's JSON shape (Decimals as strings), also what a quote stores."""
        return {
            "quote_date": self.quote_date.isoformat(),
            "incoterm": self.incoterm,
            "origin_port": self.origin_port,
            "destination_port": self.destination_port,
            "origin_country": self.origin_country,
            "destination_country": self.destination_country,
            "currency": self.currency,
            "fx_rate": _fx_str(self.fx_rate),
            "insurance_rate_percent": str(self.insurance_rate_percent),
            "tariff_absorption_percent": str(self.tariff_absorption_percent),
            "containers": self.containers,
            "total_quantity_mt": _s(self.total_quantity_mt, MT3),
            "freight_usd_per_container": _s(self.freight_usd_per_container, CENT),
            "mt_per_container": _s(self.mt_per_container, MT3),
            "lines": [line.to_dict() for line in self.lines],
            "usd": self.usd.to_dict(),
            "quote_currency": self.quote_currency.to_dict(),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PricingResult:
        return cls(
            quote_date=date.fromisoformat(data["quote_date"]),
            incoterm=data["incoterm"],
            origin_port=data["origin_port"],
            destination_port=data["destination_port"],
            origin_country=data.get("origin_country", "CN"),
            destination_country=data["destination_country"],
            currency=data["currency"],
            fx_rate=Decimal(data["fx_rate"]),
            insurance_rate_percent=Decimal(data.get("insurance_rate_percent", "0")),
            tariff_absorption_percent=Decimal(data.get("tariff_absorption_percent", "0")),
            containers=int(data["containers"]),
            total_quantity_mt=Decimal(data["total_quantity_mt"]),
            freight_usd_per_container=Decimal(data.get("freight_usd_per_container", "0")),
            mt_per_container=Decimal(data.get("mt_per_container", "0")),
            lines=tuple(LineResult.from_dict(line) for line in data["lines"]),
            usd=Components.from_dict(data["usd"]),
            quote_currency=Components.from_dict(
                data["quote_currency"], quantum=currency_quantum(data["currency"])
            ),
            warnings=tuple(data.get("warnings", ())),
        )


# ---------------------------------------------------------------- validation


def check_terms(
    *,
    incoterm: str,
    origin_port: str,
    destination_port: str,
    insurance_rate_percent: Decimal,
    tariff_absorption_percent: Decimal,
) -> dict[str, list[str]]:
    """Errors in the quote-level terms (empty dict when valid)."""
    errors: dict[str, list[str]] = {}
    if incoterm not in INCOTERMS:
        errors["incoterm"] = [f"Unknown Incoterm {incoterm!r}; use one of {', '.join(INCOTERMS)}."]
    if origin_port and destination_port and origin_port == destination_port:
        errors["destination_port"] = ["The destination port must differ from the origin port."]
    insurance = parse_decimal(insurance_rate_percent)
    if insurance is None or not ZERO <= insurance <= HUNDRED:
        errors["insurance_rate_percent"] = ["The insurance rate must be between 0 and 100 %."]
    absorption = parse_decimal(tariff_absorption_percent)
    if absorption is None or not ZERO <= absorption <= HUNDRED:
        errors["tariff_absorption_percent"] = ["Tariff absorption must be between 0 and 100 %."]
    elif incoterm == "DDP" and absorption > ZERO:
        errors["tariff_absorption_percent"] = [
            "Under DDP the seller already pays the duties: tariff absorption must be 0."
        ]
    return errors


def check_line(
    *, quantity_mt: Decimal, unit_price_usd_per_mt: Decimal | None, discount_percent: Decimal
) -> dict[str, list[str]]:
    """Errors in one line's figures (empty dict when valid)."""
    errors: dict[str, list[str]] = {}
    qty = parse_decimal(quantity_mt)
    if qty is None or qty <= ZERO:
        errors["quantity_mt"] = ["The quantity must be more than 0 MT."]
    elif qty > MAX_QUANTITY_MT:
        errors["quantity_mt"] = ["The quantity must be at most 100,000 MT."]
    if unit_price_usd_per_mt is not None:
        unit = parse_decimal(unit_price_usd_per_mt)
        if unit is None or unit < ZERO:
            errors["unit_price_usd_per_mt"] = ["The unit price must not be negative."]
    discount = parse_decimal(discount_percent)
    if discount is None or not ZERO <= discount <= HUNDRED:
        errors["discount_percent"] = ["The discount must be between 0 and 100 %."]
    return errors


def _lines_plausible(lines: tuple[LineInput, ...]) -> bool:
    for line in lines:
        if not (
            ZERO < line.quantity_mt <= MAX_QUANTITY_MT
            and ZERO <= line.discount_percent <= HUNDRED
            and line.unit_price_usd_per_mt >= ZERO
        ):
            return False
    return True


def _plausible(inp: PricingInput) -> bool:
    """The checks of ``_validate`` as one fast test: whether the input is certainly valid
    (the full checks, which name every error, run only when it is not)."""
    try:
        return (
            bool(inp.lines)
            and inp.incoterm in _COMPOSITION
            and _lines_plausible(inp.lines)
            and ZERO <= inp.tariff_absorption_percent <= HUNDRED
            and not (inp.incoterm == "DDP" and inp.tariff_absorption_percent)
            and ZERO <= inp.insurance_rate_percent <= HUNDRED
            and inp.origin_port.code != inp.destination_port.code
            and inp.freight is not None
            and inp.freight.mt_per_container > ZERO
            and inp.freight.usd_per_container >= ZERO
            and inp.fx_rate > ZERO
        )
    except (TypeError, ArithmeticError):  # NaN (InvalidOperation) or not a Decimal
        return False


def _validate(inp: PricingInput) -> None:
    errors: dict[str, Any] = check_terms(
        incoterm=inp.incoterm,
        origin_port=inp.origin_port.code,
        destination_port=inp.destination_port.code,
        insurance_rate_percent=inp.insurance_rate_percent,
        tariff_absorption_percent=inp.tariff_absorption_percent,
    )
    if not inp.lines:
        errors["lines"] = ["Add at least one line."]
    else:
        line_errors = [
            check_line(
                quantity_mt=line.quantity_mt,
                unit_price_usd_per_mt=line.unit_price_usd_per_mt,
                discount_percent=line.discount_percent,
            )
            for line in inp.lines
        ]
        if any(line_errors):
            errors["lines"] = line_errors
    if inp.freight is None:
        if inp.incoterm not in FREIGHT_OPTIONAL:
            errors.setdefault("destination_port", []).append(
                f"No freight rate for this route: {inp.incoterm} needs one "
                "(EXW, FCA and FOB are priced without)."
            )
    elif inp.freight.mt_per_container <= ZERO or inp.freight.usd_per_container < ZERO:
        errors.setdefault("destination_port", []).append(
            "The freight rate for this route is unusable (MT per container must be positive)."
        )
    if inp.fx_rate <= ZERO:
        errors["currency"] = [f"The exchange rate for {inp.currency} must be positive."]
    if errors:
        raise PricingError(errors)


# ---------------------------------------------------------------- rule matching


def transport_mode(inp: PricingInput) -> str:
    """How the quote's goods travel: its freight lane's mode; ocean when the lane has no
    freight rate (v2: EXW/FCA/FOB), the quote's ports being sea ports."""
    return inp.freight.transport_mode if inp.freight is not None else "ocean"


def _rules_in_force(inp: PricingInput) -> list[tuple[str, TariffRuleData]]:
    """The rules for the destination (its own and, for a member state, the EU's) and the
    origin, in force on the quote date (``valid_to`` inclusive) and for the lane's
    transport mode (a rule without a mode applies to every mode), each with its HS prefix
    as digits. Which lines a rule covers is decided per HS code (``_rules_for_hs``)."""
    destinations = tariff_destinations(inp.destination_port.country)
    origin = inp.origin_port.country
    on = inp.quote_date
    mode = transport_mode(inp)
    return [
        (rule.hs_prefix.replace(".", ""), rule)
        for rule in inp.tariff_rules
        if rule.destination in destinations
        and rule.origin_country == origin
        and (rule.valid_from is None or rule.valid_from <= on)
        and (rule.valid_to is None or on <= rule.valid_to)
        and (not rule.transport_mode or rule.transport_mode == mode)
    ]


def _rules_for_hs(
    rules: list[tuple[str, TariffRuleData]], hs_code: str
) -> list[tuple[TariffRuleData, Decimal]]:
    """The rules in force whose HS prefix starts the line's HS code (dots ignored), each
    with its ad valorem rate as a fraction. Rules stack: every match applies."""
    hs_digits = hs_code.replace(".", "")
    return [
        (rule, rule.rate_percent * PCT) for prefix, rule in rules if hs_digits.startswith(prefix)
    ]


# ---------------------------------------------------------------- the steps (docs/pricing.md)


def goods_value(line: LineInput) -> Decimal:
    """1. A line's goods value, full precision: quantity × unit price × (1 − discount)."""
    return line.quantity_mt * line.unit_price_usd_per_mt * (HUNDRED - line.discount_percent) * PCT


def freight_cost(freight: FreightData | None, total_qty: Decimal) -> tuple[int, Decimal]:
    """2. Containers (total MT ÷ MT per container, rounded up) and their freight. Without
    a rate on the lane (v2: EXW/FCA/FOB only), none: the landed cost is then unknown."""
    if freight is None:
        return 0, ZERO
    full, rest = divmod(total_qty, freight.mt_per_container)
    containers = int(full) + (1 if rest else 0)
    return containers, containers * freight.usd_per_container


def insured_rate(insurance_rate_percent: Decimal) -> Decimal:
    """3. The share of goods + freight that insurance costs: 110 % × the rate."""
    return INSURED_FACTOR * insurance_rate_percent * PCT


def customs_value_cif(goods: Decimal, freight_share: Decimal, cif_factor: Decimal) -> Decimal:
    """4. A line's CIF customs value: goods + its freight share + its insurance share.

    Insurance is shared pro rata to goods + freight share, so a line's share is exactly
    (goods + freight share) × insured rate and the value is (goods + freight share) ×
    ``cif_factor`` (1 + insured rate). A FOB customs value is the goods value alone.
    """
    return (goods + freight_share) * cif_factor


def duty_amount(customs_value: Decimal, rate: Decimal, specific: Decimal, qty: Decimal) -> Decimal:
    """5. One rule's duty on a line, full precision: ad valorem + specific per MT."""
    return customs_value * rate + specific * qty if specific else customs_value * rate


def origin_deduction(port: PortData, total_qty: Decimal) -> Decimal:
    """6. EXW: the origin port's charges, which the seller no longer pays (reported)."""
    return _r2(port.origin_charges_usd_per_mt * total_qty)


def destination_port_charges(port: PortData, total_qty: Decimal) -> Decimal:
    """7. The destination port's charges (reported): the seller's under DAP/DPU/DDP, and
    always in the buyer's landed cost."""
    return _r2(port.destination_charges_usd_per_mt * total_qty)


def tariff_absorption(absorbable_raw_total: Decimal, absorption_percent: Decimal) -> Decimal:
    """8. The share of the buyer's duties the seller absorbs, from the full-precision total
    of the absorbable duty lines (v2: anti-dumping and countervailing duties never are)."""
    return _r2(absorbable_raw_total * absorption_percent * PCT)


class _Amounts(NamedTuple):
    """The reported base amounts of a quote in one currency, before totals."""

    goods_value: Decimal
    origin_deduction: Decimal
    freight: Decimal
    insurance: Decimal
    duties: Decimal
    port_charges: Decimal
    absorption: Decimal


def quote_total(amounts: _Amounts, composition: _Composition) -> Decimal:
    """9. The quote total under an Incoterm: the goods value and what the seller pays."""
    total = amounts.goods_value - amounts.origin_deduction - amounts.absorption
    if composition.freight:
        total += amounts.freight
    if composition.insurance:
        total += amounts.insurance
    if composition.destination:
        total += amounts.port_charges
    if composition.duties:
        total += amounts.duties
    return total


def landed_cost(amounts: _Amounts) -> Decimal:
    """10. The buyer's landed cost, whatever the Incoterm: goods, freight, insurance,
    duties and the destination port's charges, less the absorbed duties."""
    return (
        amounts.goods_value
        + amounts.freight
        + amounts.insurance
        + amounts.duties
        + amounts.port_charges
        - amounts.absorption
    )


def convert(amounts: _Amounts, rate: Decimal, quantum: Decimal) -> _Amounts:
    """11. The reported USD amounts in the quote currency, converted and rounded (to the
    currency's minor unit) one by one; totals are then summed from them."""

    def one(amount: Decimal) -> Decimal:
        return (amount * rate).quantize(quantum, ROUND_HALF_UP)

    return _Amounts(
        goods_value=one(amounts.goods_value),
        origin_deduction=one(amounts.origin_deduction),
        freight=one(amounts.freight),
        insurance=one(amounts.insurance),
        duties=one(amounts.duties),
        port_charges=one(amounts.port_charges),
        absorption=one(amounts.absorption),
    )


def _components(
    amounts: _Amounts,
    composition: _Composition,
    total_qty: Decimal,
    quantum: Decimal = CENT,
    *,
    landed_known: bool = True,
) -> Components:
    landed = landed_cost(amounts)
    return Components(
        goods_value=amounts.goods_value,
        origin_deduction=amounts.origin_deduction,
        freight=amounts.freight,
        insurance=amounts.insurance,
        duties=amounts.duties,
        destination_charges=amounts.port_charges if composition.destination else ZERO,
        tariff_absorption=amounts.absorption,
        quote_total=quote_total(amounts, composition),
        landed_cost=landed if landed_known else None,
        landed_cost_per_mt=(
            (landed / total_qty).quantize(quantum, ROUND_HALF_UP) if landed_known else None
        ),
        destination_port_charges=amounts.port_charges,
        quantum=quantum,
    )


# ---------------------------------------------------------------- the computation


class _PricedLines(NamedTuple):
    """Steps 4 and 5 for all lines, and what the later steps and the warnings need."""

    lines: list[LineResult]
    absorbable_raw_total: Decimal  # full precision, the duties absorption may take from
    unmatched: list[str]  # lines no rule matched
    never_absorbed: list[str]  # anti-dumping/countervailing duty lines


def _price_lines(
    inp: PricingInput, goods: list[Decimal], freight_per_mt: Decimal, cif_factor: Decimal
) -> _PricedLines:
    """Steps 4 and 5 for every line: its customs value on each rule's basis and the duty
    of each rule that applies."""
    rules = _rules_in_force(inp)
    limits = _entry_fee_factors(inp, rules, goods, freight_per_mt, cif_factor)
    by_hs: dict[str, list[tuple[TariffRuleData, Decimal]]] = {}
    line_results = []
    absorbable_raw_total = ZERO
    never_absorbed: list[str] = []
    unmatched = []
    for line, goods_raw in zip(inp.lines, goods, strict=True):
        matched = by_hs.get(line.hs_code)
        if matched is None:
            matched = by_hs[line.hs_code] = _rules_for_hs(rules, line.hs_code)
        if not matched:
            unmatched.append(f"{line.product} (HS {line.hs_code})")
        qty = line.quantity_mt
        goods_r = _r2(goods_raw)
        cif = cif_r = None  # computed once per line, when a CIF rule needs it
        duty_lines = []
        line_duties = ZERO
        for rule, rate in matched:
            if rule.basis == "FOB":
                customs, customs_r = goods_raw, goods_r
            else:
                if cif is None:
                    cif = customs_value_cif(goods_raw, freight_per_mt * qty, cif_factor)
                    cif_r = _r2(cif)
                customs, customs_r = cif, cast(Decimal, cif_r)  # set with cif
            raw = duty_amount(customs, rate, rule.specific_usd_per_mt, qty)
            if limits and id(rule) in limits:
                raw *= limits[id(rule)]  # the entry's minimum or maximum, shared pro rata
            if rule.kind in ABSORBABLE_KINDS:
                absorbable_raw_total += raw
            elif rule.kind in FEE_KINDS:
                pass
            else:
                never_absorbed.append(
                    f"{line.product} {rule.kind.replace('_', '-')} {rule.rate_percent.normalize():f} %"
                )
            amount = _r2(raw)
            line_duties += amount
            duty_lines.append(
                _frozen_new(
                    DutyLine,
                    {
                        "kind": rule.kind,
                        "destination": rule.destination,
                        "origin_country": rule.origin_country,
                        "hs_prefix": rule.hs_prefix,
                        "rate_percent": rule.rate_percent,
                        "specific_usd_per_mt": rule.specific_usd_per_mt,
                        "basis": rule.basis,
                        "customs_value": customs_r,
                        "amount": amount,
                        "reference": rule.reference,
                        "rule_id": rule.id,
                        "min_usd_per_entry": rule.min_usd_per_entry,
                        "max_usd_per_entry": rule.max_usd_per_entry,
                        "transport_mode": rule.transport_mode,
                    },
                )
            )
        line_results.append(
            _frozen_new(
                LineResult,
                {
                    "product": line.product,
                    "name": line.name,
                    "hs_code": line.hs_code,
                    "quantity_mt": qty,
                    "unit_price_usd_per_mt": line.unit_price_usd_per_mt,
                    "discount_percent": line.discount_percent,
                    "goods_value": goods_r,
                    "duties": tuple(duty_lines),
                    "duties_total": line_duties,
                    "term_price_per_mt": line.term_price_per_mt,
                },
            )
        )
    return _PricedLines(line_results, absorbable_raw_total, unmatched, never_absorbed)


def _entry_fee_factors(
    inp: PricingInput,
    rules: list[tuple[str, TariffRuleData]],
    goods: list[Decimal],
    freight_per_mt: Decimal,
    cif_factor: Decimal,
) -> dict[int, Decimal]:
    """For each per-entry fee rule with a minimum or maximum: the factor that brings the
    quote's raw fee (a quote is one customs entry) to that minimum or maximum, applied to
    every line's raw fee (so it is shared pro rata). Empty when no limit applies."""
    limited = [
        (prefix, rule)
        for prefix, rule in rules
        if rule.min_usd_per_entry is not None or rule.max_usd_per_entry is not None
    ]
    if not limited:
        return {}
    factors: dict[int, Decimal] = {}
    for prefix, rule in limited:
        total = ZERO
        for line, goods_raw in zip(inp.lines, goods, strict=True):
            if not line.hs_code.replace(".", "").startswith(prefix):
                continue
            customs = (
                goods_raw
                if rule.basis == "FOB"
                else customs_value_cif(goods_raw, freight_per_mt * line.quantity_mt, cif_factor)
            )
            total += duty_amount(
                customs, rule.rate_percent * PCT, rule.specific_usd_per_mt, line.quantity_mt
            )
        limited_total = total
        if rule.min_usd_per_entry is not None:
            limited_total = max(limited_total, rule.min_usd_per_entry)
        if rule.max_usd_per_entry is not None:
            limited_total = min(limited_total, rule.max_usd_per_entry)
        if total and limited_total != total:
            factors[id(rule)] = limited_total / total
    return factors


def _warnings(
    inp: PricingInput, composition: _Composition, priced: _PricedLines
) -> tuple[str, ...]:
    warnings = []
    unmatched = priced.unmatched
    if unmatched:
        warnings.append(
            f"No tariff rule for {inp.destination_port.country} matches "
            f"{', '.join(unmatched)}: duties may be understated; check the official tariff."
        )
    if inp.incoterm == "DDP":
        warnings.append("DDP: import VAT/GST is not included.")
    if inp.incoterm == "FCA":
        warnings.append("FCA is priced as FOB (origin port).")
    if inp.freight is None:
        warnings.append(
            f"No freight rate from {inp.origin_port.code} to {inp.destination_port.code} on "
            f"{inp.quote_date}: the {inp.incoterm} price needs none, but the buyer's landed "
            "cost is unknown (and duties on a CIF basis leave out freight)."
        )
    if composition.absorption and inp.tariff_absorption_percent and priced.never_absorbed:
        warnings.append(
            "Tariff absorption leaves out the anti-dumping/countervailing duty lines "
            f"({'; '.join(priced.never_absorbed)}): the seller never pays them for the buyer."
        )
    return tuple(warnings)


def price(inp: PricingInput) -> PricingResult:
    """Price a quote, step by step as ``docs/pricing.md`` numbers them. Raises
    ``PricingError`` with the fields at fault."""
    if not _plausible(inp):
        _validate(inp)  # raises with every error found
    if any(line.term_price_per_mt is not None for line in inp.lines):
        inp = with_netback(inp)
    composition = _COMPOSITION[inp.incoterm]
    lines = inp.lines
    total_qty = sum((line.quantity_mt for line in lines), ZERO)

    goods = [goods_value(line) for line in lines]  # 1.
    goods_raw_total = sum(goods, ZERO)
    containers, freight = freight_cost(inp.freight, total_qty)  # 2.
    insured = insured_rate(inp.insurance_rate_percent)  # 3.
    insurance = (goods_raw_total + freight) * insured
    priced = _price_lines(inp, goods, freight / total_qty, 1 + insured)  # 4.-5.
    line_results = priced.lines

    usd = _Amounts(
        goods_value=sum((line.goods_value for line in line_results), ZERO),
        origin_deduction=origin_deduction(inp.origin_port, total_qty)  # 6.
        if composition.origin_deduction
        else ZERO,
        freight=_r2(freight),
        insurance=_r2(insurance),
        duties=sum((line.duties_total for line in line_results), ZERO),
        port_charges=destination_port_charges(inp.destination_port, total_qty),  # 7.
        absorption=tariff_absorption(
            priced.absorbable_raw_total, inp.tariff_absorption_percent
        )  # 8.
        if composition.absorption
        else ZERO,
    )
    quantum = currency_quantum(inp.currency)
    in_currency = convert(usd, inp.fx_rate, quantum)  # 11.
    landed_known = inp.freight is not None  # v2: unknown without a rate on the lane
    usd_components = _components(usd, composition, total_qty, landed_known=landed_known)  # 9.-10.
    currency_components = _components(
        in_currency, composition, total_qty, quantum, landed_known=landed_known
    )
    _check_total(usd_components, currency_components, currency=inp.currency)
    freight_rate = inp.freight or FreightData(usd_per_container=ZERO, mt_per_container=ZERO)
    return PricingResult(
        quote_date=inp.quote_date,
        incoterm=inp.incoterm,
        origin_port=inp.origin_port.code,
        destination_port=inp.destination_port.code,
        origin_country=inp.origin_port.country,
        destination_country=inp.destination_port.country,
        currency=inp.currency,
        fx_rate=inp.fx_rate,
        insurance_rate_percent=inp.insurance_rate_percent,
        tariff_absorption_percent=inp.tariff_absorption_percent,
        containers=containers,
        total_quantity_mt=total_qty,
        freight_usd_per_container=freight_rate.usd_per_container,
        mt_per_container=freight_rate.mt_per_container,
        lines=tuple(line_results),
        usd=usd_components,
        quote_currency=currency_components,
        warnings=_warnings(inp, composition, priced),
    )


def _check_total(usd: Components, quote_currency: Components, *, currency: str) -> None:
    """v2: a quote total (USD or quote currency) that is zero or negative is an error, on
    ``tariff_absorption_percent`` when the absorption caused it, else on ``lines``."""
    if min(usd.quote_total, quote_currency.quote_total) > ZERO:
        return
    shown = (
        f"USD {usd.quote_total:,}"
        if usd.quote_total <= ZERO
        else f"{currency} {quote_currency.quote_total:,}"
    )
    absorption = usd.tariff_absorption
    if (
        absorption
        and usd.quote_total + usd.tariff_absorption > ZERO
        and quote_currency.quote_total + quote_currency.tariff_absorption > ZERO
    ):
        raise PricingError(
            {
                "tariff_absorption_percent": [
                    f"This absorption (USD {absorption:,}) would make the quote total {shown}: "
                    "a quote total must be positive. Absorb less."
                ]
            }
        )
    raise PricingError(
        {"lines": [f"The quote total would be {shown}: a quote total must be positive."]}
    )


# ---------------------------------------------------------------- the buyer's document


def named_place_port(incoterm: str, origin_port: str, destination_port: str) -> str:
    """pricing.md v2: the place an Incoterm names: the port of shipment for EXW/FCA/FOB
    ("FOB Tianjin Xingang"), the destination for the C and D terms ("CIF Hamburg")."""
    return origin_port if incoterm in FREIGHT_OPTIONAL else destination_port


def allocate(total: Decimal, weights: list[Decimal], quantum: Decimal) -> list[Decimal]:
    """``total`` split pro rata to ``weights``, each share rounded half-up to ``quantum``;
    the last share takes the rounding so the shares add up to ``total`` exactly."""
    weight_sum = sum(weights, ZERO)
    shares: list[Decimal] = []
    for weight in weights[:-1]:
        share = total * weight / weight_sum if weight_sum else ZERO
        shares.append(share.quantize(quantum, ROUND_HALF_UP))
    if weights:
        shares.append(total - sum(shares, ZERO))
    return shares


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """A line as the buyer's document prints it, in the quote currency.

    ``amount`` is the line's share of the quote total on the Incoterm basis (goods and the
    line's share of what the seller pays under the term); the lines' amounts add up to the
    quote total exactly. ``unit_price`` is per MT on the same basis; every line's amount is
    its unit price × quantity except the last, which takes the rounding: ``rounding`` is
    its amount less its unit price × quantity (zero on every other line), which the
    document states under the lines ("amounts are binding").
    """

    unit_price: Decimal
    amount: Decimal
    duties: Decimal  # the line's duties and fees (whoever pays them), quote currency
    landed_cost: Decimal | None  # the line's share of the buyer's landed cost
    landed_cost_per_mt: Decimal | None
    rounding: Decimal = ZERO


def _line_weights(result: PricingResult) -> tuple[list[Decimal], list[Decimal], list[Decimal]]:
    """Each line's USD share of the quote total, of the landed cost and of the duties
    (full precision): freight, origin and destination charges by quantity; insurance pro
    rata to goods + freight share (as step 4); absorption pro rata to absorbable duties."""
    composition = _COMPOSITION[result.incoterm]
    usd = result.usd
    lines = result.lines
    total_qty = result.total_quantity_mt or sum((ln.quantity_mt for ln in lines), ZERO)
    goods_total = sum((ln.goods_value for ln in lines), ZERO)
    absorbable = [
        sum((d.amount for d in ln.duties if d.kind in ABSORBABLE_KINDS), ZERO) for ln in lines
    ]
    absorbable_total = sum(absorbable, ZERO)
    insured_base = goods_total + usd.freight
    term: list[Decimal] = []
    landed: list[Decimal] = []
    duties: list[Decimal] = []
    for line, line_absorbable in zip(lines, absorbable, strict=True):
        share = line.quantity_mt / total_qty if total_qty else ZERO
        freight = usd.freight * share
        insurance = (
            usd.insurance * (line.goods_value + freight) / insured_base if insured_base else ZERO
        )
        port = usd.destination_port_charges * share
        absorption = (
            usd.tariff_absorption * line_absorbable / absorbable_total if absorbable_total else ZERO
        )
        value = line.goods_value - usd.origin_deduction * share - absorption
        if composition.freight:
            value += freight
        if composition.insurance:
            value += insurance
        if composition.destination:
            value += port
        if composition.duties:
            value += line.duties_total
        term.append(value)
        landed.append(
            line.goods_value + freight + insurance + line.duties_total + port - absorption
        )
        duties.append(line.duties_total)
    return term, landed, duties


def document_lines(result: PricingResult) -> tuple[DocumentLine, ...]:
    """The lines of a priced quote in its currency, on its Incoterm basis (the buyer's
    document): amounts that add up exactly to ``quote_currency.quote_total``, landed cost
    per line adding up to ``quote_currency.landed_cost``, duties to ``.duties``."""
    qc = result.quote_currency
    quantum = currency_quantum(result.currency)
    term_w, landed_w, duties_w = _line_weights(result)
    lines = result.lines
    if not lines:
        return ()
    # Unit price first (what the buyer reads), amount = unit × quantity; the last line
    # takes whatever rounding is left so the amounts add up to the printed total.
    weight_sum = sum(term_w, ZERO)
    units: list[Decimal] = []
    amounts: list[Decimal] = []
    for line, weight in zip(lines[:-1], term_w[:-1], strict=True):
        share = qc.quote_total * weight / weight_sum if weight_sum else ZERO
        unit = (
            line.term_price_per_mt  # netback: the price the rep entered is the one printed
            if line.term_price_per_mt is not None
            else share / line.quantity_mt
        ).quantize(quantum, ROUND_HALF_UP)
        units.append(unit)
        amounts.append((unit * line.quantity_mt).quantize(quantum, ROUND_HALF_UP))
    last_amount = qc.quote_total - sum(amounts, ZERO)
    amounts.append(last_amount)
    last_unit = (last_amount / lines[-1].quantity_mt).quantize(quantum, ROUND_HALF_UP)
    units.append(last_unit)
    # What the last line's unit price × quantity misses of its amount (cents at most per
    # line above it): printed as a note, the amounts being binding.
    last_rounding = last_amount - (last_unit * lines[-1].quantity_mt).quantize(
        quantum, ROUND_HALF_UP
    )
    duties = allocate(qc.duties, duties_w, quantum)
    if qc.landed_cost is None:
        landed: list[Decimal | None] = [None] * len(lines)
        per_mt: list[Decimal | None] = [None] * len(lines)
    else:
        landed = list(allocate(qc.landed_cost, landed_w, quantum))
        per_mt = [
            (cast(Decimal, value) / line.quantity_mt).quantize(quantum, ROUND_HALF_UP)
            for value, line in zip(landed, lines, strict=True)
        ]
    return tuple(
        DocumentLine(
            unit_price=units[i],
            amount=amounts[i],
            duties=duties[i],
            landed_cost=landed[i],
            landed_cost_per_mt=per_mt[i],
            rounding=last_rounding if i == len(lines) - 1 else ZERO,
        )
        for i in range(len(lines))
    )


# ---------------------------------------------------------------- netback (docs/pricing.md)


class _Linear(NamedTuple):
    """A line's term value in USD as a linear function of its goods value g: K·g + C."""

    k: Decimal
    c: Decimal


def _term_linear(inp: PricingInput, index: int) -> _Linear:
    """The closed form of one line's share of the quote total (USD, full precision) as a
    function of its goods value, under the quote's Incoterm: freight, origin and destination
    charges by quantity, insurance on goods + freight share, duties (DDP) and absorption
    (the other terms) linear in the customs value. Matches ``_line_weights``."""
    composition = _COMPOSITION[inp.incoterm]
    line = inp.lines[index]
    qty = line.quantity_mt
    total_qty = sum((ln.quantity_mt for ln in inp.lines), ZERO)
    _containers, freight = freight_cost(inp.freight, total_qty)
    f = freight * qty / total_qty
    r = insured_rate(inp.insurance_rate_percent)
    k, c = Decimal(1), ZERO
    if composition.freight:
        c += f
    if composition.insurance:
        k += r
        c += f * r
    if composition.destination:
        c += inp.destination_port.destination_charges_usd_per_mt * qty
    if composition.origin_deduction:
        c -= inp.origin_port.origin_charges_usd_per_mt * qty
    absorb = inp.tariff_absorption_percent * PCT if composition.absorption else ZERO
    if composition.duties or absorb:
        for rule, rate in _rules_for_hs(_rules_in_force(inp), line.hs_code):
            if composition.duties:
                share = Decimal(1)
            elif rule.kind in ABSORBABLE_KINDS:
                share = -absorb
            else:
                continue
            if rule.basis == "FOB":
                k += share * rate
            else:
                k += share * rate * (1 + r)
                c += share * rate * (1 + r) * f
            c += share * rule.specific_usd_per_mt * qty
    return _Linear(k, c)


class _LimitedFee(NamedTuple):
    """A per-entry fee with a minimum or maximum that covers a line, as a function of the
    line's goods value g: the line's raw fee is ``x = alpha·g + beta``; ``others`` is the
    other lines' raw fee in the same entry (fixed); the entry's fee is the sum clamped to
    [``low``, ``high``], shared pro rata to the raw fees (``_entry_fee_factors``)."""

    alpha: Decimal
    beta: Decimal
    others: Decimal
    low: Decimal | None
    high: Decimal | None

    def raw(self, goods: Decimal) -> Decimal:
        return self.alpha * goods + self.beta

    def share(self, goods: Decimal) -> Decimal:
        """The line's fee at goods value ``goods``, as the engine computes it."""
        x = self.raw(goods)
        total = x + self.others
        limited = total
        if self.low is not None:
            limited = max(limited, self.low)
        if self.high is not None:
            limited = min(limited, self.high)
        return x * (limited / total) if total and limited != total else x

    def in_range(self, goods: Decimal) -> bool:
        total = self.raw(goods) + self.others
        return (self.low is None or total >= self.low) and (self.high is None or total <= self.high)


def _limited_fees(inp: PricingInput, index: int) -> list[_LimitedFee]:
    """The per-entry fees with a minimum or maximum on line ``index`` that the term price
    includes (DDP: the seller pays duties and fees; under other terms a fee is never
    absorbed, so it is not in the term price)."""
    if not _COMPOSITION[inp.incoterm].duties:
        return []
    rules = _rules_in_force(inp)
    if not any(
        r.min_usd_per_entry is not None or r.max_usd_per_entry is not None for _, r in rules
    ):
        return []
    lines = inp.lines
    line = lines[index]
    total_qty = sum((ln.quantity_mt for ln in lines), ZERO)
    _containers, freight = freight_cost(inp.freight, total_qty)
    freight_per_mt = freight / total_qty
    cif_factor = 1 + insured_rate(inp.insurance_rate_percent)
    out = []
    for prefix, rule in rules:
        if rule.min_usd_per_entry is None and rule.max_usd_per_entry is None:
            continue
        if not line.hs_code.replace(".", "").startswith(prefix):
            continue
        rate = rule.rate_percent * PCT
        others = ZERO
        for j, other in enumerate(lines):
            if j == index or not other.hs_code.replace(".", "").startswith(prefix):
                continue
            goods = goods_value(other)
            customs = (
                goods
                if rule.basis == "FOB"
                else customs_value_cif(goods, freight_per_mt * other.quantity_mt, cif_factor)
            )
            others += duty_amount(customs, rate, rule.specific_usd_per_mt, other.quantity_mt)
        if rule.basis == "FOB":
            alpha, beta = rate, ZERO
        else:
            alpha, beta = rate * cif_factor, rate * cif_factor * freight_per_mt * line.quantity_mt
        beta += rule.specific_usd_per_mt * line.quantity_mt
        out.append(_LimitedFee(alpha, beta, others, rule.min_usd_per_entry, rule.max_usd_per_entry))
    return out


def _term_usd(inp: PricingInput, index: int, goods: Decimal) -> Decimal:
    """Line ``index``'s share of the quote total in USD (full precision) at goods value
    ``goods``: ``K·g + C`` with every capped or floored per-entry fee taken as the engine
    shares it instead of its plain rate (piecewise: linear inside the limits, the limit
    shared pro rata outside them)."""
    k, c = _term_linear(inp, index)
    term = k * goods + c
    for fee in _limited_fees(inp, index):
        term += fee.share(goods) - fee.raw(goods)
    return term


def _solve_monotone(inp: PricingInput, index: int, term_usd: Decimal, start: Decimal) -> Decimal:
    """g with ``_term_usd(g) = term_usd`` by bisection (the term value increases with g):
    for a line under two or more limited fees at once, where no closed form is kept."""
    step = max(abs(start), Decimal(1))
    low, high = start - step, start + step
    while _term_usd(inp, index, low) > term_usd:
        low -= step
        step *= 2
    while _term_usd(inp, index, high) < term_usd:
        high += step
        step *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if _term_usd(inp, index, middle) < term_usd:
            low = middle
        else:
            high = middle
        if high - low <= Decimal("1e-12"):
            break
    return (low + high) / 2


def _goods_for_term(inp: PricingInput, index: int, term_usd: Decimal) -> Decimal:
    """Netback, closed form: the goods value g whose line term value is ``term_usd``.

    Without a limited fee, ``g = (T − C) / K``. A per-entry fee with a minimum or maximum
    (DDP) is piecewise in g: inside its limits it is its plain rate (in ``K`` and ``C``);
    past a limit L the line pays ``L·x / (x + R)`` (x its raw fee ``α·g + β``, R the other
    lines' raw fees). Each branch is solved and the one whose entry total lies in its own
    range is taken: with ``K' = K − α``, ``C' = C − β`` and ``y = x + R`` (the entry's raw
    total), ``K'·y² − (α·(T − C' − L) + K'·(β + R))·y − α·L·R = 0``, whose positive root
    gives ``g = (y − β − R) / α``; for ``R = 0`` the fee is L and ``g = (T − C' − L) / K'``.
    """
    k, c = _term_linear(inp, index)
    uncapped = (term_usd - c) / k
    fees = _limited_fees(inp, index)
    if not fees:
        return uncapped
    constant = [fee for fee in fees if not fee.alpha]
    for fee in constant:  # a specific-only fee does not move with g: its share is fixed
        c += fee.share(ZERO) - fee.beta
    moving = [fee for fee in fees if fee.alpha]
    if not moving:
        return (term_usd - c) / k
    if len(moving) > 1:
        return _solve_monotone(inp, index, term_usd, (term_usd - c) / k)
    (fee,) = moving
    goods = (term_usd - c) / k
    if fee.in_range(goods):
        return goods
    k_, c_ = k - fee.alpha, c - fee.beta
    for limit, past in ((fee.high, lambda y, lim: y >= lim), (fee.low, lambda y, lim: y <= lim)):
        if limit is None:
            continue
        if not fee.others:
            goods = (term_usd - c_ - limit) / k_
            if past(fee.raw(goods), limit) and fee.raw(goods) > 0:
                return goods
            continue
        b = fee.alpha * (term_usd - c_ - limit) + k_ * (fee.beta + fee.others)
        y = (b + (b * b + 4 * k_ * fee.alpha * limit * fee.others).sqrt()) / (2 * k_)
        if past(y, limit):
            return (y - fee.beta - fee.others) / fee.alpha
    # no branch holds (a term price that does not cover the line: g < 0)
    return _solve_monotone(inp, index, term_usd, uncapped)


def term_price_from_fob(inp: PricingInput, index: int, unit_price_usd_per_mt: Decimal) -> Decimal:
    """The price per MT in the quote currency on the Incoterm basis (full precision) of
    line ``index`` at a FOB price per MT in USD (before the line's discount)."""
    line = inp.lines[index]
    goods = line.quantity_mt * unit_price_usd_per_mt * (HUNDRED - line.discount_percent) * PCT
    return _term_usd(inp, index, goods) * inp.fx_rate / line.quantity_mt


def fob_from_term_price(inp: PricingInput, index: int, term_price_per_mt: Decimal) -> Decimal:
    """Netback, closed form: the FOB price per MT in USD (before the line's discount, full
    precision) behind line ``index``'s price per MT in the quote currency on the Incoterm
    basis: g = (T − C) / K with T = term price × quantity ÷ FX rate, solved per branch of a
    capped or floored per-entry fee (``_goods_for_term``; docs/pricing.md)."""
    line = inp.lines[index]
    term_usd = term_price_per_mt * line.quantity_mt / inp.fx_rate
    goods = _goods_for_term(inp, index, term_usd)
    net = (HUNDRED - line.discount_percent) * PCT
    return goods / (line.quantity_mt * net)


def with_netback(inp: PricingInput) -> PricingInput:
    """``inp`` with each netback line's FOB USD price derived (rounded half-up to cents, as
    every unit price); raises ``PricingError`` on ``term_price_per_mt`` when the term price
    does not cover the line's freight, insurance, charges and duties, or the discount is
    100 %.

    Lines are independent (freight, charges and duties are per line) except under a
    per-entry fee with a minimum or maximum, whose share depends on the other lines' values:
    then the derivation is repeated with the lines derived so far until no FOB price moves
    by a cent (two or three passes: a line's fee moves by the fee rate times the others')."""
    current = inp
    passes = 10 if any(_limited_fees(inp, i) for i in range(len(inp.lines))) else 1
    for _ in range(passes):
        lines, errors = _netback_pass(current)
        if any(errors):
            raise PricingError({"lines": errors})
        derived = replace(current, lines=tuple(lines))
        if derived.lines == current.lines:
            break
        current = derived
    return derived


def _netback_pass(inp: PricingInput) -> tuple[list[LineInput], list[dict[str, list[str]]]]:
    lines = list(inp.lines)
    errors: list[dict[str, list[str]]] = [{} for _ in lines]
    for index, line in enumerate(inp.lines):
        if line.term_price_per_mt is None:
            continue
        if line.term_price_per_mt <= ZERO:
            errors[index]["term_price_per_mt"] = ["The price per MT must be more than 0."]
            continue
        if line.discount_percent >= HUNDRED:
            errors[index]["term_price_per_mt"] = [
                "A line priced on the Incoterm basis cannot have a 100 % discount."
            ]
            continue
        fob = fob_from_term_price(inp, index, line.term_price_per_mt)
        if fob < ZERO:
            errors[index]["term_price_per_mt"] = [
                f"{inp.currency} {line.term_price_per_mt}/MT {inp.incoterm} does not cover "
                "this line's freight, insurance, charges and duties: the FOB price would be "
                "negative."
            ]
            continue
        lines[index] = replace(line, unit_price_usd_per_mt=_r2(fob))
    return lines, errors
