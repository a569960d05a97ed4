"""API: change events with their impacts, scenarios."""

import pytest
from django.core.management import call_command

from products import services as rules
from products.models import TariffRule
from quotes.tariff_watch.models import TariffChangeEvent
from quotes.tariff_watch.services import tariff_change_impact_compute
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.usefixtures("worked_example_data")


@pytest.fixture
def event(rep, other_rep):
    mine = quote_for(customer=german_buyer(owner=rep))
    theirs = quote_for(customer=german_buyer(owner=other_rep))
    rule = TariffRule.objects.get(hs_prefix="810411")
    new = rules.tariff_rule_change(
        rule=rule, effective_from=rule.valid_from.replace(month=6), rate_percent="6"
    )
    event = TariffChangeEvent.objects.get(key=f"changed:{new.pk}")
    tariff_change_impact_compute(event_id=event.pk)
    return {"event": event, "mine": mine, "theirs": theirs}


def test_change_events_and_their_impacts_keep_quote_visibility(event, rep_api, manager_api):
    e = event["event"]
    listed = rep_api.get("/api/v1/tariff-changes/").json()
    assert e.pk in [row["id"] for row in listed["results"]]
    body = rep_api.get(f"/api/v1/tariff-changes/{e.pk}/").json()
    assert body["affected_count"] == 2 and body["status"] == "done"
    mine = rep_api.get(f"/api/v1/tariff-changes/{e.pk}/impacts/").json()["results"]
    assert [row["quote"] for row in mine] == [event["mine"].pk]
    assert mine[0]["change_per_mt_usd"].startswith("-") is False  # 5.3 % → 6 %: up
    everyone = manager_api.get(f"/api/v1/tariff-changes/{e.pk}/impacts/").json()["results"]
    assert len(everyone) == 2
    assert rep_api.post(f"/api/v1/tariff-changes/{e.pk}/recompute/").status_code == 403
    assert manager_api.post(f"/api/v1/tariff-changes/{e.pk}/recompute/").status_code == 202
    assert manager_api.post(f"/api/v1/tariff-changes/{e.pk}/recompute/").status_code == 409


def test_scenarios_api(rep_api, manager_api, event):
    payload = {
        "name": "EU 25 % on alloys",
        "rules": [
            {
                "destination": "EU",
                "hs_prefix": "810419",
                "kind": "retaliatory",
                "rate_percent": "25",
                "basis": "CIF",
            }
        ],
    }
    assert rep_api.post("/api/v1/tariff-scenarios/", payload, format="json").status_code == 403
    assert rep_api.get("/api/v1/tariff-scenarios/").status_code == 403
    response = manager_api.post("/api/v1/tariff-scenarios/", payload, format="json")
    assert response.status_code == 201, response.json()
    bad = payload | {"rules": [payload["rules"][0] | {"hs_prefix": "81"}]}
    assert manager_api.post("/api/v1/tariff-scenarios/", bad, format="json").status_code == 400
    listed = manager_api.get("/api/v1/tariff-scenarios/").json()
    assert listed["count"] == 1 and listed["results"][0]["rules"][0]["hs_prefix"] == "810419"


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/tariff-changes/{id}/impacts/" in text
    assert "/api/v1/tariff-rules/{id}/verify/" in text
