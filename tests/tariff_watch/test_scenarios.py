"""What-if scenarios: hypothetical rules re-price open and last year's accepted quotes
without touching any quote."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.utils import timezone

from mgtrade.errors import StateConflict
from quotes import services as quote_services
from quotes.models import Quote, RejectionReason
from quotes.tariff_watch import scenarios
from quotes.tariff_watch.models import TariffScenario
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.usefixtures("worked_example_data")

EU_ALLOY_25 = {
    "destination": "EU",
    "hs_prefix": "810419",
    "kind": "retaliatory",
    "rate_percent": "25",
    "specific_usd_per_mt": "0",
    "basis": "CIF",
    "valid_from": "2027-01-01",
}
EU_NO_MFN_INGOT = EU_ALLOY_25 | {"hs_prefix": "810411", "kind": "mfn", "rate_percent": "0"}


def pricing_bytes() -> dict[int, str]:
    return {
        pk: json.dumps(p, sort_keys=True) for pk, p in Quote.objects.values_list("pk", "pricing")
    }


@pytest.fixture
def book(rep, other_rep):
    """An open draft, a sent quote, an accepted one and a lost one with a competitor price."""
    a, b = (
        german_buyer(owner=rep, name="Alpha Guss"),
        german_buyer(owner=other_rep, name="Beta Cast"),
    )
    draft = quote_for(customer=a)
    sent = quote_services.quote_mark_sent(quote=quote_for(customer=b), by=other_rep)
    accepted = quote_services.quote_mark_sent(quote=quote_for(customer=a), by=rep)
    quote_services.quote_accept(quote=accepted, by=rep)
    lost = quote_services.quote_mark_sent(quote=quote_for(customer=b), by=other_rep)
    quote_services.quote_reject(
        quote=lost,
        reason=RejectionReason.objects.filter(active=True).first(),
        by=other_rep,
        competitor="Brand X",
        competitor_origin="TR",
        competitor_price_usd_per_mt=D("2800"),
    )
    return {"draft": draft, "sent": sent, "accepted": accepted, "lost": lost}


def test_a_scenario_leaves_every_real_quote_byte_identical(book, manager):
    before = pricing_bytes()
    updated = dict(Quote.objects.values_list("pk", "updated_at"))
    scenario = scenarios.scenario_create(
        name="US-style 25 % on alloys", rules=[EU_ALLOY_25], by=manager
    )
    scenario = scenarios.scenario_run(scenario_id=scenario.pk)
    assert scenario.status == "done"
    assert pricing_bytes() == before
    assert dict(Quote.objects.values_list("pk", "updated_at")) == updated


def test_scenario_figures_by_destination_customer_grade_and_rep(book, manager):
    scenario = scenarios.scenario_create(name="25 % on AZ91D", rules=[EU_ALLOY_25], by=manager)
    result = scenarios.scenario_run(scenario_id=scenario.pk).result
    # open: the draft and the sent quote; accepted: one; the lost quote is not repriced
    assert result["quotes_checked"] == 3 and result["affected_count"] == 3
    assert result["totals"]["open"]["quotes"] == 2 and result["totals"]["accepted"]["quotes"] == 1
    # 20 MT AZ91D at 3,100: 25 % of its CIF value (62,000 + freight and insurance shares)
    # comes on top of the 4 % MFN it already pays.
    draft = book["draft"]
    line = draft.pricing["lines"][1]
    cif = D(line["duties"][0]["customs_value"])
    changes = {row[2]: D(row[12]) for row in result["rows"] if row[0] == "open"}
    assert set(changes) == {book["draft"].reference, book["sent"].reference}
    per_quote = changes[draft.reference]
    assert abs(per_quote - cif * D("0.25")) < D("0.02")  # the duty on the unrounded value
    assert D(result["totals"]["open"]["change_usd"]) == per_quote * 2
    by = result["by"]
    assert [r["key"] for r in by["destination"]] == ["DE"]
    assert [r["key"] for r in by["grade"]] == ["AZ91D"]
    assert by["grade"][0]["tonnes"] == "60.000"
    assert {r["key"] for r in by["customer"]} == {"Alpha Guss", "Beta Cast"}
    assert {r["key"] for r in by["rep"]} == {"rep", "other_rep"}
    # Beta Cast lost a quote to a Turkish competitor at 2,800/MT: under the scenario it
    # would pay more than that.
    [competitor] = result["competitors"]
    assert competitor["customer"] == "Beta Cast" and competitor["origin"] == "TR"
    assert D(competitor["new_landed_per_mt_usd"]) > D("2800")


def test_a_zero_rate_rule_replaces_the_same_kind_and_prefix(book, manager):
    scenario = scenarios.scenario_create(
        name="EU drops MFN on ingot", rules=[EU_NO_MFN_INGOT], by=manager
    )
    result = scenarios.scenario_run(scenario_id=scenario.pk).result
    assert all(D(r["change_usd"]) < 0 for r in result["by"]["grade"])
    assert [r["key"] for r in result["by"]["grade"]] == ["MG9990"]
    assert result["competitors"] == [] or all(c["already_above"] for c in result["competitors"])


def test_scenario_pages_run_and_export(book, manager_client, manager):
    response = manager_client.post(
        "/tariffs/scenarios/new/",
        {
            "name": "Alloy 25",
            "description": "",
            "rules-TOTAL_FORMS": "1",
            "rules-INITIAL_FORMS": "0",
            "rules-MIN_NUM_FORMS": "1",
            "rules-MAX_NUM_FORMS": "20",
            **{f"rules-0-{k}": v for k, v in EU_ALLOY_25.items()},
        },
    )
    scenario = TariffScenario.objects.get()
    assert response.status_code == 302
    scenarios.scenario_run(scenario_id=scenario.pk)  # what the worker does
    body = manager_client.get(f"/tariffs/scenarios/{scenario.pk}/").content.decode()
    assert "By grade" in body and "AZ91D" in body and "Brand X" in body
    export = manager_client.get(f"/tariffs/scenarios/{scenario.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0] == list(scenarios.ROW_FIELDS) and len(rows) == 4
    # Run again after the data changed: the new open quote is counted.
    quote_for(customer=german_buyer(owner=manager))
    manager_client.post(f"/tariffs/scenarios/{scenario.pk}/run/")
    scenario = scenarios.scenario_run(scenario_id=scenario.pk)
    assert scenario.result["affected_count"] == 4
    assert scenario.last_run_at <= timezone.now()


def test_reps_cannot_define_or_see_scenarios(rep_client, rep):
    assert rep_client.get("/tariffs/scenarios/").status_code == 403
    with pytest.raises(StateConflict):
        scenarios.scenario_create(name="x", rules=[EU_ALLOY_25], by=rep)


def test_bad_hypothetical_rules_are_refused(manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        scenarios.scenario_create(
            name="bad", rules=[EU_ALLOY_25 | {"hs_prefix": "81", "kind": "tax"}], by=manager
        )
    assert "Rule 1" in exc.value.message_dict["rules"][0]
