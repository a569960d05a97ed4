"""The report figures: read-only aggregations in SQL over ``ReportLine``, the flat copy of
the live quote lines (``reports.refresh``), so no report joins quotes, lines, customers and
list prices at request time.

Every report applies the quotes' visibility rule (``quote_list_visible``: reps see their
own figures, managers and admins everyone's) and the same filters (``ReportFilters``). A
report is a few ``Table``s; each table is one grouped query, so a page costs a fixed number
of queries whatever the data. Definitions (docs/reports.md):

- *closed* quotes are accepted, rejected or expired; the win rate is accepted / closed, by
  count and by tonnes;
- the *realised net FOB price* of a line is its goods value (after discount) per MT, in USD;
  it is set against the list price in force on the quote date (``ProductPrice``) and the
  grade's floor price, weighted by tonnes;
- the competitor gap is our quoted price per MT (total USD / tonnes) minus the competitor's
  price per MT on rejected quotes that name one, weighted by tonnes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from customers.models import Industry
from customers.regions import Region
from mgtrade.accounts.models import User
from products.models import ExchangeRate, Product
from quotes.models import OPEN_STATUSES, Quote, QuoteLine, QuoteStatus
from quotes.selectors import quote_list_visible

from .models import ReportLine

S = QuoteStatus
CLOSED_STATUSES = (S.ACCEPTED, S.REJECTED, S.EXPIRED)
MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal("0")
CENT = Decimal("0.01")
REPORTS = ("pipeline", "winloss", "realisation", "volumes", "speed")
REPORT_TITLES = {
    "pipeline": "Pipeline",
    "winloss": "Win/loss",
    "realisation": "Price realisation",
    "volumes": "Volumes",
    "speed": "Speed",
}


@dataclass(frozen=True)
class ReportFilters:
    """What every report is narrowed by (all optional but the dates). ``currency``: only
    quotes in that currency, with their values shown in it rather than in USD."""

    date_from: date
    date_to: date
    rep: int | None = None
    region: str = ""
    country: str = ""
    grade: str = ""
    industry: str = ""
    currency: str = ""

    @classmethod
    def default(cls, *, today: date | None = None) -> ReportFilters:
        today = today or timezone.localdate()
        return cls(date_from=today - timedelta(days=365), date_to=today)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "rep": self.rep,
            "region": self.region,
            "country": self.country,
            "grade": self.grade,
            "industry": self.industry,
            "currency": self.currency,
        }


@dataclass
class Table:
    """One table of a report: columns as (key, label) and rows as dicts of plain values."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None  # x, y, (color) column keys and the mark
    # What a page shows of it (set by the view): the chart's spec as JSON, the rows as HTML.
    spec_json: str = ""
    body_html: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "rows": [{k: _json(v) for k, v in row.items()} for row in self.rows],
        }


def _json(value: Any) -> Any:
    """Money and rates as strings (as the rest of the API), dates as ISO dates."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# ------------------------------------------------------------------ the filtered base


def _visible_lines(user: User | None) -> QuerySet[ReportLine]:
    """``quote_list_visible`` on the flat table: managers and admins every line; a rep the
    lines of the quotes they own and of their customers' quotes."""
    if not user or not user.is_authenticated:
        return ReportLine.objects.none()
    if user.is_manager:
        return ReportLine.objects.all()
    return ReportLine.objects.filter(Q(owner_id=user.pk) | Q(customer_owner_id=user.pk))


def report_rows(*, user: User | None, filters: ReportFilters) -> QuerySet[ReportLine]:
    """The visible report lines dated in the range, narrowed by the filters (superseded
    versions are never in the table). With a grade, only that grade's lines."""
    qs = _visible_lines(user).filter(
        quote_date__gte=filters.date_from, quote_date__lte=filters.date_to
    )
    if filters.rep:
        qs = qs.filter(owner_id=filters.rep)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.grade:
        qs = qs.filter(product_code=filters.grade)
    return qs


def report_quotes(*, user: User | None, filters: ReportFilters) -> QuerySet[Quote]:
    """Live visible quotes dated in the range, narrowed by the filters (the short lists
    that name quotes read the quotes themselves)."""
    qs = quote_list_visible(user=user).exclude(status=S.SUPERSEDED)
    qs = qs.filter(quote_date__gte=filters.date_from, quote_date__lte=filters.date_to)
    if filters.rep:
        qs = qs.filter(owner_id=filters.rep)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.country:
        qs = qs.filter(destination_country=filters.country)
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    if filters.industry:
        qs = qs.filter(customer__industry=filters.industry)
    if filters.grade:
        qs = qs.filter(
            Exists(QuoteLine.objects.filter(quote=OuterRef("pk"), product_code=filters.grade))
        )
    return qs


@dataclass(frozen=True)
class Units:
    """How quote-level tables count: without a grade filter one row per quote (its first
    line) with the quote's tonnes and value; with one, that grade's lines (their tonnes and
    goods value in USD)."""

    rows: QuerySet[ReportLine]
    mt: str
    value: str
    value_label: str
    by_line: bool

    def quotes(self, filter: Q | None = None) -> Count:
        """Quotes counted once each: a grade's lines count their quote's first line of
        that grade (so counts of fine groups add up to those of coarser ones)."""
        if self.by_line:
            only_first = Q(grade_first=True)
            return Count("id", filter=only_first & filter if filter else only_first)
        return Count("id", filter=filter)


def _units(*, user: User | None, filters: ReportFilters) -> Units:
    rows = report_rows(user=user, filters=filters)
    if filters.grade:
        return Units(rows, "qty", "goods_usd", "Goods value (USD)", True)
    value = "quote_qc" if filters.currency else "quote_usd"
    return Units(
        rows.filter(is_first=True), "quote_mt", value, f"Value ({filters.currency or 'USD'})", False
    )


def _usernames(ids: Any) -> dict[int, str]:
    return dict(User.objects.filter(pk__in=set(ids)).values_list("pk", "username"))


def _q(value: Any, places: Decimal = CENT) -> Any:
    """Decimals rounded for display (None stays None)."""
    if isinstance(value, Decimal):
        return value.quantize(places)
    return value


MT3 = Decimal("0.001")


def _ratio(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _per_mt(amount: Decimal | None, tonnes: Decimal | None) -> Decimal | None:
    if not tonnes or amount is None:
        return None
    return (Decimal(amount) / Decimal(tonnes)).quantize(CENT)


# Group keys of the quote-level tables (ReportLine columns) and their headings.
GROUPS: dict[str, tuple[str, str]] = {
    "status": ("status", "State"),
    "rep": ("owner_id", "Rep"),
    "region": ("region", "Region"),
    "country": ("country", "Country"),
    "industry": ("industry", "Industry"),
}
STATUS_LABELS = dict(QuoteStatus.choices)
REGION_LABELS = dict(Region.choices)
INDUSTRY_LABELS = dict(Industry.choices)


def _labeller(group: str, rows: list[dict[str, Any]]) -> Callable[[Any], Any]:
    if group == "status":
        return lambda v: STATUS_LABELS.get(v, v)
    if group == "region":
        return lambda v: REGION_LABELS.get(v, v)
    if group == "industry":
        return lambda v: INDUSTRY_LABELS.get(v, v)
    if group == "rep":
        names = _usernames(r["owner_id"] for r in rows)
        return lambda v: names.get(v, v)
    return lambda v: v


def _rollup(
    fine: list[dict[str, Any]], key: str | None, fields: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Sum fine groups into groups by ``key`` (None: one total): the ``fields`` given (by
    default every one that is not a dimension); None adds nothing. A group whose fields are
    all empty is left out."""
    if not fine:
        return []
    names = fields or tuple(n for n in fine[0] if n not in ROLLUP_SKIP and n != key)
    out: dict[Any, list[Any]] = {}
    for row in fine:
        values = [row[n] for n in names]
        if not any(values):
            continue
        k = row[key] if key else None
        sums = out.get(k)
        if sums is None:
            out[k] = values
            continue
        for i, value in enumerate(values):
            if value is not None:
                sums[i] = value if sums[i] is None else sums[i] + value
    result = []
    for k, sums in out.items():
        group = dict(zip(names, sums, strict=True))
        if key:
            group[key] = k
        result.append(group)
    return result


WIN_FIELDS = ("closed", "won", "closed_mt", "won_mt")
ROLLUP_SKIP = {
    "status",
    "owner_id",
    "region",
    "country",
    "industry",
    "age",
    "month",
    "product_code",
    "period",
    "rejection_reason",
    "competitor_origin",
}


# ------------------------------------------------------------------ pipeline

AGE_ORDER = ["0–7 days", "8–30 days", "31–90 days", "over 90 days"]


def report_pipeline(
    *, user: User | None, filters: ReportFilters, today: date | None = None
) -> list[Table]:
    """Open quotes (draft to sent) by state, age, grade, region, country, industry and rep,
    in tonnes and value; and what expires in the next 7 days."""
    today = today or timezone.localdate()
    units = _units(user=user, filters=filters)
    open_rows = units.rows.filter(status__in=OPEN_STATUSES)
    aggregates = {"quotes": units.quotes(), "tonnes": Sum(units.mt), "value": Sum(units.value)}
    tables = []

    def quote_table(group: str, key: str, label: str, rows: list[dict[str, Any]]) -> Table:
        show = _labeller(group, rows)
        return Table(
            name=f"by_{group}",
            title=f"Open quotes by {label.lower()}",
            columns=[
                (group, label),
                ("quotes", "Quotes"),
                ("tonnes", "MT"),
                ("value", units.value_label),
            ],
            rows=[
                {
                    group: show(r[key]),
                    "quotes": r["quotes"],
                    "tonnes": _q(r["tonnes"], MT3),
                    "value": _q(r["value"]),
                }
                for r in rows
            ],
            chart={"x": group, "y": "tonnes", "mark": "bar"}
            if group in ("status", "region", "grade")
            else None,
        )

    buckets = Case(
        When(quote_date__gte=today - timedelta(days=7), then=Value(AGE_ORDER[0])),
        When(quote_date__gte=today - timedelta(days=30), then=Value(AGE_ORDER[1])),
        When(quote_date__gte=today - timedelta(days=90), then=Value(AGE_ORDER[2])),
        default=Value(AGE_ORDER[3]),
    )
    # One scan: the open quotes grouped by every dimension at once, then each table sums
    # those groups (every quote is in exactly one group, so the sums are exact).
    dims = ["status", "owner_id", "region", "country", "industry", "age"]
    fine = list(open_rows.annotate(age=buckets).values(*dims).annotate(**aggregates).order_by())
    for group in ("status", "rep", "region", "country", "industry", "age"):
        key, label = GROUPS.get(group, ("age", "Age"))
        rows = _rollup(fine, key)
        if group == "age":
            rows.sort(key=lambda r: AGE_ORDER.index(r["age"]))
        table = quote_table(group, key, label, rows)
        if group == "age":
            table.chart = None
            tables.insert(1, table)
        else:
            tables.append(table)
    # Grade: the open quotes' lines (a quote of two grades counts in both).
    grade_units = Units(report_rows(user=user, filters=filters), "qty", "goods_usd", "", True)
    grade_rows = list(
        grade_units.rows.filter(status__in=OPEN_STATUSES)
        .values("product_code")
        .annotate(quotes=grade_units.quotes(), tonnes=Sum("qty"), value=Sum("goods_usd"))
        .order_by("-tonnes", "product_code")
    )
    grade = quote_table("grade", "product_code", "Grade", grade_rows)
    grade.columns[-1] = ("value", "Goods value (USD)")
    tables.insert(1, grade)
    expiring = list(
        units.rows.filter(
            status__in=OPEN_STATUSES,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=7),
        )
        .order_by("valid_until", "quote_id")
        .values(
            "quote_id",
            "quote__number",
            "quote__version",
            "quote__customer__name",
            "owner_id",
            "status",
            "valid_until",
            units.mt,
            units.value,
        )[:50]
    )
    names = _usernames(r["owner_id"] for r in expiring)
    tables.append(
        Table(
            name="expiring",
            title="Expiring in the next 7 days (first 50)",
            columns=[
                ("quote", "Quote"),
                ("customer", "Customer"),
                ("rep", "Rep"),
                ("status", "State"),
                ("valid_until", "Valid until"),
                ("tonnes", "MT"),
                ("value", units.value_label),
            ],
            rows=[
                {
                    "quote": f"{r['quote__number']} v{r['quote__version']}",
                    "customer": r["quote__customer__name"],
                    "rep": names.get(r["owner_id"], ""),
                    "status": STATUS_LABELS.get(r["status"], r["status"]),
                    "valid_until": r["valid_until"],
                    "tonnes": _q(r[units.mt], MT3),
                    "value": _q(r[units.value]),
                }
                for r in expiring
            ],
        )
    )
    return tables


# ------------------------------------------------------------------ win/loss


def _win_columns(first: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        first,
        ("closed", "Closed"),
        ("won", "Won"),
        ("win_rate_count", "Win rate by count %"),
        ("closed_mt", "Closed MT"),
        ("won_mt", "Won MT"),
        ("win_rate_mt", "Win rate by MT %"),
    ]


def _win_row(first_key: str, first: Any, r: dict[str, Any]) -> dict[str, Any]:
    return {
        first_key: first,
        "closed": r["closed"],
        "won": r["won"],
        "win_rate_count": _ratio(r["won"], r["closed"]),
        "closed_mt": _q(r["closed_mt"], MT3),
        "won_mt": _q(r["won_mt"] or ZERO, MT3),
        "win_rate_mt": _ratio(r["won_mt"], r["closed_mt"]),
    }


def _win_aggregates(units: Units) -> dict[str, Any]:
    won = Q(status=S.ACCEPTED)
    return {
        "closed": units.quotes(),
        "won": units.quotes(filter=won),
        "closed_mt": Sum(units.mt),
        "won_mt": Sum(units.mt, filter=won),
    }


def report_winloss(*, user: User | None, filters: ReportFilters) -> list[Table]:
    """Win rate by count and by tonnes (overall, per rep, region, grade and month), decline
    reasons, and the competitors named on rejected quotes against our price."""
    units = _units(user=user, filters=filters)
    closed = units.rows.filter(status__in=CLOSED_STATUSES)
    aggregates = _win_aggregates(units)
    # Decline reasons and competitors from the same scan. Competitors compare quote-level
    # prices (our total USD / tonnes) whatever the grade filter: each quote counted once.
    rejected = Q(status=S.REJECTED)
    named = rejected & Q(competitor_price__isnull=False)
    once = named & Q(grade_first=True) if units.by_line else named
    aggregates |= {
        "reason_quotes": units.quotes(filter=rejected),
        "reason_mt": Sum(units.mt, filter=rejected),
        "comp_quotes": units.quotes(filter=named),
        "comp_mt": Sum("quote_mt", filter=once),
        "comp_ours": Sum("quote_usd", filter=once),
        "comp_theirs": Sum(F("competitor_price") * F("quote_mt"), filter=once, output_field=MONEY),
    }
    tables = []
    # One scan grouped by rep, region, month, reason and competitor origin; the tables sum
    # those groups.
    fine = list(
        closed.values("owner_id", "region", "month", "rejection_reason", "competitor_origin")
        .annotate(**aggregates)
        .order_by()
    )
    total = _rollup(fine, None, WIN_FIELDS)
    tables.append(
        Table(
            name="summary",
            title="Win rate",
            columns=_win_columns(("scope", "Scope")),
            rows=[_win_row("scope", "All", total[0])] if total and total[0]["closed"] else [],
        )
    )
    for group in ("rep", "region"):
        key, label = GROUPS[group]
        rows = sorted(_rollup(fine, key, WIN_FIELDS), key=lambda r: (-r["closed_mt"], str(r[key])))
        show = _labeller(group, rows)
        tables.append(
            Table(
                name=f"by_{group}",
                title=f"Win rate by {label.lower()}",
                columns=_win_columns((group, label)),
                rows=[_win_row(group, show(r[key]), r) for r in rows],
                chart={"x": group, "y": "win_rate_mt", "mark": "bar"},
            )
        )
    line_units = Units(report_rows(user=user, filters=filters), "qty", "goods_usd", "", True)
    grade_rows = (
        line_units.rows.filter(status__in=CLOSED_STATUSES)
        .values("product_code")
        .annotate(**_win_aggregates(line_units))
        .order_by("-closed_mt", "product_code")
    )
    tables.append(
        Table(
            name="by_grade",
            title="Win rate by grade (line tonnes)",
            columns=_win_columns(("grade", "Grade")),
            rows=[_win_row("grade", r["product_code"], r) for r in grade_rows],
        )
    )
    month_rows = sorted(_rollup(fine, "month", WIN_FIELDS), key=lambda r: r["month"])
    tables.append(
        Table(
            name="by_month",
            title="Win rate by month",
            columns=_win_columns(("month", "Month")),
            rows=[_win_row("month", r["month"].strftime("%Y-%m"), r) for r in month_rows],
            chart={"x": "month", "y": "win_rate_mt", "mark": "line"},
        )
    )
    reasons = sorted(
        _rollup(fine, "rejection_reason", ("reason_quotes", "reason_mt")),
        key=lambda r: (-r["reason_quotes"], r["rejection_reason"]),
    )
    tables.append(
        Table(
            name="reasons",
            title="Decline reasons",
            columns=[("reason", "Reason"), ("quotes", "Quotes"), ("tonnes", "MT")],
            rows=[
                {
                    "reason": r["rejection_reason"] or "(none given)",
                    "quotes": r["reason_quotes"],
                    "tonnes": _q(r["reason_mt"], MT3),
                }
                for r in reasons
            ],
            chart={"x": "reason", "y": "quotes", "mark": "bar"},
        )
    )
    comp = [
        {
            "competitor_origin": r["competitor_origin"],
            "quotes": r["comp_quotes"],
            "tonnes": r["comp_mt"],
            "ours": r["comp_ours"],
            "theirs": r["comp_theirs"],
        }
        for r in sorted(
            _rollup(
                fine,
                "competitor_origin",
                ("comp_quotes", "comp_mt", "comp_ours", "comp_theirs"),
            ),
            key=lambda r: (-(r["comp_mt"] or ZERO), r["competitor_origin"]),
        )
        if r["comp_quotes"]
    ]
    rows = []
    for r in comp:
        ours = _per_mt(r["ours"], r["tonnes"])
        theirs = _per_mt(r["theirs"], r["tonnes"])
        rows.append(
            {
                "origin": r["competitor_origin"] or "(unknown)",
                "quotes": r["quotes"],
                "tonnes": _q(r["tonnes"], MT3),
                "ours": ours,
                "theirs": theirs,
                "gap": None if ours is None or theirs is None else ours - theirs,
            }
        )
    tables.append(
        Table(
            name="competitors",
            title="Lost to competitors: their price against ours (USD/MT, weighted by MT)",
            columns=[
                ("origin", "Competitor origin"),
                ("quotes", "Quotes"),
                ("tonnes", "MT"),
                ("ours", "Our price USD/MT"),
                ("theirs", "Their price USD/MT"),
                ("gap", "Gap USD/MT"),
            ],
            rows=rows,
            chart={"x": "origin", "y": "gap", "mark": "bar"},
        )
    )
    return tables


# ------------------------------------------------------------------ price realisation

REALISATION_AGGREGATES: dict[str, Any] = {
    "tonnes": Sum("qty"),
    "net": Sum("goods_usd"),
    "list_value": Sum(F("list_price") * F("qty"), output_field=MONEY),
    "floor_value": Sum(F("floor_price") * F("qty"), output_field=MONEY),
    "floor_tonnes": Sum("qty", filter=Q(floor_price__isnull=False)),
    "gross": Sum(F("unit_price") * F("qty"), output_field=MONEY),
}


def _realisation_row(first_key: str, first: Any, r: dict[str, Any]) -> dict[str, Any]:
    net = _per_mt(r["net"], r["tonnes"])
    list_price = _per_mt(r["list_value"], r["tonnes"])
    floor = _per_mt(r["floor_value"], r["floor_tonnes"])
    return {
        first_key: first,
        "tonnes": _q(r["tonnes"], MT3),
        "net": net,
        "list": list_price,
        "vs_list": None if net is None or list_price is None else net - list_price,
        "vs_list_pct": None
        if net is None or not list_price
        else ((net - list_price) * 100 / list_price).quantize(Decimal("0.1")),
        "floor": floor,
        "vs_floor": None if net is None or floor is None else net - floor,
    }


def _realisation_columns(first: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        first,
        ("tonnes", "MT"),
        ("net", "Net FOB USD/MT"),
        ("list", "List USD/MT"),
        ("vs_list", "vs list USD/MT"),
        ("vs_list_pct", "vs list %"),
        ("floor", "Floor USD/MT"),
        ("vs_floor", "vs floor USD/MT"),
    ]


def report_realisation(*, user: User | None, filters: ReportFilters) -> list[Table]:
    """Accepted quotes' realised net FOB per MT against the list in force and the floor, by
    grade, destination and month; discounts and tariff absorption; the top concessions."""
    lines = report_rows(user=user, filters=filters).filter(status=S.ACCEPTED)
    tables = []
    groups: list[tuple[str, str, str, Callable[[Any], Any]]] = [
        ("grade", "Grade", "product_code", lambda v: v),
        ("country", "Destination", "country", lambda v: v),
        ("month", "Month", "month", lambda v: v.strftime("%Y-%m")),
    ]
    # One scan grouped by grade, destination and month; the tables sum those groups.
    fine = list(
        lines.values("product_code", "country", "month")
        .annotate(**REALISATION_AGGREGATES, absorbed=Sum("absorbed_usd", filter=Q(is_first=True)))
        .order_by()
    )
    for name, label, key, show in groups:
        rows = sorted(_rollup(fine, key), key=lambda r, key=key: r[key])
        tables.append(
            Table(
                name=f"by_{name}",
                title=f"Realised price by {label.lower()}",
                columns=_realisation_columns((name, label)),
                rows=[_realisation_row(name, show(r[key]), r) for r in rows],
                chart={"x": name, "y": "vs_list", "mark": "line" if name == "month" else "bar"}
                if name in ("grade", "month")
                else None,
            )
        )
    totals = {name: None for name in (*REALISATION_AGGREGATES, "absorbed")}
    totals.update(next(iter(_rollup(fine, None)), {}))
    discount = (totals["gross"] or ZERO) - (totals["net"] or ZERO)
    below_list = (totals["list_value"] or ZERO) - (totals["net"] or ZERO)
    absorbed = totals["absorbed"] or ZERO
    tables.append(
        Table(
            name="concessions",
            title="Concessions on accepted quotes (USD)",
            columns=[("what", "Concession"), ("amount", "USD"), ("percent", "% of list value")],
            rows=[
                {
                    "what": "Line discounts",
                    "amount": _q(discount),
                    "percent": _ratio(discount, totals["list_value"]),
                },
                {
                    "what": "Below list in force (price and discount)",
                    "amount": _q(below_list),
                    "percent": _ratio(below_list, totals["list_value"]),
                },
                {
                    "what": "Tariff absorbed",
                    "amount": _q(absorbed),
                    "percent": _ratio(absorbed, totals["list_value"]),
                },
            ]
            if totals["tonnes"]
            else [],
        )
    )
    # The ten lines first, from the flat table alone; then their quotes' numbers and
    # customers (joined in the same query, the planner may join every quote before it
    # sorts: 470 ms instead of 20).
    top = list(
        lines.annotate(
            concession=ExpressionWrapper(
                F("list_price") * F("qty") - F("goods_usd"), output_field=MONEY
            )
        )
        .filter(concession__gt=0)
        .order_by("-concession", "id")
        .values(
            "quote_id",
            "owner_id",
            "product_code",
            "qty",
            "list_price",
            "goods_usd",
            "unit_price",
            "concession",
        )[:10]
    )
    quotes = {
        q["pk"]: q
        for q in Quote.objects.filter(pk__in={r["quote_id"] for r in top}).values(
            "pk", "number", "version", "customer__name"
        )
    }
    names = _usernames(r["owner_id"] for r in top)
    tables.append(
        Table(
            name="top_concessions",
            title="Top 10 concessions below list",
            columns=[
                ("quote", "Quote"),
                ("customer", "Customer"),
                ("rep", "Rep"),
                ("grade", "Grade"),
                ("tonnes", "MT"),
                ("list", "List USD/MT"),
                ("net", "Net USD/MT"),
                ("concession", "Below list USD"),
            ],
            rows=[
                {
                    "quote": "{number} v{version}".format(**quotes[r["quote_id"]]),
                    "customer": quotes[r["quote_id"]]["customer__name"],
                    "rep": names.get(r["owner_id"], ""),
                    "grade": r["product_code"],
                    "tonnes": _q(r["qty"], MT3),
                    "list": _q(r["list_price"]),
                    "net": _per_mt(r["goods_usd"], r["qty"]),
                    "concession": _q(r["concession"]),
                }
                for r in top
            ],
        )
    )
    return tables


# ------------------------------------------------------------------ volumes


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def report_volumes(*, user: User | None, filters: ReportFilters) -> list[Table]:
    """Tonnes quoted, accepted, contracted and shipped per month, grade and destination,
    with the same period of the previous year beside them (one scan over both periods)."""
    prev_from = _shift_year(filters.date_from, -1)
    prev_to = _shift_year(filters.date_to, -1)
    both = ReportFilters(**{**filters.__dict__, "date_from": prev_from})
    lines = report_rows(user=user, filters=both)
    accepted = Q(status=S.ACCEPTED)

    def row(first_key: str, first: Any, r: dict[str, Any]) -> dict[str, Any]:
        return {
            first_key: first,
            "quoted": _q(r["quoted"] or ZERO, MT3),
            "accepted": _q(r["accepted"] or ZERO, MT3),
            "contracted": _q(r["contracted"] or ZERO, MT3),
            "shipped": _q(r["shipped"] or ZERO, MT3),
            "quoted_prev": _q(r["quoted_prev"] or ZERO, MT3),
            "accepted_prev": _q(r["accepted_prev"] or ZERO, MT3),
            "contracted_prev": _q(r["contracted_prev"] or ZERO, MT3),
            "shipped_prev": _q(r["shipped_prev"] or ZERO, MT3),
        }

    def columns(first: tuple[str, str]) -> list[tuple[str, str]]:
        return [
            first,
            ("quoted", "Quoted MT"),
            ("accepted", "Accepted MT"),
            ("contracted", "Contracted MT"),
            ("shipped", "Shipped MT"),
            ("quoted_prev", "Quoted MT, year before"),
            ("accepted_prev", "Accepted MT, year before"),
            ("contracted_prev", "Contracted MT, year before"),
            ("shipped_prev", "Shipped MT, year before"),
        ]

    period = Case(
        When(quote_date__gte=filters.date_from, then=Value("current")),
        When(quote_date__lte=prev_to, then=Value("previous")),
        default=Value("neither"),
    )
    # One scan grouped by period, month, grade and destination; the tables sum those.
    fine = list(
        lines.annotate(period=period)
        .values("period", "month", "product_code", "country")
        .annotate(
            quoted=Sum("qty"),
            accepted=Sum("qty", filter=accepted),
            contracted=Sum("contracted_mt"),
            shipped=Sum("shipped_mt"),
        )
        .order_by()
    )
    split = []
    for r in fine:
        now = r["period"] == "current"
        before = r["period"] == "previous"
        split.append(
            {
                "month": r["month"],
                "product_code": r["product_code"],
                "country": r["country"],
                "quoted": r["quoted"] if now else None,
                "accepted": r["accepted"] if now else None,
                "contracted": r["contracted"] if now else None,
                "shipped": r["shipped"] if now else None,
                "quoted_prev": r["quoted"] if before else None,
                "accepted_prev": r["accepted"] if before else None,
                "contracted_prev": r["contracted"] if before else None,
                "shipped_prev": r["shipped"] if before else None,
            }
        )
    tables = []
    # Month: this period's months; the previous year's figures sit beside the same month.
    by_month: dict[str, dict[str, Any]] = {
        r["month"].strftime("%Y-%m"): r for r in _rollup(split, "month")
    }
    rows = []
    for key in sorted(by_month):
        if key < filters.date_from.strftime("%Y-%m"):
            continue
        year, month = key.split("-")
        prev = by_month.get(f"{int(year) - 1}-{month}", {})
        rows.append(
            row(
                "month",
                key,
                {
                    "quoted": by_month[key]["quoted"],
                    "accepted": by_month[key]["accepted"],
                    "contracted": by_month[key]["contracted"],
                    "shipped": by_month[key]["shipped"],
                    "quoted_prev": prev.get("quoted_prev"),
                    "accepted_prev": prev.get("accepted_prev"),
                    "contracted_prev": prev.get("contracted_prev"),
                    "shipped_prev": prev.get("shipped_prev"),
                },
            )
        )
    tables.append(
        Table(
            name="by_month",
            title="Tonnes per month",
            columns=columns(("month", "Month")),
            rows=rows,
            chart={
                "x": "month",
                "y": ["quoted", "accepted", "shipped", "quoted_prev"],
                "mark": "line",
            },
        )
    )
    for name, label, key in (
        ("grade", "Grade", "product_code"),
        ("country", "Destination", "country"),
    ):
        grouped = sorted(
            _rollup(split, key), key=lambda r, key=key: (-(r["quoted"] or ZERO), r[key])
        )
        tables.append(
            Table(
                name=f"by_{name}",
                title=f"Tonnes by {label.lower()}",
                columns=columns((name, label)),
                rows=[row(name, r[key], r) for r in grouped],
                chart={"x": name, "y": ["quoted", "accepted", "shipped"], "mark": "bar"}
                if name == "grade"
                else None,
            )
        )
    return tables


# ------------------------------------------------------------------ speed


def _hours(d: Any) -> Decimal | None:
    if d is None:
        return None
    return (Decimal(d.total_seconds()) / 3600).quantize(Decimal("0.1"))


def report_speed(*, user: User | None, filters: ReportFilters) -> list[Table]:
    """Average times: enquiry (the customer's last activity on or before the quote date) to
    quote, in days; send to viewed and send to decision, in hours; per rep and overall."""
    units = _units(user=user, filters=filters)

    def once(q: Q) -> Q:  # each quote once, also with a grade filter
        return q & Q(grade_first=True) if units.by_line else q

    def span(end: str, start: str) -> ExpressionWrapper:
        return ExpressionWrapper(F(end) - F(start), output_field=DurationField())

    asked = Q(enquiry_on__isnull=False)
    viewed = Q(viewed_at__isnull=False, sent_at__isnull=False)
    decided = Q(decided_at__isnull=False, sent_at__isnull=False)
    # Sums and counts per rep (one scan); the averages, also overall, are sums ÷ counts.
    per_rep = list(
        units.rows.values("owner_id")
        .annotate(
            quotes=units.quotes(),
            enquiry_sum=Sum(span("quote_date", "enquiry_on"), filter=once(asked)),
            enquiry_n=units.quotes(filter=asked),
            viewed_sum=Sum(span("viewed_at", "sent_at"), filter=once(viewed)),
            viewed_n=units.quotes(filter=viewed),
            decided_sum=Sum(span("decided_at", "sent_at"), filter=once(decided)),
            decided_n=units.quotes(filter=decided),
        )
        .order_by("owner_id")
    )

    def average(r: dict[str, Any], name: str) -> Any:
        return r[f"{name}_sum"] / r[f"{name}_n"] if r[f"{name}_n"] else None

    def row(first_key: str, first: Any, r: dict[str, Any]) -> dict[str, Any]:
        days = average(r, "enquiry")
        return {
            first_key: first,
            "quotes": r["quotes"],
            "enquiry_to_quote_days": None
            if days is None
            else (Decimal(days.total_seconds()) / 86400).quantize(Decimal("0.1")),
            "send_to_viewed_h": _hours(average(r, "viewed")),
            "send_to_decision_h": _hours(average(r, "decided")),
        }

    columns = [
        ("quotes", "Quotes"),
        ("enquiry_to_quote_days", "Enquiry → quote, days"),
        ("send_to_viewed_h", "Send → viewed, hours"),
        ("send_to_decision_h", "Send → decision, hours"),
    ]
    total = next(iter(_rollup(per_rep, None)), None)
    names = _usernames(r["owner_id"] for r in per_rep)
    return [
        Table(
            name="summary",
            title="Average times",
            columns=[("scope", "Scope"), *columns],
            rows=[row("scope", "All", total)] if total and total["quotes"] else [],
        ),
        Table(
            name="by_rep",
            title="Average times by rep",
            columns=[("rep", "Rep"), *columns],
            rows=sorted(
                (row("rep", names.get(r["owner_id"], r["owner_id"]), r) for r in per_rep),
                key=lambda r: str(r["rep"]),
            ),
            chart={"x": "rep", "y": "send_to_decision_h", "mark": "bar"},
        ),
    ]


REPORT_FUNCTIONS: dict[str, Callable[..., list[Table]]] = {
    "pipeline": report_pipeline,
    "winloss": report_winloss,
    "realisation": report_realisation,
    "volumes": report_volumes,
    "speed": report_speed,
}


def report_tables(*, name: str, user: User | None, filters: ReportFilters) -> list[Table]:
    """The tables of the report ``name`` (one of ``REPORTS``)."""
    with _aggregation_memory():
        return REPORT_FUNCTIONS[name](user=user, filters=filters)


@contextmanager
def _aggregation_memory() -> Iterator[None]:
    """On PostgreSQL, room for the grouped scans to hash their groups in memory rather than
    sort 100,000+ rows on disk (the default ``work_mem`` is 4 MB), and no parallel workers:
    on a small server (2 CPUs) the workers' start-up and the CPUs they take from the other
    requests cost more than they save on scans of this size (measured: the win rate by
    grade took 68 ms with two workers, 29 ms without). ``SET LOCAL``, so only for this
    read-only transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(  # is_local=true: SET LOCAL
                "SELECT set_config('work_mem', '32MB', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)"
            )
        yield


def report_choices() -> dict[str, list[tuple[str, str]]]:
    """Choices of the filter form: the catalogue's grades and the currencies with a rate."""
    grades = Product.objects.order_by("code").values_list("code", flat=True)
    currencies = {"USD", *ExchangeRate.objects.values_list("currency", flat=True)}
    return {
        "grades": [(g, g) for g in grades],
        "currencies": [(c, c) for c in sorted(currencies)],
    }
