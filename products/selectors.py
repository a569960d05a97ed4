from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from .customs import tariff_destinations
from .models import (
    ExchangeRate,
    FreightRate,
    Port,
    Product,
    ProductPrice,
    SpecLimit,
    TariffRule,
)


def _price_in_force(on: date, column: str = "usd_per_mt") -> Subquery:
    return Subquery(
        ProductPrice.objects.filter(product=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from")
        .values(column)[:1]
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
    """Products by code with ``list_price`` in force on ``on`` and its date
    (``list_price_from``), in one query."""
    codes = {c.upper() for c in codes}
    return {
        p.code: p
        for p in Product.objects.filter(code__in=codes).annotate(
            list_price=_price_in_force(on),
            list_price_from=_price_in_force(on, "effective_from"),
        )
    }


# ---------------------------------------------------------------- reference data for pricing


def port_list() -> QuerySet[Port]:
    return Port.objects.order_by("code")


def ports_by_code(*, codes: Iterable[str]) -> dict[str, Port]:
    """Ports by UN/LOCODE, in one query."""
    return {p.code: p for p in Port.objects.filter(code__in={c.upper() for c in codes})}


def freight_rate_list() -> QuerySet[FreightRate]:
    return FreightRate.objects.select_related("origin_port", "destination_port")


def freight_rate_in_force(
    *, origin: Port, destination: Port, on: date, container_type: str = "20GP"
) -> FreightRate | None:
    """The rate for a route and container in force on a date (periods never overlap)."""
    return (
        FreightRate.objects.filter(
            origin_port=origin,
            destination_port=destination,
            container_type=container_type,
            valid_from__lte=on,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def exchange_rate_list() -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.order_by("currency", "-date")


def exchange_rate_on(*, currency: str, on: date) -> ExchangeRate | None:
    """The latest rate dated on or before ``on``."""
    return (
        ExchangeRate.objects.filter(currency=currency.upper(), date__lte=on)
        .order_by("-date")
        .first()
    )


def exchange_rate_currencies() -> list[str]:
    return list(
        ExchangeRate.objects.order_by("currency").values_list("currency", flat=True).distinct()
    )


def tariff_verify_days() -> int:
    return settings.MGTRADE["TARIFF_VERIFY_DAYS"]


def tariff_stale_q(*, today: date | None = None) -> Q:
    """Stale: never verified, or (still in force or to come) not verified for
    ``MGTRADE_TARIFF_VERIFY_DAYS``. A rule that ended before today is not re-checked."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=tariff_verify_days())
    return Q(verified_on__isnull=True) | (
        Q(verified_on__lt=cutoff) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )


def tariff_rule_list(*, today: date | None = None) -> QuerySet[TariffRule]:
    """Every rule with ``is_stale``, the verifier joined (fixed number of queries)."""
    return (
        TariffRule.objects.select_related("verified_by")
        .annotate(
            is_stale=Case(
                When(tariff_stale_q(today=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("destination", "hs_prefix", "kind", "-valid_from")
    )


def tariff_rules_stale(*, today: date | None = None) -> QuerySet[TariffRule]:
    """The rules an admin should check, never-verified and oldest check first."""
    return (
        TariffRule.objects.filter(tariff_stale_q(today=today))
        .select_related("verified_by")
        .order_by(F("verified_on").asc(nulls_first=True), "destination", "hs_prefix", "kind")
    )


def tariff_rule_ids_stale(*, ids: Iterable[int], today: date | None = None) -> set[int]:
    """Which of these rule ids are stale (1 query; none for no ids)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    return set(
        TariffRule.objects.filter(tariff_stale_q(today=today), pk__in=ids).values_list(
            "pk", flat=True
        )
    )


def tariff_rules_by_id(*, ids: Iterable[int]) -> dict[int, TariffRule]:
    return {r.pk: r for r in TariffRule.objects.filter(pk__in={i for i in ids if i})}


def tariff_rules_candidates(
    *, destination_country: str, origin_country: str
) -> QuerySet[TariffRule]:
    """Rules that may apply to goods from ``origin_country`` imported into
    ``destination_country`` (its own and, for a member state, the EU's), in every period.
    The engine picks those in force and matching each line's HS code."""
    return TariffRule.objects.filter(
        destination__in=tariff_destinations(destination_country), origin_country=origin_country
    ).order_by("destination", "hs_prefix", "kind", "valid_from", "pk")


def tariff_rule_versions(*, rule: TariffRule) -> list[TariffRule]:
    """Every version of a rule's chain (``previous_version``), oldest first."""
    chain = [rule]
    current = rule
    while current.previous_version_id:
        current = TariffRule.objects.select_related("verified_by").get(
            pk=current.previous_version_id
        )
        chain.insert(0, current)
    current = rule
    while True:
        nxt = (
            TariffRule.objects.select_related("verified_by")
            .filter(previous_version=current)
            .first()
        )
        if nxt is None:
            break
        chain.append(nxt)
        current = nxt
    return chain


def tariff_rule_history(*, rule: TariffRule):
    """The row's recorded states (django-simple-history), newest first."""
    return rule.history.select_related("history_user", "verified_by").order_by("-history_date")


# ---------------------------------------------------------------- pickers


def port_search(
    *, q: str, role: str, origin: str | None = None, on: date | None = None, limit: int = 10
) -> list[dict]:
    """Ports for a search-as-you-type picker (code or name contains ``q``): for ``role``
    "origin" only ports that start a freight lane; for "any" every port; for "destination"
    every port, each with ``lane`` (a freight rate from ``origin`` in force on ``on``) and,
    without one, the reason it is disabled. 2 queries."""
    on = on or timezone.localdate()
    q = (q or "").strip()
    lanes = FreightRate.objects.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    ports = Port.objects.all()
    if q:
        ports = ports.filter(Q(code__icontains=q) | Q(name__icontains=q))
    served: set[str] | None = None
    if role == "origin":
        ports = ports.filter(pk__in=FreightRate.objects.values("origin_port"))
    elif role == "any":
        pass  # every port, none disabled (a customer's default destination)
    else:
        origin = (origin or "").strip().upper()
        served = set(
            lanes.filter(origin_port__code=origin).values_list("destination_port__code", flat=True)
        )
    rows = []
    for port in ports.order_by("code")[:limit]:
        row = {"code": port.code, "name": port.name, "country": port.country.code}
        if served is not None:
            row["lane"] = port.code in served
            row["reason"] = "" if row["lane"] else f"no freight rate from {origin} on {on}"
        rows.append(row)
    return rows


def currency_search(*, q: str, limit: int = 10) -> list[str]:
    """Currencies with an exchange rate (and USD) matching ``q``: 1 query."""
    q = (q or "").strip().upper()
    codes = {"USD", *exchange_rate_currencies()}
    return sorted(c for c in codes if q in c)[:limit]


# Grade texts a buyer reads, per language (products/translation.py).
GRADE_TEXT_FIELDS = ("name", "form", "packaging")


def grade_name_translations(*, product_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """``{product_id: {language: name}}``: each grade's name in every non-English language
    that has one, for a document to copy (``mgtrade.translations``). One query."""
    from mgtrade.translations import translated_texts

    return {
        product.pk: {
            lang: texts["name"] for lang, texts in translated_texts(product, ["name"]).items()
        }
        for product in Product.objects.filter(pk__in=list(product_ids))
    }


def grade_names_in(*, product_ids: Iterable[int], language: str) -> dict[int, str]:
    """``{product_id: name}`` of the grades that have a name in ``language`` (no fallback:
    a grade without one keeps the English name its document copied)."""
    return {
        pk: names[language]
        for pk, names in grade_name_translations(product_ids=product_ids).items()
        if language in names
    }
