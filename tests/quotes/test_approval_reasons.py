"""Every approval reason of quotes.approval, at its boundary values (pure: engine results
and the facts about the reference data), then through the service, the API and the pages.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from pricing.engine import TariffRuleData, price
from products.models import Product
from quotes import approval
from quotes.approval import ApprovalFacts, ApprovalPolicy, GradeFacts
from quotes.models import QuoteStatus
from tests.quotes.factories import german_buyer, quote_for
from tests.quotes.pricing_cases import EU_811, LINE_1, LINE_2, USHOU, worked

QUOTE_DATE = date(2026, 11, 20)
POLICY = ApprovalPolicy(
    discount_threshold_percent=D("3"), stale_price_days=14, stale_fx_days=7, stale_freight_days=45
)
US_AD = TariffRuleData(
    destination="US",
    hs_prefix="810411",
    kind="anti_dumping",
    rate_percent=D("108.26"),
    basis="FOB",
    reference="A-570-832",
    id=10,
)
US_MFN = TariffRuleData(
    destination="US", hs_prefix="810411", kind="mfn", rate_percent=D("8"), basis="FOB", id=11
)
EU_AD = replace(US_AD, destination="EU", basis="CIF", id=12)


def facts(result, *, grades=None, fx=None, freight=None) -> ApprovalFacts:
    return ApprovalFacts(
        result=result,
        grades=grades or {},
        fx_rate_date=fx,
        freight_rate_from=freight,
    )


def codes(reasons) -> list[str]:
    return [r.code for r in reasons]


def one_line(**changes):
    """CIF Hamburg, 50 MT MG9990 at list 2,450, no discount, EU MFN 5.3 %."""
    base = {
        "lines": (replace(LINE_1, discount_percent=D("0")),),
        "tariff_rules": (EU_811,),
        "currency": "USD",
        "fx_rate": D(1),
    }
    return worked(**{**base, **changes})


def grade(**fields) -> dict[str, GradeFacts]:
    return {"MG9990": GradeFacts(code="MG9990", list_price_usd_per_mt=D("2450.00"), **fields)}


# ------------------------------------------------------------------ concessions


def test_discount_at_the_threshold_needs_no_approval_above_it_does():
    at = price(worked(lines=(replace(LINE_1, discount_percent=D("3")),)))
    above = price(worked(lines=(replace(LINE_1, discount_percent=D("3.01")),)))
    assert approval.concession_above_threshold(facts(at, grades=grade()), POLICY) == []
    (reason,) = approval.concession_above_threshold(facts(above, grades=grade()), POLICY)
    assert reason.figures["discount_percent"] == "3.01"
    assert reason.figures["concession_percent"] == "3.01"
    assert reason.figures["list_price_usd_per_mt"] == "2,450.00"


def test_absorption_counts_with_the_discount_against_list_value():
    result = price(one_line(tariff_absorption_percent=D("50")))
    (lf,) = approval.line_figures(facts(result, grades=grade()))
    # the whole absorption is this line's: per MT, as a share of the list price
    assert lf.absorption_usd == result.usd.tariff_absorption
    expected = result.usd.tariff_absorption / D("50") / D("2450.00") * 100
    assert lf.concession_percent == expected
    at = replace(POLICY, discount_threshold_percent=lf.concession_percent)
    below = replace(POLICY, discount_threshold_percent=lf.concession_percent - D("0.01"))
    assert approval.concession_above_threshold(facts(result, grades=grade()), at) == []
    (reason,) = approval.concession_above_threshold(facts(result, grades=grade()), below)
    assert "tariff absorption" in reason.message
    assert reason.figures["absorption_usd"] == f"{result.usd.tariff_absorption:,}"


def test_a_small_absorption_alone_can_cross_the_threshold():
    # 5.3 % duty on ~2,600/MT CIF ≈ 138/MT: 50 % absorption ≈ 69/MT ≈ 2.8 % of list; plus a
    # 1 % discount that is 3.8 %, above 3 % although the discount alone is not.
    line = replace(LINE_1, discount_percent=D("1"))
    result = price(one_line(lines=(line,), tariff_absorption_percent=D("50")))
    assert codes(approval.approval_reasons(facts(result, grades=grade()), POLICY)) == [
        "concession_above_threshold"
    ]


# ------------------------------------------------------------------ floor


def test_net_price_after_absorption_is_checked_against_the_floor():
    result = price(one_line(tariff_absorption_percent=D("50")))
    (lf,) = approval.line_figures(facts(result, grades=grade()))
    assert lf.net_per_mt < D("2450.00")  # the unit price is above any floor below it
    at_floor = grade(floor_usd_per_mt=lf.net_per_mt)
    above_net = grade(floor_usd_per_mt=lf.net_per_mt + D("0.01"))
    assert approval.below_floor(facts(result, grades=at_floor), POLICY) == []
    (reason,) = approval.below_floor(facts(result, grades=above_net), POLICY)
    assert "after discount and absorption" in reason.message
    assert reason.figures["margin_over_floor_usd_per_mt"] == "-0.01"
    assert reason.figures["floor_usd_per_mt"] == f"{lf.net_per_mt + D('0.01'):,.2f}"


def test_discounted_price_below_the_floor_needs_approval():
    line = replace(LINE_1, discount_percent=D("2"))  # 2,401.00 net
    result = price(one_line(lines=(line,)))
    assert (
        approval.below_floor(facts(result, grades=grade(floor_usd_per_mt=D("2401"))), POLICY) == []
    )
    (reason,) = approval.below_floor(
        facts(result, grades=grade(floor_usd_per_mt=D("2401.01"))), POLICY
    )
    assert reason.figures["net_price_usd_per_mt"] == "2,401.00"


# ------------------------------------------------------------------ US and AD/CVD


def us_quote(absorption: str, rules=(US_MFN, US_AD)):
    return price(
        one_line(
            destination_port=USHOU, tariff_rules=rules, tariff_absorption_percent=D(absorption)
        )
    )


def test_any_absorption_on_a_us_quote_needs_approval():
    assert approval.absorption_us_or_ad_cvd(facts(us_quote("0")), POLICY) == []
    (reason,) = approval.absorption_us_or_ad_cvd(facts(us_quote("0.01", rules=(US_MFN,))), POLICY)
    assert "United States" in reason.message and reason.figures["destination_country"] == "US"


def test_any_absorption_where_ad_cvd_applies_needs_approval_and_names_the_duty():
    eu_ad = price(one_line(tariff_rules=(EU_811, EU_AD), tariff_absorption_percent=D("0.01")))
    (reason,) = approval.absorption_us_or_ad_cvd(facts(eu_ad), POLICY)
    assert reason.figures["ad_cvd_lines"] == "MG9990 anti-dumping 108.26 %"
    eu_mfn_only = price(one_line(tariff_absorption_percent=D("0.01")))
    assert approval.absorption_us_or_ad_cvd(facts(eu_mfn_only), POLICY) == []


# ------------------------------------------------------------------ minimum order


def test_below_minimum_order_says_how_much_of_what():
    small = price(one_line(lines=(replace(LINE_1, product="AE44", quantity_mt=D("5")),)))
    grades = {"AE44": GradeFacts(code="AE44", min_order_qty_mt=D("20.000"))}
    (reason,) = approval.below_minimum_order(facts(small, grades=grades), POLICY)
    assert reason.message == "5 MT of AE44, minimum 20 MT."


def test_minimum_order_counts_all_lines_of_a_grade_at_the_boundary():
    grades = {"MG9990": GradeFacts(code="MG9990", min_order_qty_mt=D("20"))}
    ten = replace(LINE_1, quantity_mt=D("10"))
    at = price(one_line(lines=(ten, ten)))
    below = price(one_line(lines=(ten, replace(ten, quantity_mt=D("9.999")))))
    assert approval.below_minimum_order(facts(at, grades=grades), POLICY) == []
    (reason,) = approval.below_minimum_order(facts(below, grades=grades), POLICY)
    assert reason.figures == {
        "product": "MG9990",
        "quantity_mt": "19.999",
        "min_order_qty_mt": "20",
    }


# ------------------------------------------------------------------ stale reference data


@pytest.mark.parametrize(("days", "stale"), [(0, False), (14, False), (15, True)])
def test_list_price_older_than_14_days_is_stale(days, stale):
    result = price(one_line())
    grades = grade(list_price_from=QUOTE_DATE - timedelta(days=days))
    reasons = approval.stale_list_price(facts(result, grades=grades), POLICY)
    assert codes(reasons) == (["stale_list_price"] if stale else [])
    if stale:
        assert reasons[0].warning and reasons[0].figures["date"] == "2026-11-05"
        assert "15 days before the quote date (limit 14)" in reasons[0].message


@pytest.mark.parametrize(("days", "stale"), [(7, False), (8, True)])
def test_exchange_rate_older_than_7_days_is_stale(days, stale):
    result = price(worked())  # EUR
    reasons = approval.stale_fx_rate(facts(result, fx=QUOTE_DATE - timedelta(days=days)), POLICY)
    assert codes(reasons) == (["stale_fx_rate"] if stale else [])
    if stale:
        assert reasons[0].warning and reasons[0].figures["currency"] == "EUR"


def test_a_usd_quote_has_no_exchange_rate_to_be_stale():
    assert approval.stale_fx_rate(facts(price(one_line()), fx=None), POLICY) == []


@pytest.mark.parametrize(("days", "stale"), [(45, False), (46, True)])
def test_freight_rate_older_than_45_days_is_stale(days, stale):
    result = price(worked())
    start = QUOTE_DATE - timedelta(days=days)
    reasons = approval.stale_freight_rate(facts(result, freight=start), POLICY)
    assert codes(reasons) == (["stale_freight_rate"] if stale else [])
    if stale:
        assert reasons[0].figures["route"] == "CNTXG→DEHAM"


def test_policy_comes_from_the_settings(settings):
    settings.MGTRADE = {
        **settings.MGTRADE,
        "STALE_PRICE_DAYS": 3,
        "STALE_FX_DAYS": 2,
        "STALE_FREIGHT_DAYS": 1,
    }
    policy = ApprovalPolicy.from_settings()
    assert (policy.stale_price_days, policy.stale_fx_days, policy.stale_freight_days) == (3, 2, 1)


def test_every_builder_has_a_documented_code():
    result = price(worked(lines=(LINE_1, LINE_2)))
    for build in approval.REASON_BUILDERS:
        assert isinstance(build(facts(result), POLICY), list)
    assert len(approval.REASON_BUILDERS) == len(approval.REASON_CODES)
    assert set(approval.REASON_CODES) >= {
        "concession_above_threshold",
        "below_floor",
        "absorption_us_or_ad_cvd",
        "below_minimum_order",
        "stale_list_price",
        "stale_fx_rate",
        "stale_freight_rate",
        "stale_tariff_rule",
    }


# ------------------------------------------------------------------ through the service


@pytest.fixture
def customer(worked_example_data, rep):
    return german_buyer(owner=rep)


def test_a_fresh_quote_today_needs_no_approval(customer):
    quote = quote_for(customer=customer)
    assert quote.approval_reasons == []


def test_stale_reference_data_on_the_quote_date_is_stored_as_reasons(customer):
    # the fixture's own rows: list prices and freight from 2026-01-01, EUR from 2026-11-02
    quote = quote_for(customer=customer, quote_date=date(2026, 11, 20))
    stored = {r["code"]: r for r in quote.approval_reasons}
    assert set(stored) == {"stale_list_price", "stale_fx_rate", "stale_freight_rate"}
    assert stored["stale_fx_rate"]["figures"] == {
        "currency": "EUR",
        "date": "2026-11-02",
        "age_days": "18",
        "limit_days": "7",
    }
    assert all(r["warning"] for r in quote.approval_reasons)


def test_below_minimum_order_is_a_reason_on_the_quote(customer):
    Product.objects.filter(code="AZ91D").update(min_order_qty_mt=D("25"))
    quote = quote_for(customer=customer)
    (reason,) = quote.approval_reasons
    assert reason["message"] == "20 MT of AZ91D, minimum 25 MT."


# ------------------------------------------------------------------ never sent unapproved


@pytest.fixture
def stale_quote(customer):
    """A quote on stale data (the fixture's own dates) whose validity has not passed."""
    today = timezone.localdate()
    quote = quote_for(
        customer=customer,
        quote_date=date(2026, 11, 20),
        valid_until=today + timedelta(days=30),
    )
    assert quote.needs_approval
    return quote


def test_rep_cannot_send_a_quote_with_an_unapproved_reason_api_409(rep_api, stale_quote):
    response = rep_api.post(f"/api/v1/quotes/{stale_quote.pk}/send/", {}, format="json")
    assert response.status_code == 409
    stale_quote.refresh_from_db()
    assert stale_quote.status == QuoteStatus.DRAFT


def test_quote_page_has_no_send_button_and_shows_the_stale_warnings(rep_client, stale_quote):
    page = rep_client.get(reverse("quotes:detail", args=[stale_quote.pk])).content.decode()
    assert 'data-testid="send"' not in page
    assert 'id="stale-warnings"' in page
    assert "The EUR exchange rate is from 2026-11-02" in page
    assert "Submit for approval" in page


def test_rep_cannot_send_a_pending_quote_either(rep_api, stale_quote, rep):
    from quotes import services

    services.quote_submit_for_approval(quote=stale_quote, by=rep)
    response = rep_api.post(f"/api/v1/quotes/{stale_quote.pk}/send/", {}, format="json")
    assert response.status_code == 409


def test_the_approver_sees_the_reasons_with_their_figures(manager_client, stale_quote, rep):
    from quotes import services

    Product.objects.filter(code="MG9990").update(floor_price_usd_per_mt=D("2500"))
    services.quote_submit_for_approval(
        quote=services.quote_reprice(quote=stale_quote, by=rep), by=rep
    )
    page = manager_client.get(reverse("quotes:approvals")).content.decode()
    assert "below the floor of USD 2,500.00/MT" in page
    assert "margin over floor USD/MT" in page and "-50.00" in page


def test_calculator_shows_the_stale_warning_with_the_date(rep_client, worked_example_data):
    data = {
        "quote_date": "2026-11-20",
        "incoterm": "CIF",
        "origin_port": "CNTXG",
        "destination_port": "DEHAM",
        "currency": "EUR",
        "insurance_rate_percent": "0.15",
        "tariff_absorption_percent": "0",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "MG9990",
        "lines-0-quantity_mt": "50",
    }
    page = rep_client.post(reverse("quotes:calculator_preview"), data).content.decode()
    assert 'id="approval-check"' in page
    assert "The list price of MG9990 is from 2026-01-01" in page
    data["quote_date"] = timezone.localdate().isoformat()
    fresh = rep_client.post(reverse("quotes:calculator_preview"), data).content.decode()
    assert "Quote total" in fresh and 'id="approval-check"' not in fresh
