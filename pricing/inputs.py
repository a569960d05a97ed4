"""Pricing input: gather the engine's input from a request and the reference data, validate
it in one place, and run the engine.

``pricing_inputs_gather`` turns a request (codes, amounts, dates) into the engine's
``PricingInput`` in a fixed number of queries (ports, products with list prices, freight
rate, exchange rate, tariff rules: at most 5); ``pricing_run`` and ``pricing_preview`` run
the engine on it. Every input error is a ``PricingValidationError`` (a Django
``ValidationError``) naming the field at fault; the API's exception handler answers it with
400 and the engine's nested error shape, the pages show it on the form's fields.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from products import selectors as products_selectors
from products.models import FreightRate, Port, Product, TariffRule

from .approval import ApprovalFacts, ApprovalPolicy, GradeFacts, Reason, approval_reasons
from .engine import (
    FREIGHT_OPTIONAL,
    FreightData,
    LineInput,
    PortData,
    PricingError,
    PricingInput,
    PricingResult,
    TariffRuleData,
    check_line,
    check_terms,
    parse_decimal,
    price,
)

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")

# Quote dates a quote can sensibly carry: up to five years back (repricing history) and one
# year ahead. Outside it, 9999-12-25 + validity overflowed the date type (a server error).
QUOTE_DATE_MAX_PAST = timedelta(days=5 * 365)
QUOTE_DATE_MAX_FUTURE = timedelta(days=366)
# The quote's amount columns: numeric(14,2) for USD amounts, (18,2) for the quote currency.
MAX_AMOUNT_USD = Decimal("999999999999.99")
MAX_AMOUNT_QUOTE_CURRENCY = Decimal("9999999999999999.99")


class PricingValidationError(ValidationError):
    """Invalid pricing input.

    As a Django ``ValidationError`` its fields are flat (``lines[1].quantity_mt``), so the
    API's exception handler and the form helper can show it as they show any other;
    ``nested`` holds the same errors DRF-style (``{"lines": [{}, {"quantity_mt": [...]}]}``),
    which the preview API returns.
    """

    def __init__(self, nested: dict[str, Any]):
        self.nested = nested
        super().__init__(PricingError(nested).flat())


def _port_data(port: Port) -> PortData:
    return PortData(
        code=port.code,
        country=port.country.code,
        origin_charges_usd_per_mt=port.origin_charges_usd_per_mt,
        destination_charges_usd_per_mt=port.destination_charges_usd_per_mt,
        name=port.name,
    )


def tariff_rule_data(rule: TariffRule) -> TariffRuleData:
    """A tariff rule row as the engine takes it (its legal citation as the reference)."""
    return TariffRuleData(
        destination=rule.destination,
        hs_prefix=rule.hs_prefix,
        kind=rule.kind,
        rate_percent=rule.rate_percent,
        basis=rule.basis,
        origin_country=rule.origin_country.code,
        specific_usd_per_mt=rule.specific_usd_per_mt,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        reference=rule.legal_citation,
        id=rule.pk,
        min_usd_per_entry=rule.min_usd_per_entry,
        max_usd_per_entry=rule.max_usd_per_entry,
        transport_mode=rule.transport_mode,
    )


@overload
def _number(name: str, value: Any, default: Decimal, into: dict[str, Any]) -> Decimal: ...
@overload
def _number(name: str, value: Any, default: None, into: dict[str, Any]) -> Decimal | None: ...
def _number(name: str, value: Any, default: Decimal | None, into: dict[str, Any]) -> Decimal | None:
    """A number from the request, or ``default`` when it is blank (or not a number, which
    puts an error on ``name`` in ``into``)."""
    if value is None or value == "":
        return default
    parsed = parse_decimal(value)
    if parsed is None:
        into[name] = ["Enter a number."]
        return default
    return parsed


def pricing_inputs_gather(
    *,
    incoterm: str,
    destination_port: str,
    lines: Sequence[Mapping[str, Any]],
    quote_date: date | None = None,
    origin_port: str | None = None,
    currency: str | None = None,
    insurance_rate_percent: Decimal | str | None = None,
    tariff_absorption_percent: Decimal | str | None = None,
    duties_on: date | None = None,
) -> tuple[PricingInput, dict[str, Product]]:
    """The engine's input for a request, and the products by code.

    ``duties_on`` (default: the quote date) is the day whose tariff rules apply: a quote
    revised because of a tariff change that takes effect later is priced under the rules
    in force from that day (the rules are chosen here and passed to the engine undated).

    ``lines`` are mappings with ``product`` (grade code), ``quantity_mt``, and optionally
    ``unit_price_usd_per_mt`` (default: the list price in force on the quote date) or
    ``term_price_per_mt`` (netback: the price per MT in the quote currency on the
    Incoterm basis, from which the engine derives the FOB price) and
    ``discount_percent`` (default 0). Defaults: today, the settings' origin port and
    insurance rate, USD, no absorption. Raises ``PricingValidationError``.
    """
    conf = settings.MGTRADE
    today = timezone.localdate()
    quote_date = quote_date or today
    # Bounded work and storable values first: nothing else is looked up past these.
    if not today - QUOTE_DATE_MAX_PAST <= quote_date <= today + QUOTE_DATE_MAX_FUTURE:
        raise PricingValidationError(
            {
                "quote_date": [
                    f"The quote date must be between {today - QUOTE_DATE_MAX_PAST} and "
                    f"{today + QUOTE_DATE_MAX_FUTURE}."
                ]
            }
        )
    max_lines = conf["MAX_QUOTE_LINES"]
    if len(lines) > max_lines:
        raise PricingValidationError(
            {
                "lines": [
                    f"A quote has at most {max_lines} line{'s' if max_lines != 1 else ''}; "
                    "split the order into several quotes."
                ]
            }
        )
    incoterm = (incoterm or "").strip().upper()
    origin_code = (origin_port or conf["DEFAULT_ORIGIN_PORT"]).strip().upper()
    destination_code = (destination_port or "").strip().upper()
    currency = (currency or "USD").strip().upper()
    errors: dict[str, Any] = {}

    number = _number
    insurance = number(
        "insurance_rate_percent",
        insurance_rate_percent,
        conf["DEFAULT_INSURANCE_RATE_PERCENT"],
        errors,
    )
    absorption = number("tariff_absorption_percent", tariff_absorption_percent, Decimal(0), errors)
    for name, messages in check_terms(
        incoterm=incoterm,
        origin_port=origin_code,
        destination_port=destination_code,
        insurance_rate_percent=insurance,
        tariff_absorption_percent=absorption,
    ).items():
        errors.setdefault(name, messages)
    if not destination_code:
        errors["destination_port"] = ["Choose the destination port."]
    if not CURRENCY_RE.match(currency):
        errors["currency"] = ["Enter an ISO 4217 currency code like EUR."]

    # ports: 1 query
    ports = products_selectors.ports_by_code(codes=[origin_code, destination_code])
    origin = ports.get(origin_code)
    destination = ports.get(destination_code)
    if origin is None:
        errors.setdefault("origin_port", []).append(f"Unknown port {origin_code!r}.")
    if destination is None and destination_code:
        errors.setdefault("destination_port", []).append(f"Unknown port {destination_code!r}.")

    # products with their list prices: 1 query
    codes = [str(line.get("product") or "").strip().upper() for line in lines]
    products = products_selectors.products_for_pricing(codes=[c for c in codes if c], on=quote_date)
    line_inputs: list[LineInput] = []
    line_errors: list[dict[str, list[str]]] = []
    for code, line in zip(codes, lines, strict=True):
        errs: dict[str, list[str]] = {}
        quantity = number("quantity_mt", line.get("quantity_mt"), None, errs)
        unit_price = number("unit_price_usd_per_mt", line.get("unit_price_usd_per_mt"), None, errs)
        term_price = number("term_price_per_mt", line.get("term_price_per_mt"), None, errs)
        if term_price is not None:
            # netback: the engine derives the FOB USD price from the term price
            unit_price = Decimal(0)
            errs.pop("unit_price_usd_per_mt", None)
            if term_price <= 0:
                errs["term_price_per_mt"] = ["The price per MT must be more than 0."]
        discount = number("discount_percent", line.get("discount_percent"), Decimal(0), errs)
        product = products.get(code)
        if not code:
            errs["product"] = ["Choose a product."]
        elif product is None:
            errs["product"] = [f"Unknown product {code!r}."]
        elif not product.active:
            errs["product"] = [f"{code} is inactive and cannot be quoted."]
        elif unit_price is None and "unit_price_usd_per_mt" not in errs:
            list_price: Decimal | None = product.list_price  # type: ignore[attr-defined]
            if list_price is None:
                errs["unit_price_usd_per_mt"] = [
                    f"{code} has no list price on {quote_date}; enter a unit price."
                ]
            else:
                unit_price = list_price
        if quantity is None and "quantity_mt" not in errs:
            errs["quantity_mt"] = ["Enter the quantity in MT."]
        for name, messages in check_line(
            quantity_mt=quantity if quantity is not None else Decimal(1),
            unit_price_usd_per_mt=unit_price,
            discount_percent=discount,
        ).items():
            errs.setdefault(name, messages)
        line_errors.append(errs)
        # without errors the product, quantity and price are known
        if not errs and product is not None and quantity is not None and unit_price is not None:
            line_inputs.append(
                LineInput(
                    product=code,
                    name=product.name,
                    hs_code=product.hs_code,
                    quantity_mt=quantity,
                    unit_price_usd_per_mt=unit_price,
                    discount_percent=discount,
                    term_price_per_mt=term_price,
                )
            )
    if not lines:
        errors["lines"] = ["Add at least one line."]
    elif any(line_errors):
        errors["lines"] = line_errors

    # freight rate in force: 1 query
    freight = None
    if origin is not None and destination is not None and origin.pk != destination.pk:
        freight = products_selectors.freight_rate_in_force(
            origin=origin, destination=destination, on=quote_date
        )
        if freight is None and incoterm not in FREIGHT_OPTIONAL:
            # v2: EXW/FCA/FOB are priced without one (landed cost unknown)
            errors.setdefault("destination_port", []).append(
                f"No freight rate from {origin.code} to {destination.code} on {quote_date}."
            )

    # exchange rate on or before the quote date: 1 query (none for USD)
    fx_rate = Decimal(1) if currency == "USD" else None
    if fx_rate is None and "currency" not in errors:
        fx = products_selectors.exchange_rate_on(currency=currency, on=quote_date)
        if fx is None:
            errors["currency"] = [f"No exchange rate for {currency} on or before {quote_date}."]
        else:
            fx_rate = fx.rate_per_usd

    # a port or exchange rate missing is among the errors
    if errors or origin is None or destination is None or fx_rate is None:
        raise PricingValidationError(errors)

    # tariff rules for the destination (its own and the EU's): 1 query
    rules = products_selectors.tariff_rules_candidates(
        destination_country=destination.country.code, origin_country=origin.country.code
    )
    inp = PricingInput(
        quote_date=quote_date,
        incoterm=incoterm,
        origin_port=_port_data(origin),
        destination_port=_port_data(destination),
        freight=None
        if freight is None
        else FreightData(
            usd_per_container=freight.usd_per_container,
            mt_per_container=freight.mt_per_container,
            container_type=freight.container_type,
            transport_mode=freight.transport_mode,
        ),
        currency=currency,
        fx_rate=fx_rate,
        lines=tuple(line_inputs),
        tariff_rules=_rules_on(rules, duties_on) if duties_on else _rules_all(rules),
        insurance_rate_percent=insurance,
        tariff_absorption_percent=absorption,
    )
    return inp, products


def _rules_all(rules: Iterable[TariffRule]) -> tuple[TariffRuleData, ...]:
    """The rules with their validity: the engine picks those in force on the quote date."""
    return tuple(tariff_rule_data(rule) for rule in rules)


def _rules_on(rules: Iterable[TariffRule], on: date) -> tuple[TariffRuleData, ...]:
    """The rules in force on ``on``, undated (the engine then applies them whatever the
    quote date)."""
    return tuple(
        dataclasses.replace(tariff_rule_data(r), valid_from=None, valid_to=None)
        for r in rules
        if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)
    )


def pricing_run(**request: Any) -> tuple[PricingResult, dict[str, Product]]:
    """Gather and price (same arguments as ``pricing_inputs_gather``).

    Returns the engine's result and the products by code. Raises ``PricingValidationError``.
    """
    inp, products = pricing_inputs_gather(**request)
    try:
        result = price(inp)
    except PricingError as exc:
        raise PricingValidationError(exc.errors) from exc
    _check_storable(result)
    duties_on = request.get("duties_on")
    if duties_on and duties_on != inp.quote_date:
        result = dataclasses.replace(
            result,
            warnings=(
                *result.warnings,
                f"Duties as in force on {duties_on.isoformat()} (a tariff change), not on "
                "the quote date.",
            ),
        )
    return result, products


def _check_storable(result: PricingResult) -> None:
    """Refuse amounts larger than a quote's columns hold (a 400, not a database error)."""
    usd = [getattr(result.usd, name) for name in result.usd.to_dict()]
    usd += [line.goods_value for line in result.lines]
    usd += [line.unit_price_usd_per_mt for line in result.lines]
    quote_currency = [getattr(result.quote_currency, n) for n in result.quote_currency.to_dict()]
    # (a landed cost is None when unknown: no freight rate, v2)
    if any(a is not None and abs(a) > MAX_AMOUNT_USD for a in usd) or any(
        a is not None and abs(a) > MAX_AMOUNT_QUOTE_CURRENCY for a in quote_currency
    ):
        raise PricingValidationError(
            {
                "lines": [
                    "The amounts are larger than a quote can hold (at most "
                    f"{MAX_AMOUNT_USD:,} USD per amount); lower the quantities or unit prices."
                ]
            }
        )


def pricing_preview(**request: Any) -> PricingResult:
    """Price a request without saving anything (the preview API and the calculator page)."""
    return pricing_run(**request)[0]


def approval_facts_gather(
    *, result: PricingResult, products: Mapping[str, Product] | None = None
) -> ApprovalFacts:
    """The reference data facts the approval rules read, for a priced request: each
    grade's floor, minimum order and list price with its date (``products`` as
    ``pricing_inputs_gather`` returns them, else 1 query), the exchange rate's date (1
    query unless USD) and the freight rate's start (1 query)."""
    on = result.quote_date
    codes = [line.product for line in result.lines]
    if products is None or any(
        not hasattr(products.get(code), "list_price_from") for code in codes
    ):
        products = products_selectors.products_for_pricing(codes=codes, on=on)
    grades = {
        code: GradeFacts(
            code=code,
            floor_usd_per_mt=product.floor_price_usd_per_mt,
            min_order_qty_mt=product.min_order_qty_mt,
            # annotations of products_for_pricing
            list_price_usd_per_mt=product.list_price,  # type: ignore[attr-defined]
            list_price_from=product.list_price_from,  # type: ignore[attr-defined]
        )
        for code, product in products.items()
        if code in codes
    }
    fx_date = None
    if result.currency != "USD":
        fx = products_selectors.exchange_rate_on(currency=result.currency, on=on)
        fx_date = fx.date if fx is not None else None
    freight_from = (
        FreightRate.objects.filter(
            origin_port__code=result.origin_port,
            destination_port__code=result.destination_port,
            container_type="20GP",
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    return ApprovalFacts(
        result=result,
        grades=grades,
        fx_rate_date=fx_date,
        freight_rate_from=freight_from,
        extra={"stale_tariff_rules": _stale_tariff_rules(result)},
    )


def _stale_tariff_rules(result: PricingResult) -> list[dict[str, Any]]:
    """The stale tariff rules the result's duties use (1 query; none without duties)."""
    ids = {d.rule_id for d in result.duty_lines if d.rule_id is not None}
    if not ids:
        return []
    days = products_selectors.tariff_verify_days()
    rules = TariffRule.objects.filter(products_selectors.tariff_stale_q(), pk__in=ids).order_by(
        "destination", "hs_prefix", "kind", "pk"
    )
    return [
        {
            "id": r.pk,
            "destination": r.destination,
            "hs_prefix": r.hs_prefix,
            "kind": r.kind,
            "rate_percent": str(r.rate_percent),
            "verified_on": r.verified_on.isoformat() if r.verified_on else "",
            "verify_days": days,
        }
        for r in rules
    ]


def approval_reasons_check(
    *, result: PricingResult, products: Mapping[str, Product] | None = None
) -> list[Reason]:
    """Why a quote priced like this would need a manager (``pricing.approval``)."""
    facts = approval_facts_gather(result=result, products=products)
    return approval_reasons(facts, ApprovalPolicy.from_settings())


def pricing_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices for pricing forms: ports, active grades, currencies with a rate (3 queries)."""
    ports = [
        (p.code, f"{p.code} · {p.name} ({p.country.code})") for p in Port.objects.order_by("code")
    ]
    products = [
        (code, f"{code} · {name}")
        for code, name in Product.objects.filter(active=True)
        .order_by("code")
        .values_list("code", "name")
    ]
    currencies = sorted({"USD", *products_selectors.exchange_rate_currencies()})
    return {
        "ports": ports,
        "products": products,
        "currencies": [(c, c) for c in currencies],
    }
