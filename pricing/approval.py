"""Why a priced quote needs a manager's approval: one list of reason builders.

Pure: every builder takes the engine's result, the facts about the reference data it
used (``ApprovalFacts``: each grade's floor, minimum order and list price with its date,
the exchange rate's date, the freight rate's start) and the policy (``ApprovalPolicy``:
the settings' thresholds), and returns ``Reason`` objects. No ORM, no settings, no I/O:
``pricing.inputs.approval_facts_gather`` gathers the facts and
``ApprovalPolicy.from_settings`` reads the settings.

A reason is stored with the quote version (``Quote.approval_reasons``, a list of
``Reason.to_dict()``: ``{"code", "message", "figures", "warning"}``) and shown to the
approver with its figures. ``warning`` reasons (stale reference data) are also shown as
warnings on the builder, the calculator and the quote page, never on the buyer's
document.

To add a reason: write a builder ``def my_reason(facts, policy) -> list[Reason]`` with a
new code, append it to ``REASON_BUILDERS``, document it in ``docs/quotes.md``. A builder
that needs a fact not gathered yet reads it from ``facts.extra`` (filled by the
selector), so adding one never changes the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import engine
from .engine import PricingResult

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# Duty kinds whose absorption is a reimbursement of the importer's duty (19 CFR 351.402(f)).
AD_CVD_KINDS = frozenset({"anti_dumping", "countervailing"})
US = "US"


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class GradeFacts:
    """What the approval rules need to know about one grade on the quote date."""

    code: str
    floor_usd_per_mt: Decimal | None = None
    min_order_qty_mt: Decimal | None = None
    list_price_usd_per_mt: Decimal | None = None
    list_price_from: date | None = None  # effective date of the list price in force


@dataclass(frozen=True)
class ApprovalFacts:
    result: PricingResult
    grades: Mapping[str, GradeFacts]
    fx_rate_date: date | None = None  # None for USD (no rate needed)
    freight_rate_from: date | None = None  # None when no freight rate was used
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalPolicy:
    discount_threshold_percent: Decimal = Decimal("3")
    stale_price_days: int = 14
    stale_fx_days: int = 7
    stale_freight_days: int = 45

    @classmethod
    def from_settings(cls) -> ApprovalPolicy:
        from django.conf import settings

        conf = settings.MGTRADE
        return cls(
            discount_threshold_percent=conf["APPROVAL_DISCOUNT_THRESHOLD_PERCENT"],
            stale_price_days=conf["STALE_PRICE_DAYS"],
            stale_fx_days=conf["STALE_FX_DAYS"],
            stale_freight_days=conf["STALE_FREIGHT_DAYS"],
        )


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    figures: dict[str, str] = field(default_factory=dict)
    warning: bool = False  # also a visible warning (stale reference data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "figures": dict(self.figures),
            "warning": self.warning,
        }


# (code, what it means): the list docs/quotes.md explains, in REASON_BUILDERS' order.
REASON_CODES = {
    "concession_above_threshold": "Line discount plus tariff absorption per MT is above the threshold",
    "below_floor": "Net price per MT after discount and absorption is below the grade's floor",
    "absorption_us_or_ad_cvd": "Any tariff absorption on a US quote or where AD/CVD duties apply",
    "below_minimum_order": "A grade's quantity is below its minimum order",
    "stale_list_price": "A list price in force is older than MGTRADE_STALE_PRICE_DAYS",
    "stale_fx_rate": "The exchange rate is older than MGTRADE_STALE_FX_DAYS",
    "stale_freight_rate": "The freight rate is older than MGTRADE_STALE_FREIGHT_DAYS",
    "stale_tariff_rule": "A tariff rule the duties use was not verified against the official "
    "tariff for MGTRADE_TARIFF_VERIFY_DAYS (or never)",
}


# ---------------------------------------------------------------- helpers


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):,}"


def _pct(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


def _qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def line_absorptions(result: PricingResult) -> list[Decimal]:
    """Each line's share (USD, full precision) of the quote's absorption: the reported
    absorption split pro rata over the duty amounts it was taken from."""
    total = result.usd.tariff_absorption
    kinds = engine.ABSORBABLE_KINDS
    bases = [sum((d.amount for d in line.duties if d.kind in kinds), ZERO) for line in result.lines]
    base_total = sum(bases, ZERO)
    if not total or not base_total:
        return [ZERO for _ in result.lines]
    return [total * base / base_total for base in bases]


@dataclass(frozen=True)
class LineFigures:
    position: int
    product: str
    quantity_mt: Decimal
    list_price: Decimal  # the list price in force, else the unit price
    unit_price: Decimal
    discount_percent: Decimal
    discount_usd: Decimal
    absorption_usd: Decimal
    net_per_mt: Decimal  # after discount and absorption
    floor: Decimal | None

    @property
    def absorption_per_mt(self) -> Decimal:
        return self.absorption_usd / self.quantity_mt

    @property
    def absorption_percent(self) -> Decimal:
        """Absorption per MT as a percentage of the list price."""
        if not self.list_price:
            return ZERO
        return self.absorption_per_mt / self.list_price * HUNDRED

    @property
    def concession_percent(self) -> Decimal:
        return self.discount_percent + self.absorption_percent

    def base_figures(self) -> dict[str, str]:
        figures = {
            "line": str(self.position),
            "product": self.product,
            "quantity_mt": _qty(self.quantity_mt),
            "list_price_usd_per_mt": _money(self.list_price),
            "unit_price_usd_per_mt": _money(self.unit_price),
            "net_price_usd_per_mt": _money(self.net_per_mt),
            "discount_percent": _pct(self.discount_percent),
            "discount_usd": _money(self.discount_usd),
            "absorption_percent": _pct(self.absorption_percent),
            "absorption_usd": _money(self.absorption_usd),
        }
        if self.floor is not None:
            margin = self.net_per_mt - self.floor
            figures["floor_usd_per_mt"] = _money(self.floor)
            figures["margin_over_floor_usd_per_mt"] = _money(margin)
            figures["margin_over_floor_usd"] = _money(margin * self.quantity_mt)
        return figures


def line_figures(facts: ApprovalFacts) -> list[LineFigures]:
    """List vs net price, discount and absorption of every line, in USD."""
    out = []
    for i, (line, absorbed) in enumerate(
        zip(facts.result.lines, line_absorptions(facts.result), strict=True), start=1
    ):
        grade = facts.grades.get(line.product) or GradeFacts(code=line.product)
        qty = line.quantity_mt
        gross = qty * line.unit_price_usd_per_mt
        discount_usd = gross * line.discount_percent / HUNDRED
        out.append(
            LineFigures(
                position=i,
                product=line.product,
                quantity_mt=qty,
                list_price=grade.list_price_usd_per_mt or line.unit_price_usd_per_mt,
                unit_price=line.unit_price_usd_per_mt,
                discount_percent=line.discount_percent,
                discount_usd=discount_usd,
                absorption_usd=absorbed,
                net_per_mt=(gross - discount_usd - absorbed) / qty,
                floor=grade.floor_usd_per_mt,
            )
        )
    return out


def _age_days(facts: ApprovalFacts, since: date) -> int:
    return (facts.result.quote_date - since).days


# ---------------------------------------------------------------- the builders


def concession_above_threshold(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """A line's discount plus its absorption per MT (as % of the list price) above the
    threshold: absorption is a price concession like a discount."""
    threshold = policy.discount_threshold_percent
    reasons = []
    for lf in line_figures(facts):
        concession = lf.concession_percent
        if concession <= threshold:
            continue
        if lf.absorption_usd:
            what = (
                f"discount {_pct(lf.discount_percent)} % + tariff absorption "
                f"{_pct(lf.absorption_percent)} % of list = {_pct(concession)} %"
            )
        else:
            what = f"discount {_pct(lf.discount_percent)} %"
        reasons.append(
            Reason(
                code="concession_above_threshold",
                message=f"Line {lf.position} ({lf.product}): {what}, above the {threshold} % threshold.",
                figures={
                    **lf.base_figures(),
                    "concession_percent": _pct(concession),
                    "threshold_percent": str(threshold),
                },
            )
        )
    return reasons


def below_floor(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """The net price per MT after discount and absorption is below the grade's floor."""
    reasons = []
    for lf in line_figures(facts):
        if lf.floor is None or lf.net_per_mt >= lf.floor:
            continue
        after = " after discount and absorption" if lf.absorption_usd else " after discount"
        reasons.append(
            Reason(
                code="below_floor",
                message=(
                    f"Line {lf.position} ({lf.product}): net price USD {_money(lf.net_per_mt)}/MT"
                    f"{after} is below the floor of USD {_money(lf.floor)}/MT."
                ),
                figures=lf.base_figures(),
            )
        )
    return reasons


def absorption_us_or_ad_cvd(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """Any absorption at all on a quote to the US or with anti-dumping/countervailing
    duty lines: reimbursing the importer's AD/CVD duty is unlawful (19 CFR 351.402(f))."""
    result = facts.result
    if not result.tariff_absorption_percent:
        return []
    ad_cvd = [
        f"{line.product} {d.kind.replace('_', '-')} {_pct(d.rate_percent)} %"
        for line in result.lines
        for d in line.duties
        if d.kind in AD_CVD_KINDS
    ]
    if result.destination_country != US and not ad_cvd:
        return []
    where = []
    if result.destination_country == US:
        where.append("the destination is the United States")
    if ad_cvd:
        where.append("AD/CVD duties apply (" + ", ".join(ad_cvd) + ")")
    return [
        Reason(
            code="absorption_us_or_ad_cvd",
            message=(
                f"Tariff absorption {_pct(result.tariff_absorption_percent)} % "
                f"(USD {_money(result.usd.tariff_absorption)}) where {' and '.join(where)}."
            ),
            figures={
                "absorption_percent": _pct(result.tariff_absorption_percent),
                "absorption_usd": _money(result.usd.tariff_absorption),
                "destination_country": result.destination_country,
                "ad_cvd_lines": "; ".join(ad_cvd),
            },
        )
    ]


def below_minimum_order(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """A grade's quantity (all its lines together) below its minimum order."""
    totals: dict[str, Decimal] = {}
    for line in facts.result.lines:
        totals[line.product] = totals.get(line.product, ZERO) + line.quantity_mt
    reasons = []
    for code, qty in totals.items():
        grade = facts.grades.get(code)
        minimum = grade.min_order_qty_mt if grade else None
        if minimum is None or qty >= minimum:
            continue
        reasons.append(
            Reason(
                code="below_minimum_order",
                message=f"{_qty(qty)} MT of {code}, minimum {_qty(minimum)} MT.",
                figures={
                    "product": code,
                    "quantity_mt": _qty(qty),
                    "min_order_qty_mt": _qty(minimum),
                },
            )
        )
    return reasons


def stale_list_price(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """A grade's list price in force is older than ``stale_price_days`` on the quote date."""
    reasons = []
    seen = set()
    for line in facts.result.lines:
        grade = facts.grades.get(line.product)
        if line.product in seen or grade is None or grade.list_price_from is None:
            continue
        seen.add(line.product)
        age = _age_days(facts, grade.list_price_from)
        if age <= policy.stale_price_days:
            continue
        reasons.append(
            Reason(
                code="stale_list_price",
                message=(
                    f"The list price of {line.product} is from {grade.list_price_from.isoformat()}, "
                    f"{age} days before the quote date (limit {policy.stale_price_days})."
                ),
                figures={
                    "product": line.product,
                    "date": grade.list_price_from.isoformat(),
                    "age_days": str(age),
                    "limit_days": str(policy.stale_price_days),
                },
                warning=True,
            )
        )
    return reasons


def stale_fx_rate(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """The exchange rate used is older than ``stale_fx_days`` on the quote date."""
    if facts.fx_rate_date is None:
        return []
    age = _age_days(facts, facts.fx_rate_date)
    if age <= policy.stale_fx_days:
        return []
    currency = facts.result.currency
    return [
        Reason(
            code="stale_fx_rate",
            message=(
                f"The {currency} exchange rate is from {facts.fx_rate_date.isoformat()}, "
                f"{age} days before the quote date (limit {policy.stale_fx_days})."
            ),
            figures={
                "currency": currency,
                "date": facts.fx_rate_date.isoformat(),
                "age_days": str(age),
                "limit_days": str(policy.stale_fx_days),
            },
            warning=True,
        )
    ]


def stale_freight_rate(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """The freight rate used started more than ``stale_freight_days`` before the quote date."""
    if facts.freight_rate_from is None:
        return []
    age = _age_days(facts, facts.freight_rate_from)
    if age <= policy.stale_freight_days:
        return []
    result = facts.result
    route = f"{result.origin_port}→{result.destination_port}"
    return [
        Reason(
            code="stale_freight_rate",
            message=(
                f"The freight rate {route} is from {facts.freight_rate_from.isoformat()}, "
                f"{age} days before the quote date (limit {policy.stale_freight_days})."
            ),
            figures={
                "route": route,
                "date": facts.freight_rate_from.isoformat(),
                "age_days": str(age),
                "limit_days": str(policy.stale_freight_days),
            },
            warning=True,
        )
    ]


def stale_tariff_rule(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """A tariff rule the duties use is stale (docs/tariff-watch.md): the selector puts the
    stale rules in ``facts.extra["stale_tariff_rules"]`` (dicts: id, destination,
    hs_prefix, kind, rate_percent, verified_on, verify_days)."""
    reasons = []
    for rule in facts.extra.get("stale_tariff_rules", ()):
        checked = (
            f"last verified on {rule['verified_on']}, more than {rule['verify_days']} days ago"
            if rule["verified_on"]
            else "never verified"
        )
        reasons.append(
            Reason(
                code="stale_tariff_rule",
                message=(
                    f"Tariff rule {rule['destination']} {rule['hs_prefix']} {rule['kind']} "
                    f"({rule['rate_percent']} %) is stale: {checked} against the official tariff."
                ),
                figures={
                    "rule_id": str(rule["id"]),
                    "destination": rule["destination"],
                    "hs_prefix": rule["hs_prefix"],
                    "kind": rule["kind"],
                    "verified_on": rule["verified_on"] or "never",
                },
                warning=True,
            )
        )
    return reasons


Builder = Callable[[ApprovalFacts, ApprovalPolicy], list[Reason]]

# Every reason a quote can need approval for, in the order they are shown.
REASON_BUILDERS: list[Builder] = [
    concession_above_threshold,
    below_floor,
    absorption_us_or_ad_cvd,
    below_minimum_order,
    stale_list_price,
    stale_fx_rate,
    stale_freight_rate,
    stale_tariff_rule,
]


def approval_reasons(facts: ApprovalFacts, policy: ApprovalPolicy) -> list[Reason]:
    """All the reasons this priced quote needs approval (empty: it needs none)."""
    return [reason for build in REASON_BUILDERS for reason in build(facts, policy)]


def reasons_as_dicts(reasons: list[Reason]) -> list[dict[str, Any]]:
    return [reason.to_dict() for reason in reasons]


def reason_dicts(stored: list[Any]) -> list[dict[str, Any]]:
    """Stored reasons as dicts (reasons stored before they had codes were plain text)."""
    return [
        r
        if isinstance(r, dict)
        else {"code": "", "message": str(r), "figures": {}, "warning": False}
        for r in stored or []
    ]
