"""Re-price a stored quote under other tariff rules, without the database.

A quote's ``pricing`` (the engine's result, its snapshot) holds every input the engine
needs: the lines, ports, freight, exchange rate, percentages and the duty lines with the
rules they came from. ``snapshot_input`` rebuilds the engine's input from it (running the
engine on that input gives the stored figures back: tested), and ``reprice`` runs the pure
engine with a different set of rules. Rules are plain ``TariffRuleData``: a real change's
rules (chosen as in force on its effective date) or a scenario's hypothetical ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pricing.engine import (
    EU_MEMBER_STATES,
    FreightData,
    LineInput,
    PortData,
    PricingInput,
    PricingResult,
    TariffRuleData,
    currency_quantum,
    price,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")


def rule_from_duty(duty: dict[str, Any]) -> TariffRuleData:
    """The (undated) rule a stored duty line came from."""
    return TariffRuleData(
        destination=duty["destination"],
        hs_prefix=duty.get("hs_prefix", ""),
        kind=duty["kind"],
        rate_percent=Decimal(duty["rate_percent"]),
        basis=duty["basis"],
        origin_country=duty.get("origin_country", "CN"),
        specific_usd_per_mt=Decimal(duty["specific_usd_per_mt"]),
        reference=duty.get("reference", ""),
        id=duty.get("rule_id"),
        min_usd_per_entry=_limit(duty.get("min_usd_per_entry")),
        max_usd_per_entry=_limit(duty.get("max_usd_per_entry")),
        transport_mode=duty.get("transport_mode", ""),
    )


def _limit(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def snapshot_rules(pricing: dict[str, Any]) -> list[TariffRuleData]:
    """The rules a stored quote was priced with, once each, in their first-use order."""
    seen: dict[Any, TariffRuleData] = {}
    for line in pricing["lines"]:
        for duty in line["duties"]:
            rule = rule_from_duty(duty)
            key = rule.id if rule.id is not None else (rule.destination, rule.hs_prefix, rule.kind)
            seen.setdefault(key, rule)
    return list(seen.values())


def snapshot_input(
    pricing: dict[str, Any], rules: Sequence[TariffRuleData] | None = None
) -> PricingInput:
    """The engine's input behind a stored result, with ``rules`` (default: its own)."""
    usd = pricing["usd"]
    qty = Decimal(pricing["total_quantity_mt"])
    origin_per_mt = Decimal(usd.get("origin_deduction", "0")) / qty
    destination_per_mt = Decimal(usd.get("destination_port_charges", "0")) / qty
    return PricingInput(
        quote_date=date.fromisoformat(pricing["quote_date"]),
        incoterm=pricing["incoterm"],
        origin_port=PortData(
            code=pricing["origin_port"],
            country=pricing.get("origin_country", "CN"),
            origin_charges_usd_per_mt=origin_per_mt,
        ),
        destination_port=PortData(
            code=pricing["destination_port"],
            country=pricing["destination_country"],
            destination_charges_usd_per_mt=destination_per_mt,
        ),
        # a quote priced without a freight rate (v2: EXW/FCA/FOB) stored 0 MT per container
        freight=FreightData(
            usd_per_container=Decimal(pricing["freight_usd_per_container"]),
            mt_per_container=Decimal(pricing["mt_per_container"]),
        )
        if Decimal(pricing["mt_per_container"])
        else None,
        currency=pricing["currency"],
        fx_rate=Decimal(pricing["fx_rate"]),
        lines=tuple(
            LineInput(
                product=line["product"],
                hs_code=line["hs_code"],
                quantity_mt=Decimal(line["quantity_mt"]),
                unit_price_usd_per_mt=Decimal(line["unit_price_usd_per_mt"]),
                discount_percent=Decimal(line["discount_percent"]),
                name=line.get("name", ""),
            )
            for line in pricing["lines"]
        ),
        tariff_rules=tuple(snapshot_rules(pricing) if rules is None else rules),
        insurance_rate_percent=Decimal(pricing.get("insurance_rate_percent", "0")),
        tariff_absorption_percent=Decimal(pricing.get("tariff_absorption_percent", "0")),
    )


def reprice(pricing: dict[str, Any], rules: Sequence[TariffRuleData]) -> PricingResult:
    return price(snapshot_input(pricing, rules))


def _covers(rule: TariffRuleData, destination_country: str) -> bool:
    return rule.destination == destination_country or (
        rule.destination == "EU" and destination_country in EU_MEMBER_STATES
    )


def hs_touched(pricing: dict[str, Any], prefixes: Iterable[str]) -> bool:
    """Whether any line's HS code starts with one of the prefixes (digits)."""
    prefixes = tuple(prefixes)
    return any(line["hs_code"].replace(".", "").startswith(prefixes) for line in pricing["lines"])


def rules_after_change(
    pricing: dict[str, Any],
    *,
    removed_ids: set[int],
    added: Sequence[TariffRuleData],
    on: date,
) -> list[TariffRuleData] | None:
    """The quote's rules with a real change applied, or ``None`` when it changes nothing.

    ``removed_ids`` stop applying; ``added`` (dated) come in where in force on ``on`` (the
    later of the change's effective date and the quote date) and not already used."""
    current = snapshot_rules(pricing)
    used = {r.id for r in current}
    country = pricing["destination_country"]
    origin = pricing.get("origin_country", "CN")
    new_rules = [
        replace(r, valid_from=None, valid_to=None)
        for r in added
        if r.id not in used
        and _covers(r, country)
        and r.origin_country == origin
        and (r.valid_from is None or r.valid_from <= on)
        and (r.valid_to is None or on <= r.valid_to)
    ]
    if new_rules and not hs_touched(pricing, (r.hs_prefix for r in new_rules)):
        new_rules = []
    if not new_rules and not (used & removed_ids):
        return None
    return [r for r in current if r.id not in removed_ids] + new_rules


def rules_with_scenario(
    pricing: dict[str, Any], hypothetical: Sequence[TariffRuleData]
) -> list[TariffRuleData] | None:
    """The quote's rules with a scenario's hypothetical rules: each replaces the quote's
    rules of the same destination, origin, kind and HS prefix, or is added. ``None`` when
    no hypothetical rule concerns the quote."""
    country = pricing["destination_country"]
    origin = pricing.get("origin_country", "CN")
    mine = [h for h in hypothetical if _covers(h, country) and h.origin_country == origin]
    if not mine or not hs_touched(pricing, (h.hs_prefix for h in mine)):
        return None
    keys = {(h.destination, h.origin_country, h.kind, h.hs_prefix) for h in mine}
    kept = [
        r
        for r in snapshot_rules(pricing)
        if (r.destination, r.origin_country, r.kind, r.hs_prefix) not in keys
    ]
    return kept + [replace(h, valid_from=None, valid_to=None) for h in mine]


@dataclass(frozen=True, slots=True)
class Impact:
    """Old (the snapshot) and new figures of one quote; per MT rounded like the engine."""

    currency: str
    total_quantity_mt: Decimal
    old_duties_usd: Decimal
    new_duties_usd: Decimal
    old_landed_per_mt_usd: Decimal
    new_landed_per_mt_usd: Decimal
    old_landed_per_mt_qc: Decimal
    new_landed_per_mt_qc: Decimal
    old_landed_usd: Decimal
    new_landed_usd: Decimal

    @property
    def change_per_mt_usd(self) -> Decimal:
        return self.new_landed_per_mt_usd - self.old_landed_per_mt_usd

    @property
    def change_per_mt_qc(self) -> Decimal:
        return self.new_landed_per_mt_qc - self.old_landed_per_mt_qc

    @property
    def change_total_usd(self) -> Decimal:
        return self.new_landed_usd - self.old_landed_usd

    @property
    def changed(self) -> bool:
        return self.new_landed_usd != self.old_landed_usd


def impact_of(pricing: dict[str, Any], rules: Sequence[TariffRuleData]) -> Impact:
    """The quote's landed cost under ``rules`` against its stored figures."""
    new = reprice(pricing, rules)
    usd, qc = pricing["usd"], pricing["quote_currency"]
    if usd.get("landed_cost") is None:  # unknown landed cost (no freight rate): no change
        return Impact(
            currency=pricing["currency"],
            total_quantity_mt=new.total_quantity_mt,
            old_duties_usd=Decimal(usd["duties"]),
            new_duties_usd=new.usd.duties,
            old_landed_per_mt_usd=Decimal(0),
            new_landed_per_mt_usd=Decimal(0),
            old_landed_per_mt_qc=Decimal(0),
            new_landed_per_mt_qc=Decimal(0),
            old_landed_usd=Decimal(0),
            new_landed_usd=Decimal(0),
        )
    quantum = currency_quantum(pricing["currency"])
    return Impact(
        currency=pricing["currency"],
        total_quantity_mt=new.total_quantity_mt,
        old_duties_usd=Decimal(usd["duties"]),
        new_duties_usd=new.usd.duties,
        old_landed_per_mt_usd=Decimal(usd["landed_cost_per_mt"]),
        new_landed_per_mt_usd=new.usd.landed_cost_per_mt,
        old_landed_per_mt_qc=Decimal(qc["landed_cost_per_mt"]).quantize(quantum, ROUND_HALF_UP),
        new_landed_per_mt_qc=new.quote_currency.landed_cost_per_mt,
        old_landed_usd=Decimal(usd["landed_cost"]),
        new_landed_usd=new.usd.landed_cost,
    )


def _money(value: Decimal, currency: str) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    amount = abs(value).quantize(currency_quantum(currency), ROUND_HALF_UP)
    return f"{sign}{currency} {amount:,}"


def banner_text(impact: Any, effective_on: date) -> str:
    text = f"Tariff change on {effective_on.isoformat()}: landed cost {_money(impact.change_per_mt_usd, 'USD')}/MT"
    if impact.currency != "USD":
        text += f" ({_money(impact.change_per_mt_qc, impact.currency)}/MT)"
    return text
