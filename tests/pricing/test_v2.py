"""pricing.md version 2: AD/CVD duty lines are never absorbed (a warning names them), and a
quote total that is not positive is refused on the field that caused it; the issue's
CIF New York case through the engine, the API and the calculator page."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from pricing.engine import PricingError, TariffRuleData, price
from products import services as product_services
from products.models import Port
from tests.pricing.cases import LINE_1, USHOU, worked

US_MFN = TariffRuleData(
    destination="US", hs_prefix="810411", kind="mfn", rate_percent=D("8"), basis="FOB", id=1
)
US_AD = TariffRuleData(
    destination="US",
    hs_prefix="810411",
    kind="anti_dumping",
    rate_percent=D("108.26"),
    basis="FOB",
    reference="A-570-832",
    id=2,
)
US_CVD = replace(US_AD, kind="countervailing", rate_percent=D("20"), id=3)
HIGH = replace(US_MFN, kind="retaliatory", rate_percent=D("150"), id=4)


def ny(**changes):
    """CIF USHOU (US), 50 MT MG9990 at 2,450 less 2 % = 120,050.00 goods, FOB-basis duties."""
    base = {"destination_port": USHOU, "lines": (LINE_1,), "currency": "USD", "fx_rate": D(1)}
    return worked(**{**base, **changes})


# ------------------------------------------------------------------ engine


def test_anti_dumping_and_countervailing_lines_are_never_absorbed():
    result = price(ny(tariff_rules=(US_MFN, US_AD, US_CVD), tariff_absorption_percent=D("100")))
    amounts = {d.kind: d.amount for d in result.duty_lines}
    assert amounts["mfn"] == D("9604.00")
    assert result.usd.tariff_absorption == D("9604.00")  # the MFN line only
    assert result.usd.quote_total > 0
    (warning,) = [w for w in result.warnings if "anti-dumping" in w]
    assert "MG9990 anti-dumping 108.26 %" in warning
    assert "MG9990 countervailing 20 %" in warning


def test_absorption_of_half_the_absorbable_duties_rounds_once():
    result = price(ny(tariff_rules=(US_MFN, US_AD), tariff_absorption_percent=D("50")))
    assert result.usd.tariff_absorption == D("4802.00")


def test_only_ad_lines_absorb_nothing_and_say_so():
    result = price(ny(tariff_rules=(US_AD,), tariff_absorption_percent=D("100")))
    assert result.usd.tariff_absorption == D("0.00")
    assert any("anti-dumping" in w for w in result.warnings)


def test_no_warning_without_absorption():
    result = price(ny(tariff_rules=(US_MFN, US_AD)))
    assert not any("anti-dumping" in w for w in result.warnings)


def test_absorption_that_makes_the_total_negative_is_refused_on_absorption():
    inp = ny(incoterm="FOB", tariff_rules=(US_MFN, HIGH), tariff_absorption_percent=D("100"))
    with pytest.raises(PricingError) as exc:
        price(inp)
    assert list(exc.value.errors) == ["tariff_absorption_percent"]
    assert "must be positive" in exc.value.errors["tariff_absorption_percent"][0]
    assert price(replace(inp, tariff_absorption_percent=D("50"))).usd.quote_total > 0


def test_a_zero_total_without_absorption_is_refused_on_lines():
    inp = ny(incoterm="FOB", lines=(replace(LINE_1, discount_percent=D("100")),))
    with pytest.raises(PricingError) as exc:
        price(inp)
    assert list(exc.value.errors) == ["lines"]
    assert "USD 0.00" in exc.value.errors["lines"][0]


def test_version_1_figures_without_absorption_are_unchanged():
    result = price(worked())
    assert result.usd.quote_total == D("190764.24")
    assert result.quote_currency.quote_total == D("176456.92")
    assert result.usd.landed_cost == D("201996.16")


# ------------------------------------------------------------------ API and page

REQUEST = {
    "quote_date": "2026-11-20",
    "incoterm": "CIF",
    "origin_port": "CNTXG",
    "destination_port": "USHOU",
    "currency": "USD",
    "lines": [{"product": "MG9990", "quantity_mt": "22", "unit_price_usd_per_mt": "2450"}],
}


@pytest.fixture
def us_lane(worked_example_data):
    product_services.freight_rate_create(
        origin_port=worked_example_data["cntxg"],
        destination_port=Port.objects.get(code="USHOU"),
        usd_per_container=D("2600"),
        mt_per_container=D("22"),
        valid_from=date(2026, 1, 1),
    )
    for kind, rate in (("mfn", "8"), ("anti_dumping", "108.26")):
        product_services.tariff_rule_create(
            destination="US",
            hs_prefix="810411",
            kind=kind,
            rate_percent=D(rate),
            basis="FOB",
            valid_from=date(2026, 1, 1),
            legal_citation=f"US {kind} (test)",
            source_note="test data",
            verified_on=timezone.localdate(),
        )


def test_api_preview_absorbs_no_anti_dumping_and_warns(rep_api, us_lane):
    response = rep_api.post(
        "/api/v1/pricing/preview/",
        {**REQUEST, "tariff_absorption_percent": "100"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["usd"]["tariff_absorption"] == "4312.00"  # 8 % of 53,900.00
    assert any("MG9990 anti-dumping 108.26 %" in w for w in body["warnings"])
    assert float(body["usd"]["quote_total"]) > 0


def test_api_negative_total_is_a_400_on_the_field_that_caused_it(rep_api, us_lane):
    product_services.tariff_rule_create(
        destination="US",
        hs_prefix="810411",
        kind="retaliatory",
        rate_percent=D("150"),
        basis="FOB",
        valid_from=date(2026, 1, 1),
        legal_citation="hypothetical (test)",
        source_note="test data",
        verified_on=timezone.localdate(),
    )
    response = rep_api.post(
        "/api/v1/pricing/preview/",
        {**REQUEST, "incoterm": "FOB", "tariff_absorption_percent": "100"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["tariff_absorption_percent"]
    zero = {
        **REQUEST,
        "incoterm": "FOB",
        "lines": [{**REQUEST["lines"][0], "discount_percent": "100"}],
    }
    response = rep_api.post("/api/v1/pricing/preview/", zero, format="json")
    assert response.status_code == 400 and "lines" in response.json()


def test_calculator_page_shows_the_warning_and_the_absorption_reason(rep_client, us_lane):
    data = {
        "quote_date": "2026-11-20",
        "incoterm": "CIF",
        "origin_port": "CNTXG",
        "destination_port": "USHOU",
        "currency": "USD",
        "insurance_rate_percent": "0.15",
        "tariff_absorption_percent": "100",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "MG9990",
        "lines-0-quantity_mt": "22",
        "lines-0-unit_price_usd_per_mt": "2450",
    }
    html = rep_client.post(reverse("quotes:calculator_preview"), data).content.decode()
    assert "leaves out the anti-dumping/countervailing duty lines" in html
    assert 'data-code="absorption_us_or_ad_cvd"' in html


# ------------------------------------------------------------------ no freight rate


@pytest.mark.parametrize("incoterm", ["EXW", "FCA", "FOB"])
def test_exw_fca_fob_without_a_freight_rate_are_priced_with_landed_cost_unknown(incoterm):
    result = price(worked(incoterm=incoterm, freight=None))
    with_rate = price(worked(incoterm=incoterm))
    assert result.usd.quote_total == with_rate.usd.quote_total  # freight is not in the total
    assert result.usd.landed_cost is None and result.quote_currency.landed_cost_per_mt is None
    assert result.containers == 0
    assert any("landed cost is unknown" in w for w in result.warnings)
    data = result.to_dict()
    assert data["usd"]["landed_cost"] is None
    assert type(result).from_dict(data).usd.landed_cost_per_mt is None


@pytest.mark.parametrize("incoterm", ["CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"])
def test_terms_that_include_freight_still_need_a_rate(incoterm):
    with pytest.raises(PricingError) as exc:
        price(worked(incoterm=incoterm, freight=None))
    assert "destination_port" in exc.value.errors


def test_a_fob_quote_on_a_lane_without_a_rate_is_saved_and_shown(
    rep_api, rep_client, worked_example_data, rep
):
    from tests.quotes.factories import german_buyer

    customer = german_buyer(owner=rep)
    body = {**REQUEST, "incoterm": "FOB", "customer": customer.pk}
    body.pop("quote_date")
    preview = rep_api.post("/api/v1/pricing/preview/", body, format="json")
    assert preview.status_code == 200, preview.json()
    assert preview.json()["usd"]["landed_cost"] is None
    created = rep_api.post("/api/v1/quotes/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["landed_cost_per_mt_usd"] is None
    page = rep_client.get(reverse("quotes:detail", args=[created.json()["id"]]))
    assert "unknown (no freight rate)" in page.content.decode()
    cif = rep_api.post("/api/v1/pricing/preview/", {**body, "incoterm": "CIF"}, format="json")
    assert cif.status_code == 400 and "destination_port" in cif.json()
