"""POST /api/v1/pricing/preview/: the contract of docs/api.md and every error of docs/pricing.md."""

import copy

import pytest
from django.utils import timezone

from pricing.api.serializers import PreviewRequestSerializer
from pricing.approval import reasons_as_dicts
from pricing.inputs import approval_reasons_check, pricing_preview
from tests.pricing.conftest import WORKED_REQUEST

URL = "/api/v1/pricing/preview/"
pytestmark = pytest.mark.usefixtures("worked_example_data")


def request_with(**changes):
    body = copy.deepcopy(WORKED_REQUEST)
    body.update(changes)
    return body


def line_with(index=0, **changes):
    body = copy.deepcopy(WORKED_REQUEST)
    body["lines"][index].update(changes)
    return body


def test_anonymous_gets_401(api_client):
    assert api_client.post(URL, WORKED_REQUEST, format="json").status_code == 401


def test_worked_example_through_the_api(rep_api):
    response = rep_api.post(URL, WORKED_REQUEST, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["destination_country"] == "DE"
    assert body["fx_rate"] == "0.9250"
    assert body["containers"] == 4
    assert body["total_quantity_mt"] == "70.000"
    line = body["lines"][0]
    assert line["product"] == "MG9990"
    assert line["hs_code"] == "8104.11.00"
    assert line["quantity_mt"] == "50.000"
    assert line["unit_price_usd_per_mt"] == "2450.00"
    assert line["discount_percent"] == "2.00"
    assert line["goods_value"] == "120050.00"
    duty = line["duties"][0]
    assert {k: duty[k] for k in ("kind", "destination", "rate_percent", "specific_usd_per_mt")} == {
        "kind": "mfn",
        "destination": "EU",
        "rate_percent": "5.30",
        "specific_usd_per_mt": "0.00",
    }
    assert (duty["basis"], duty["customs_value"], duty["amount"]) == ("CIF", "126257.98", "6691.67")
    assert duty["reference"] == "EU TARIC 810411 (example)"
    assert body["lines"][1]["duties"][0]["amount"] == "2580.25"
    usd = body["usd"]
    assert usd["goods_value"] == "182050.00"
    assert usd["freight"] == "8400.00"
    assert usd["insurance"] == "314.24"
    assert usd["duties"] == "9271.92"
    assert usd["destination_charges"] == "0.00"
    assert usd["quote_total"] == "190764.24"
    assert usd["landed_cost"] == "201996.16"
    assert usd["landed_cost_per_mt"] == "2885.66"
    assert body["quote_currency"]["quote_total"] == "176456.92"
    assert set(body["quote_currency"]) == set(usd)
    assert body["warnings"] == []


def test_defaults_fill_date_origin_currency_price_and_insurance(rep_api, settings):
    body = {
        "incoterm": "DDP",
        "destination_port": "DEHAM",
        "lines": [{"product": "mg9990", "quantity_mt": "50"}],
    }
    response = rep_api.post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["origin_port"] == settings.MGTRADE["DEFAULT_ORIGIN_PORT"]
    assert data["currency"] == "USD"
    assert data["fx_rate"] == "1.0000"
    assert data["insurance_rate_percent"] == "0.15"
    assert data["lines"][0]["unit_price_usd_per_mt"] == "2450.00"  # list price in force
    assert data["lines"][0]["discount_percent"] == "0.00"
    assert "DDP: import VAT/GST is not included." in data["warnings"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (request_with(incoterm="XYZ"), "incoterm"),
        (request_with(destination_port="DEHAX"), "destination_port"),
        (request_with(origin_port="CNXXX"), "origin_port"),
        (request_with(destination_port="CNTXG"), "destination_port"),
        (request_with(destination_port="USHOU"), "destination_port"),  # no freight rate
        (request_with(quote_date="2025-12-31"), "destination_port"),  # rate not yet in force
        (request_with(currency="JPY"), "currency"),  # no rate
        (request_with(quote_date="2026-11-01"), "currency"),  # EUR rate dated later
        (request_with(currency="euro"), "currency"),
        (request_with(incoterm="DDP", tariff_absorption_percent="10"), "tariff_absorption_percent"),
        (request_with(tariff_absorption_percent="100.01"), "tariff_absorption_percent"),
        (request_with(tariff_absorption_percent="-1"), "tariff_absorption_percent"),
        (request_with(lines=[]), "lines"),
        (request_with(insurance_rate_percent="-1"), "insurance_rate_percent"),
    ],
)
def test_errors_answer_400_with_the_field(rep_api, body, field):
    response = rep_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product": "NOPE"}, "product"),
        ({"product": "MG9980"}, "product"),  # inactive
        ({"quantity_mt": "0"}, "quantity_mt"),
        ({"quantity_mt": "-5"}, "quantity_mt"),
        ({"quantity_mt": "100000.001"}, "quantity_mt"),
        ({"quantity_mt": "abc"}, "quantity_mt"),
        ({"discount_percent": "-0.01"}, "discount_percent"),
        ({"discount_percent": "100.5"}, "discount_percent"),
    ],
)
def test_line_errors_name_the_line_and_field(rep_api, changes, field):
    response = rep_api.post(URL, line_with(1, **changes), format="json")
    assert response.status_code == 400
    lines = response.json()["lines"]
    assert lines[0] == {}
    assert field in lines[1], lines


def test_several_errors_are_reported_together(rep_api):
    body = line_with(0, product="NOPE")
    body["destination_port"] = "DEHAX"
    body["lines"][1]["quantity_mt"] = "0"
    errors = rep_api.post(URL, body, format="json").json()
    assert "destination_port" in errors
    assert "product" in errors["lines"][0]
    assert "quantity_mt" in errors["lines"][1]


def test_rules_in_force_from_their_first_day(rep_api):
    first_day = rep_api.post(
        URL, request_with(quote_date="2026-01-01", currency="USD"), format="json"
    )
    assert first_day.status_code == 200, first_day.json()
    assert first_day.json()["lines"][0]["duties"][0]["amount"] == "6691.67"


def test_no_matching_rule_gives_a_warning_not_an_error(rep_api, worked_example_data):
    from products.models import TariffRule

    TariffRule.objects.all().delete()
    body = rep_api.post(URL, WORKED_REQUEST, format="json").json()
    assert body["usd"]["duties"] == "0.00"
    assert "No tariff rule" in body["warnings"][0]


def test_preview_costs_a_fixed_number_of_queries(rep_api, django_assert_max_num_queries):
    body = copy.deepcopy(WORKED_REQUEST)
    body["lines"] = body["lines"] * 10
    # 5 to price, 3 for the approval facts (exchange rate and freight dates, tariff checks)
    with django_assert_max_num_queries(8):
        assert rep_api.post(URL, body, format="json").status_code == 200


def test_schema_documents_the_preview(rep_api, client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/pricing/preview/"]["post"]
    assert "PreviewRequest" in str(operation["requestBody"])
    assert "PreviewResponse" in str(operation["responses"]["200"])


def test_the_one_exception_handler_answers_pricing_errors_in_the_nested_shape():
    from mgtrade.api import exception_handler
    from pricing.inputs import PricingValidationError

    nested = {"currency": ["No exchange rate."], "lines": [{}, {"quantity_mt": ["Too big."]}]}
    response = exception_handler(PricingValidationError(nested), {})
    assert response.status_code == 400
    assert response.data == nested


# ------------------------------------------------------------------ approval reasons (issue 11)


def test_preview_returns_the_approval_reasons_of_the_builder_and_calculator(rep_api):
    """The same builders (pricing.approval) as the quote builder: a 10 % discount crosses the
    threshold and the 2026-01-01 list price is stale on 2026-11-20, each with its figures."""

    body = line_with(0, discount_percent="10")
    response = rep_api.post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    codes = [reason["code"] for reason in data["approval_reasons"]]
    assert "concession_above_threshold" in codes and "stale_list_price" in codes
    assert data["needs_approval"] is True
    concession = next(
        r for r in data["approval_reasons"] if r["code"] == "concession_above_threshold"
    )
    assert concession["figures"] and concession["warning"] is False
    stale = next(r for r in data["approval_reasons"] if r["code"] == "stale_list_price")
    assert stale["warning"] is True and "2026-01-01" in stale["message"]
    serializer = PreviewRequestSerializer(data=body)
    assert serializer.is_valid()
    expected = reasons_as_dicts(
        approval_reasons_check(result=pricing_preview(**serializer.validated_data))
    )
    assert data["approval_reasons"] == expected


def test_preview_of_a_fresh_request_within_the_threshold_needs_no_approval(rep_api):
    response = rep_api.post(
        URL, request_with(quote_date=timezone.localdate().isoformat()), format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["approval_reasons"] == []
    assert response.json()["needs_approval"] is False
