"""US import fees as tariff rules: the MPF (0.3464 % of the entered value, with an optional
minimum and maximum per entry) and the HMF (0.125 %): in the DDP total and the landed cost,
never absorbed."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from pricing.engine import TariffRuleData, document_lines, price
from tests.pricing.cases import USHOU, WORKED


def mpf(**limits) -> TariffRuleData:
    return TariffRuleData(
        destination="US",
        hs_prefix="8104",
        kind="entry_fee",
        rate_percent=D("0.3464"),
        basis="FOB",
        valid_from=date(2025, 1, 1),
        reference="19 CFR 24.23(b)(1)",
        **limits,
    )


HMF = TariffRuleData(
    destination="US",
    hs_prefix="8104",
    kind="port_fee",
    rate_percent=D("0.125"),
    basis="FOB",
    valid_from=date(2025, 1, 1),
    reference="19 CFR 24.24",
)


def us(incoterm="DDP", rules=(), **changes):
    return replace(
        WORKED,
        incoterm=incoterm,
        destination_port=USHOU,
        currency="USD",
        fx_rate=D("1"),
        tariff_rules=tuple(rules),
        **changes,
    )


def test_mpf_and_hmf_are_rates_of_the_entered_value_and_count_in_ddp_and_landed_cost():
    result = price(us(rules=[mpf(), HMF]))
    goods = [line.goods_value for line in result.lines]
    for line, value in zip(result.lines, goods, strict=True):
        fees = {d.kind: d.amount for d in line.duties}
        assert fees["entry_fee"] == (value * D("0.003464")).quantize(D("0.01"))
        assert fees["port_fee"] == (value * D("0.00125")).quantize(D("0.01"))
    without = price(us(rules=[]))
    assert result.usd.quote_total - without.usd.quote_total == result.usd.duties
    assert result.usd.landed_cost - without.usd.landed_cost == result.usd.duties
    assert result.duty_lines[0].to_dict()["rate_percent"] == "0.3464"


def test_the_mpf_maximum_per_entry_caps_the_quote_and_is_shared_over_the_lines():
    result = price(us(rules=[mpf(max_usd_per_entry=D("600.00"))]))
    fees = [d.amount for d in result.duty_lines]
    assert sum(fees) == D("600.00")
    assert fees[0] > fees[1]  # pro rata to the lines' entered values


def test_the_mpf_minimum_per_entry_lifts_a_small_entry():
    small = replace(WORKED.lines[0], quantity_mt=D("0.01"))
    result = price(us(rules=[mpf(min_usd_per_entry=D("32.71"))], lines=(small,)))
    assert sum(d.amount for d in result.duty_lines) == D("32.71")


def test_fees_are_never_absorbed_and_raise_no_ad_cvd_warning():
    result = price(us(incoterm="CIF", rules=[mpf(), HMF], tariff_absorption_percent=D("100")))
    assert result.usd.tariff_absorption == D("0")
    assert not any("anti-dumping" in w for w in result.warnings)
    lines = document_lines(result)
    assert sum(line.landed_cost for line in lines) == result.quote_currency.landed_cost


HMF_OCEAN = replace(HMF, transport_mode="ocean")


def test_the_hmf_applies_on_an_ocean_lane_only():
    """The rule says "ocean only" in data; the lane says how the goods travel."""
    ocean = price(us(rules=[HMF_OCEAN]))
    assert {d.kind for d in ocean.duty_lines} == {"port_fee"}
    rail = price(
        us(rules=[HMF_OCEAN, mpf()], freight=replace(WORKED.freight, transport_mode="rail"))
    )
    assert {d.kind for d in rail.duty_lines} == {"entry_fee"}  # the MPF applies to any mode
    # without a freight rate (FOB on a lane without one) the sea ports mean ocean
    fob = price(us(incoterm="FOB", rules=[HMF_OCEAN], freight=None))
    assert {d.kind for d in fob.duty_lines} == {"port_fee"}


def test_a_rail_lane_from_the_admin_drops_the_seeded_hmf(db):
    """Through the gatherer: the seeded HMF is ocean only, a lane's mode comes from its
    freight rate."""
    from pricing.inputs import pricing_run
    from products import reference_demo, services
    from products.models import FreightRate, TariffRule

    cntxg = services.port_create(code="CNTXG", name="Tianjin Xingang", country="CN")
    ushou = services.port_create(code="USHOU", name="Houston", country="US")
    services.exchange_rate_create(currency="USD", rate_per_usd=D("1"), date=date(2026, 1, 1))
    for fee in reference_demo.US_ENTRY_FEES:
        services.tariff_rule_create(origin_country="CN", **fee)
    assert TariffRule.objects.get(kind="port_fee").transport_mode == "ocean"
    from tests.products.factories import ProductFactory

    ProductFactory(code="MG9990", hs_code="8104.11.00")
    rate = services.freight_rate_create(
        origin_port=cntxg,
        destination_port=ushou,
        usd_per_container=D("3000"),
        mt_per_container=D("22"),
        valid_from=date(2026, 1, 1),
    )
    request = dict(
        incoterm="DDP",
        origin_port="CNTXG",
        destination_port="USHOU",
        currency="USD",
        quote_date=date(2026, 11, 20),
        lines=[{"product": "MG9990", "quantity_mt": "20", "unit_price_usd_per_mt": "2500"}],
    )
    ocean, _ = pricing_run(**request)
    assert {d.kind for d in ocean.duty_lines} == {"entry_fee", "port_fee"}
    FreightRate.objects.filter(pk=rate.pk).update(transport_mode="rail")
    rail, _ = pricing_run(**request)
    assert {d.kind for d in rail.duty_lines} == {"entry_fee"}
