"""Engine inputs shared by the pricing tests: the worked example of docs/pricing.md."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from pricing.engine import FreightData, LineInput, PortData, PricingInput, TariffRuleData

CNTXG = PortData(
    code="CNTXG", country="CN", origin_charges_usd_per_mt=D("18"), name="Tianjin Xingang"
)
DEHAM = PortData(code="DEHAM", country="DE", destination_charges_usd_per_mt=D("28"), name="Hamburg")
USHOU = PortData(code="USHOU", country="US", destination_charges_usd_per_mt=D("30"), name="Houston")
BRSSZ = PortData(code="BRSSZ", country="BR", destination_charges_usd_per_mt=D("25"), name="Santos")

EU_811 = TariffRuleData(
    destination="EU",
    hs_prefix="810411",
    kind="mfn",
    rate_percent=D("5.3"),
    basis="CIF",
    reference="EU TARIC (example)",
    id=1,
)
EU_819 = TariffRuleData(
    destination="EU",
    hs_prefix="810419",
    kind="mfn",
    rate_percent=D("4"),
    basis="CIF",
    reference="EU TARIC (example)",
    id=2,
)

LINE_1 = LineInput(
    product="MG9990",
    name="Magnesium ingot 99.90%",
    hs_code="8104.11.00",
    quantity_mt=D("50"),
    unit_price_usd_per_mt=D("2450.00"),
    discount_percent=D("2"),
)
LINE_2 = LineInput(
    product="AZ91D",
    name="AZ91D alloy ingot",
    hs_code="8104.19.00",
    quantity_mt=D("20"),
    unit_price_usd_per_mt=D("3100.00"),
    discount_percent=D("0"),
)

WORKED = PricingInput(
    quote_date=date(2026, 11, 20),
    incoterm="CIF",
    origin_port=CNTXG,
    destination_port=DEHAM,
    freight=FreightData(usd_per_container=D("2100"), mt_per_container=D("22")),
    currency="EUR",
    fx_rate=D("0.9250"),
    lines=(LINE_1, LINE_2),
    tariff_rules=(EU_811, EU_819),
    insurance_rate_percent=D("0.15"),
)


def worked(**changes) -> PricingInput:
    return replace(WORKED, **changes)
