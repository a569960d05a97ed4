"""The pricing engine against docs/pricing.md: the worked example to the cent, each rule."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from pricing.engine import (
    EU_MEMBER_STATES,
    INCOTERMS,
    FreightData,
    LineInput,
    PortData,
    PricingError,
    PricingResult,
    TariffRuleData,
    price,
)
from tests.pricing.cases import BRSSZ, LINE_1, LINE_2, USHOU, WORKED, worked

WORKED_TOTALS = {
    "EXW": D("180790.00"),
    "FCA": D("182050.00"),
    "FOB": D("182050.00"),
    "CFR": D("190450.00"),
    "CPT": D("190450.00"),
    "CIF": D("190764.24"),
    "CIP": D("190764.24"),
    "DAP": D("192724.24"),
    "DPU": D("192724.24"),
    "DDP": D("201996.16"),
}


def test_worked_example_to_the_cent():
    result = price(WORKED)
    usd = result.usd
    assert result.containers == 4
    assert result.total_quantity_mt == D("70")
    assert [line.goods_value for line in result.lines] == [D("120050.00"), D("62000.00")]
    assert usd.goods_value == D("182050.00")
    assert usd.freight == D("8400.00")
    assert usd.insurance == D("314.24")
    duty_1, duty_2 = result.duty_lines
    assert duty_1.customs_value == D("126257.98")
    assert duty_1.amount == D("6691.67")
    assert duty_2.amount == D("2580.25")
    assert usd.duties == D("9271.92")
    assert usd.quote_total == D("190764.24")
    assert usd.landed_cost == D("201996.16")
    assert usd.landed_cost_per_mt == D("2885.66")
    assert result.quote_currency.quote_total == D("176456.92")


@pytest.mark.parametrize("incoterm", INCOTERMS)
def test_worked_example_total_for_every_incoterm(incoterm):
    result = price(worked(incoterm=incoterm))
    assert result.usd.quote_total == WORKED_TOTALS[incoterm]
    # The buyer's landed cost is the same whatever the term.
    assert result.usd.landed_cost == D("201996.16")
    assert result.usd.landed_cost_per_mt == D("2885.66")


@pytest.mark.parametrize(
    ("incoterm", "parts"),
    [
        ("EXW", {"goods_value": 1, "origin_deduction": -1}),
        ("FOB", {"goods_value": 1}),
        ("CFR", {"goods_value": 1, "freight": 1}),
        ("CIF", {"goods_value": 1, "freight": 1, "insurance": 1}),
        ("DAP", {"goods_value": 1, "freight": 1, "insurance": 1, "destination_charges": 1}),
        (
            "DDP",
            {
                "goods_value": 1,
                "freight": 1,
                "insurance": 1,
                "destination_charges": 1,
                "duties": 1,
            },
        ),
    ],
)
def test_each_incoterm_composes_its_total_from_its_components(incoterm, parts):
    usd = price(worked(incoterm=incoterm)).usd
    expected = sum((sign * getattr(usd, name) for name, sign in parts.items()), D("0"))
    assert usd.quote_total == expected
    assert (usd.origin_deduction > 0) == (incoterm == "EXW")
    assert (usd.destination_charges > 0) == (incoterm in {"DAP", "DDP"})
    assert usd.destination_port_charges == D("1960.00")


def test_absorption_lowers_total_and_landed_cost_but_not_under_ddp():
    result = price(worked(tariff_absorption_percent=D("50")))
    # half of the full-precision duties 9,271.9229… = 4,635.96
    assert result.usd.tariff_absorption == D("4635.96")
    assert result.usd.quote_total == D("190764.24") - D("4635.96")
    assert result.usd.landed_cost == D("201996.16") - D("4635.96")
    with pytest.raises(PricingError) as exc:
        price(worked(incoterm="DDP", tariff_absorption_percent=D("10")))
    assert "tariff_absorption_percent" in exc.value.errors


def test_eu_rule_matches_every_member_state_and_no_other_country():
    assert len(EU_MEMBER_STATES) == 27
    for country, expected in [
        ("DE", True),
        ("NL", True),
        ("IT", True),
        ("GB", False),
        ("TR", False),
    ]:
        port = PortData(code=f"{country}XXX", country=country)
        result = price(worked(destination_port=port))
        assert bool(result.duty_lines) is expected, country
    # a rule applies from its first day (valid_from inclusive), to France as to Germany
    france = PortData(code="FRFOS", country="FR")
    on_first_day = price(worked(destination_port=france, quote_date=date(2026, 1, 1)))
    assert [d.amount for d in on_first_day.duty_lines] == [
        d.amount for d in price(worked(quote_date=date(2026, 1, 1))).duty_lines
    ]
    assert len(on_first_day.duty_lines) == 2


def test_rule_needs_matching_origin_and_hs_prefix():
    other_origin = replace(WORKED.tariff_rules[0], origin_country="RU")
    result = price(worked(tariff_rules=(other_origin,)))
    assert result.duty_lines == []
    assert any("No tariff rule" in w for w in result.warnings)
    # 8104.11 does not match 810419
    result = price(worked(tariff_rules=(WORKED.tariff_rules[1],), lines=(LINE_1,)))
    assert result.duty_lines == []
    # a short prefix covers the whole heading; dots in the HS code are ignored
    heading = TariffRuleData(
        destination="DE", hs_prefix="8104", kind="other", rate_percent=D("1"), basis="CIF"
    )
    assert len(price(worked(tariff_rules=(heading,))).duty_lines) == 2


US_RULES = (
    TariffRuleData("US", "810411", "mfn", D("8"), "FOB", reference="HTS 8104.11.00"),
    TariffRuleData("US", "810411", "anti_dumping", D("108.26"), "FOB", reference="A-570-832"),
    TariffRuleData(
        "US",
        "8104",
        "retaliatory",
        D("10"),
        "FOB",
        valid_from=date(2025, 11, 10),
        reference="IEEPA fentanyl 9903.01.24",
    ),
    TariffRuleData(
        "US",
        "8104",
        "retaliatory",
        D("10"),
        "FOB",
        valid_to=date(2026, 11, 10),
        reference="IEEPA reciprocal 9903.01.25",
    ),
)


def test_us_duties_stack_on_fob_value():
    result = price(
        worked(destination_port=USHOU, lines=(LINE_1,), tariff_rules=US_RULES, incoterm="CIF")
    )
    duties = result.lines[0].duties
    # reciprocal duty lapsed on 2026-11-10; the quote is dated 2026-11-20
    assert [(d.kind, d.rate_percent) for d in duties] == [
        ("mfn", D("8")),
        ("anti_dumping", D("108.26")),
        ("retaliatory", D("10")),
    ]
    assert {d.customs_value for d in duties} == {D("120050.00")}  # goods only: FOB basis
    assert [d.amount for d in duties] == [D("9604.00"), D("129966.13"), D("12005.00")]
    assert result.usd.duties == D("151575.13")
    assert result.lines[0].duties_total == D("151575.13")


def test_validity_is_judged_on_the_quote_date_inclusive():
    on_last_day = price(
        worked(
            destination_port=USHOU,
            lines=(LINE_1,),
            tariff_rules=US_RULES,
            quote_date=date(2026, 11, 10),
        )
    )
    assert len(on_last_day.duty_lines) == 4
    before = price(
        worked(
            destination_port=USHOU,
            lines=(LINE_1,),
            tariff_rules=US_RULES,
            quote_date=date(2025, 11, 9),
        )
    )
    assert [d.reference for d in before.duty_lines] == [
        "HTS 8104.11.00",
        "A-570-832",
        "IEEPA reciprocal 9903.01.25",
    ]


def test_specific_duty_is_per_tonne():
    brazil_ad = TariffRuleData(
        "BR",
        "810411",
        "anti_dumping",
        D("0"),
        "CIF",
        specific_usd_per_mt=D("1180"),
        reference="CAMEX 79/2009",
    )
    result = price(worked(destination_port=BRSSZ, tariff_rules=(brazil_ad,)))
    (duty,) = result.duty_lines
    assert duty.amount == D("59000.00")  # 50 MT × 1,180 USD/MT
    assert result.lines[1].duties == ()
    mixed = replace(brazil_ad, rate_percent=D("1"), specific_usd_per_mt=D("0.5"))
    (duty,) = price(worked(destination_port=BRSSZ, tariff_rules=(mixed,))).duty_lines
    assert duty.amount == (duty.customs_value / 100 + 25).quantize(D("0.01"))


def test_amounts_round_half_up_once_and_totals_add_rounded_amounts():
    line = LineInput(
        product="X", hs_code="8104.11", quantity_mt=D("1.5"), unit_price_usd_per_mt=D("1.03")
    )
    result = price(
        worked(
            lines=(line, line),
            freight=FreightData(usd_per_container=D("0"), mt_per_container=D("22")),
            tariff_rules=(),
            incoterm="FOB",
        )
    )
    # 1.5 × 1.03 = 1.545 → 1.55 (half-up, not half-even); goods = 1.55 + 1.55, not 3.09
    assert [lr.goods_value for lr in result.lines] == [D("1.55"), D("1.55")]
    assert result.usd.goods_value == D("3.10")


def test_currency_components_convert_one_by_one():
    result = price(worked(currency="JPY", fx_rate=D("155.123456"), incoterm="DDP"))
    usd, jpy = result.usd, result.quote_currency
    for name in ("goods_value", "freight", "insurance", "duties", "destination_charges"):
        assert getattr(jpy, name) == (getattr(usd, name) * D("155.123456")).quantize(D("1"))
    assert jpy.quote_total == (
        jpy.goods_value + jpy.freight + jpy.insurance + jpy.destination_charges + jpy.duties
    )
    assert jpy.landed_cost == (
        jpy.goods_value + jpy.freight + jpy.insurance + jpy.duties + jpy.destination_port_charges
    )
    assert jpy.landed_cost_per_mt == (jpy.landed_cost / 70).quantize(D("1"))


def test_yen_and_won_amounts_are_whole_units_and_round_trip():
    result = price(worked(currency="JPY", fx_rate=D("155.123456"), incoterm="CIF"))
    as_dict = result.to_dict()["quote_currency"]
    assert all("." not in value for value in as_dict.values())
    assert PricingResult.from_dict(result.to_dict()) == result
    eur = price(worked())
    assert eur.to_dict()["quote_currency"]["quote_total"] == "176456.92"


def test_containers_round_up():
    assert price(worked(lines=(replace(LINE_1, quantity_mt=D("22")),))).containers == 1
    assert price(worked(lines=(replace(LINE_1, quantity_mt=D("22.001")),))).containers == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"incoterm": "XYZ"}, "incoterm"),
        ({"tariff_absorption_percent": D("101")}, "tariff_absorption_percent"),
        ({"tariff_absorption_percent": D("-1")}, "tariff_absorption_percent"),
        ({"incoterm": "DDP", "tariff_absorption_percent": D("5")}, "tariff_absorption_percent"),
        ({"destination_port": PortData(code="CNTXG", country="CN")}, "destination_port"),
        ({"insurance_rate_percent": D("-0.1")}, "insurance_rate_percent"),
        ({"lines": ()}, "lines"),
    ],
)
def test_invalid_terms_name_the_field(changes, field):
    with pytest.raises(PricingError) as exc:
        price(worked(**changes))
    assert field in exc.value.errors


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity_mt": D("0")}, "quantity_mt"),
        ({"quantity_mt": D("-1")}, "quantity_mt"),
        ({"quantity_mt": D("100000.001")}, "quantity_mt"),
        ({"discount_percent": D("-1")}, "discount_percent"),
        ({"discount_percent": D("100.01")}, "discount_percent"),
        ({"unit_price_usd_per_mt": D("-5")}, "unit_price_usd_per_mt"),
    ],
)
def test_invalid_line_names_the_line_and_field(changes, field):
    with pytest.raises(PricingError) as exc:
        price(worked(lines=(LINE_1, replace(LINE_2, **changes))))
    assert exc.value.errors["lines"][0] == {}
    assert field in exc.value.errors["lines"][1]
    assert f"lines[1].{field}" in exc.value.flat()


def test_upper_quantity_limit_is_allowed():
    assert price(worked(lines=(replace(LINE_1, quantity_mt=D("100000")),))).containers == 4546


def test_to_dict_matches_the_api_contract_and_round_trips():
    result = price(WORKED)
    data = result.to_dict()
    assert data["fx_rate"] == "0.9250"
    assert data["total_quantity_mt"] == "70.000"
    assert data["containers"] == 4
    line = data["lines"][0]
    assert line["quantity_mt"] == "50.000"
    assert line["discount_percent"] == "2.00"
    assert line["goods_value"] == "120050.00"
    assert line["duties"][0] | {"reference": "..."} == {
        "kind": "mfn",
        "destination": "EU",
        "origin_country": "CN",
        "hs_prefix": "810411",
        "rate_percent": "5.30",
        "specific_usd_per_mt": "0.00",
        "basis": "CIF",
        "customs_value": "126257.98",
        "amount": "6691.67",
        "reference": "...",
        "rule_id": 1,
    }
    assert data["usd"]["origin_deduction"] == "0.00"
    assert data["quote_currency"]["quote_total"] == "176456.92"
    assert PricingResult.from_dict(data).to_dict() == data
    import json

    json.dumps(data)  # JSON-able as is
