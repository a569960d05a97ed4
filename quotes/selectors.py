"""Reads for quoting: gather the pricing engine's inputs from the database and run it.

``pricing_inputs_gather`` turns a request (codes, amounts, dates) into the engine's
``PricingInput`` in a fixed number of queries (ports, products with list prices, freight
rate, exchange rate, tariff rules: at most 5); ``pricing_preview`` and
``quote_pricing_run`` run the engine on it. Every input error is a
``PricingValidationError`` (a Django ``ValidationError``) naming the field at fault.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from customers.models import Customer
from customers.normalize import normalize_query
from mgtrade.accounts.models import Role, User
from pricing.engine import (
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
    price,
)
from products import selectors as products_selectors
from products.models import FreightRate, Port, Product, TariffRule

from .approval import ApprovalFacts, ApprovalPolicy, GradeFacts, Reason, approval_reasons
from .models import OPEN_STATUSES, Quote, QuoteEvent, QuoteLine, QuoteStatus

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


def _decimal(value: Any, default: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return default
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None
    if not result.is_finite():
        raise ValueError(value)
    return result


def _port_data(port: Port) -> PortData:
    return PortData(
        code=port.code,
        country=port.country.code,
        origin_charges_usd_per_mt=port.origin_charges_usd_per_mt,
        destination_charges_usd_per_mt=port.destination_charges_usd_per_mt,
        name=port.name,
    )


def _rule_data(rule: TariffRule) -> TariffRuleData:
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
    )


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
    ``unit_price_usd_per_mt`` (default: the list price in force on the quote date) and
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

    def number(name: str, value: Any, default: Decimal | None, into: dict) -> Decimal | None:
        try:
            return _decimal(value, default)
        except ValueError:
            into[name] = ["Enter a number."]
            return default

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
        discount = number("discount_percent", line.get("discount_percent"), Decimal(0), errs)
        product = products.get(code)
        if not code:
            errs["product"] = ["Choose a product."]
        elif product is None:
            errs["product"] = [f"Unknown product {code!r}."]
        elif not product.active:
            errs["product"] = [f"{code} is inactive and cannot be quoted."]
        elif unit_price is None and "unit_price_usd_per_mt" not in errs:
            if product.list_price is None:
                errs["unit_price_usd_per_mt"] = [
                    f"{code} has no list price on {quote_date}; enter a unit price."
                ]
            else:
                unit_price = product.list_price
        if quantity is None and "quantity_mt" not in errs:
            errs["quantity_mt"] = ["Enter the quantity in MT."]
        for name, messages in check_line(
            quantity_mt=quantity if quantity is not None else Decimal(1),
            unit_price_usd_per_mt=unit_price,
            discount_percent=discount,
        ).items():
            errs.setdefault(name, messages)
        line_errors.append(errs)
        if not errs:
            line_inputs.append(
                LineInput(
                    product=code,
                    name=product.name,
                    hs_code=product.hs_code,
                    quantity_mt=quantity,
                    unit_price_usd_per_mt=unit_price,
                    discount_percent=discount,
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
            # pricing.md v2: EXW/FCA/FOB are priced without one (landed cost unknown)
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

    if errors:
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
        ),
        currency=currency,
        fx_rate=fx_rate,
        lines=tuple(line_inputs),
        tariff_rules=_rules_on(rules, duties_on) if duties_on else tuple(map(_rule_data, rules)),
        insurance_rate_percent=insurance,
        tariff_absorption_percent=absorption,
    )
    return inp, products


def _rules_on(rules, on: date) -> tuple[TariffRuleData, ...]:
    """The rules in force on ``on``, undated (the engine then applies them whatever the
    quote date)."""
    return tuple(
        dataclasses.replace(_rule_data(r), valid_from=None, valid_to=None)
        for r in rules
        if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)
    )


def quote_pricing_run(**request: Any) -> tuple[PricingResult, dict[str, Product]]:
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
    # (a landed cost is None when unknown: no freight rate, pricing.md v2)
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
    return quote_pricing_run(**request)[0]


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
            list_price_usd_per_mt=product.list_price,
            list_price_from=product.list_price_from,
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
    """Why a quote priced like this would need a manager (``quotes.approval``)."""
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


# ------------------------------------------------------------------ quotes: who sees what


def quote_list_visible(*, user: User | None) -> QuerySet[Quote]:
    """The one visibility rule for quotes, mirroring ``customer_list_visible``: managers and
    admins see every quote; a rep the quotes of the customers they own and the quotes they
    own (a customer reassigned to someone else keeps its quotes visible to their owner)."""
    if not user or not user.is_authenticated:
        return Quote.objects.none()
    if user.is_manager:
        return Quote.objects.all()
    return Quote.objects.filter(
        Q(owner=user) | Q(customer_id__in=Customer.objects.filter(owner=user).values("pk"))
    )


def quote_get_visible(*, user: User | None, pk: int) -> Quote:
    """A quote the user may see, with everything its page shows; ``Quote.DoesNotExist``
    otherwise (→ 404)."""
    return (
        quote_list_visible(user=user)
        .select_related(
            "customer",
            "customer__owner",
            "contact",
            "owner",
            "created_by",
            "approved_by",
            "rejection_reason",
        )
        .prefetch_related("lines")
        .get(pk=pk)
    )


def quote_list(
    *,
    user: User | None,
    status: str | None = None,
    customer: int | str | None = None,
    region: str | None = None,
    product: str | None = None,
    owner: int | str | None = None,
    mine: bool = False,
    expiring_within_days: int | None = None,
    search: str | None = None,
    today: date | None = None,
) -> QuerySet[Quote]:
    """Visible quotes, newest first, filtered; customer and owner joined, so a page costs a
    fixed number of queries whatever its size.

    Superseded versions are left out unless ``status="superseded"`` is asked for (the live
    version of a number stands for it). ``product`` is a grade code on any line;
    ``region`` is the quote's own (the buyer's, copied when it was priced);
    ``expiring_within_days`` keeps open quotes whose validity ends between today and today
    + N; ``search`` matches the number or the customer's name.
    """
    qs = quote_list_visible(user=user)
    if mine and user is not None:
        qs = qs.filter(owner=user)
    qs = qs.filter(status=status) if status else qs.exclude(status=QuoteStatus.SUPERSEDED)
    if customer not in (None, ""):
        qs = qs.filter(customer_id=customer)
    if owner not in (None, ""):
        qs = qs.filter(owner_id=owner)
    if region:
        qs = qs.filter(region=region)
    if product:
        qs = qs.filter(
            pk__in=QuoteLine.objects.filter(product_code=product.strip().upper()).values("quote_id")
        )
    if expiring_within_days is not None:
        today = today or timezone.localdate()
        qs = qs.filter(
            status__in=OPEN_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=expiring_within_days),
        )
    search = (search or "").strip()
    if search:
        qs = qs.filter(_quote_search(search))
    return qs.select_related("customer", "owner").order_by("-created_at", "-id")


NUMBER_RE = re.compile(r"^(?:Q-?\d|\d[\d-]*$)", re.IGNORECASE)


def _quote_search(search: str) -> Q:
    """What a search box query matches: a quote number when it looks like one (``Q-2026-00``
    is a prefix, ``00042`` a part of the number), else the customer's name. Deciding by the
    shape keeps each search on one index-friendly condition."""
    if NUMBER_RE.match(search):
        upper = search.upper()
        if upper.startswith("Q") and not upper.startswith("Q-"):
            upper = "Q-" + upper[1:]
        if upper.startswith("Q-"):
            return Q(number__startswith=upper)
        return Q(number__contains=search)
    customers = Q(name__icontains=search)
    folded = normalize_query(search)
    if folded:
        customers |= Q(normalized_name__contains=folded)
    return Q(customer_id__in=Customer.objects.filter(customers).values("pk"))


@dataclass(frozen=True)
class QuoteStats:
    open_count: int
    open_value_usd: Decimal
    expiring_this_week: int


def quote_stats(*, qs: QuerySet[Quote], today: date | None = None) -> QuoteStats:
    """Open quotes (draft to sent), their value in USD, and how many expire within 7 days:
    one query."""
    today = today or timezone.localdate()
    # Counting columns of the index quote_status_cover (not the pk) lets PostgreSQL answer
    # from the index alone.
    totals = qs.filter(status__in=OPEN_STATUSES).aggregate(
        open_count=Count("status"),
        open_value=Sum("total_usd"),
        expiring=Count(
            "valid_until",
            filter=Q(valid_until__gte=today, valid_until__lte=today + timedelta(days=7)),
        ),
    )
    return QuoteStats(
        open_count=totals["open_count"],
        open_value_usd=totals["open_value"] or Decimal("0.00"),
        expiring_this_week=totals["expiring"],
    )


# The columns an API list outputs of each line (quotes.api.serializers.QuoteLineSerializer).
LINE_ROW_FIELDS = (
    "quote_id",
    "position",
    "product_code",
    "product_name",
    "hs_code",
    "standard",
    "quantity_mt",
    "unit_price_usd_per_mt",
    "discount_percent",
    "goods_value_usd",
)


def quote_line_rows_attach(*, quotes: Sequence[Quote]) -> None:
    """Give each quote ``line_rows``: its lines in position order as named tuples of
    ``LINE_ROW_FIELDS``, all in one query (none for no quotes). For lists; the serializer
    reads ``line_rows`` when present. Not a prefetch, which builds model instances, a
    queryset per quote and a quote <-> line reference cycle per quote: on a 200-quote API
    page this cut the objects left to the garbage collector from ~6,400 to ~2,700 and the
    median time by ~10% (bench/lists.py, docs/performance.md)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    ids = [quote.pk for quote in quotes]
    lines = QuoteLine.objects.filter(quote_id__in=ids).order_by("quote_id", "position")
    for line in lines.values_list(*LINE_ROW_FIELDS, named=True):
        rows[line.quote_id].append(line)
    for quote in quotes:
        quote.line_rows = rows.get(quote.pk, [])


def quotes_expiring_soon(
    *, user: User, days: int = 7, today: date | None = None, limit: int = 20
) -> list[Quote]:
    """My open quotes whose validity ends within ``days`` (today included), soonest first."""
    today = today or timezone.localdate()
    return list(
        quote_list_visible(user=user)
        .filter(
            owner=user,
            status__in=OPEN_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=days),
        )
        .select_related("customer")
        .order_by("valid_until", "id")[:limit]
    )


def quotes_for_customer(*, user: User, customer: Customer, limit: int = 20) -> list[Quote]:
    """A customer's live quotes (no superseded versions), newest first."""
    return list(
        quote_list_visible(user=user)
        .filter(customer=customer)
        .exclude(status=QuoteStatus.SUPERSEDED)
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )


def quotes_awaiting_approval(*, user: User) -> QuerySet[Quote]:
    """The approval queue: quotes pending approval, waiting longest first (managers only)."""
    if not user.has_perm("quotes.approve_quote"):
        return Quote.objects.none()
    return (
        quote_list_visible(user=user)
        .filter(status=QuoteStatus.PENDING_APPROVAL)
        .select_related("customer", "owner", "created_by")
        .order_by(F("submitted_at").asc(nulls_first=True), "updated_at", "id")
    )


def quote_approvers(*, quote: Quote) -> list[User]:
    """The active managers and admins who may approve this quote (not its own rep)."""
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[Role.SALES_MANAGER, Role.ADMIN]))
        .exclude(pk__in=[quote.owner_id, quote.created_by_id])
        .distinct()
        .order_by("username")
    )


def quotes_waiting_count(*, user: User) -> int:
    """How many quotes wait for this manager's approval (the navigation badge): 1 query."""
    if not user.has_perm("quotes.approve_quote"):
        return 0
    return (
        quote_list_visible(user=user)
        .filter(status=QuoteStatus.PENDING_APPROVAL)
        .exclude(owner=user)
        .exclude(created_by=user)
        .count()
    )


def quote_events(*, quote: Quote) -> QuerySet[QuoteEvent]:
    return quote.events.select_related("by").order_by("at", "id")


def quote_defaults_for(*, customer: Customer) -> dict[str, Any]:
    """What a new quote for this customer starts with: its quoting defaults and its primary
    contact, or the first other one who has not opted out of email (1 query)."""
    contact = (
        customer.contacts.filter(email_opt_out=False).order_by("-is_primary", "name", "id").first()
    )
    return {
        "incoterm": customer.default_incoterm or "CIF",
        "destination_port": customer.default_destination_port,
        "currency": customer.default_currency or "USD",
        "payment_terms": customer.payment_terms,
        "contact": contact,
    }
