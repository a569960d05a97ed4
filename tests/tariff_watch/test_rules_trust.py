"""Tariff rules you can trust: versions instead of rewrites, verification, staleness."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from products import selectors, services
from products.models import TariffRule
from quotes.models import Quote
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.usefixtures("worked_example_data")


def eu_mg_rule() -> TariffRule:
    return TariffRule.objects.get(destination="EU", hs_prefix="810411")


def test_a_rate_change_is_a_new_version_and_quotes_priced_earlier_keep_their_rule(rep, admin_user):
    quote = quote_for(customer=german_buyer(owner=rep))
    old = eu_mg_rule()
    used = quote.pricing["lines"][0]["duties"][0]
    assert used["rule_id"] == old.pk and used["rate_percent"] == "5.30"

    new = services.tariff_rule_change(
        rule=old, by=admin_user, effective_from=date(2026, 12, 1), rate_percent=D("6.5")
    )

    old.refresh_from_db()
    assert new.pk != old.pk and new.previous_version_id == old.pk
    assert (old.rate_percent, old.valid_to) == (D("5.30"), date(2026, 11, 30))
    assert (new.rate_percent, new.valid_from, new.valid_to) == (D("6.50"), date(2026, 12, 1), None)
    assert new.verified_by == admin_user and new.verified_on == timezone.localdate()
    # The stored quote still names a rule that exists with the figures it was priced with.
    assert Quote.objects.get(pk=quote.pk).pricing == quote.pricing
    assert TariffRule.objects.get(pk=used["rule_id"]).rate_percent == D("5.30")
    # The history of the old row records its close; nothing was deleted.
    assert [h.valid_to for h in old.history.order_by("history_date")] == [None, date(2026, 11, 30)]


def test_a_change_of_figures_needs_an_effective_date_after_the_start():
    rule = eu_mg_rule()
    with pytest.raises(ValidationError) as exc:
        services.tariff_rule_change(rule=rule, rate_percent=D("6"))
    assert "effective_from" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.tariff_rule_change(rule=rule, rate_percent=D("6"), effective_from=rule.valid_from)
    assert "effective_from" in exc.value.message_dict
    assert TariffRule.objects.count() == 2


def test_key_fields_never_change_on_an_existing_rule():
    with pytest.raises(ValidationError) as exc:
        services.tariff_rule_change(rule=eu_mg_rule(), hs_prefix="8104")
    assert "hs_prefix" in exc.value.message_dict


def test_an_earlier_end_date_closes_the_rule_in_place_and_text_edits_stay_in_place():
    rule = eu_mg_rule()
    after = services.tariff_rule_change(rule=rule, valid_to=date(2027, 3, 31))
    assert after.pk == rule.pk and after.valid_to == date(2027, 3, 31)
    after = services.tariff_rule_change(rule=rule, legal_citation="CN 8104 11 00")
    assert after.pk == rule.pk and after.legal_citation == "CN 8104 11 00"
    assert TariffRule.objects.count() == 2


def test_never_verified_and_long_unverified_rules_are_stale_ended_ones_are_not(admin_user):
    today = timezone.localdate()
    rule = eu_mg_rule()
    assert not selectors.tariff_rule_ids_stale(ids=[rule.pk])  # verified today by the fixture
    TariffRule.objects.filter(pk=rule.pk).update(verified_on=today - timedelta(days=91))
    assert selectors.tariff_rule_ids_stale(ids=[rule.pk]) == {rule.pk}
    TariffRule.objects.filter(pk=rule.pk).update(verified_on=today - timedelta(days=90))
    assert not selectors.tariff_rule_ids_stale(ids=[rule.pk])
    ended = services.tariff_rule_create(
        destination="US",
        hs_prefix="8104",
        kind="other",
        rate_percent=D("10"),
        basis="FOB",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
        legal_citation="x",
        source_note="y",
        verified_on=date(2025, 6, 1),
    )
    never = services.tariff_rule_create(
        destination="US",
        hs_prefix="810419",
        kind="mfn",
        rate_percent=D("6.5"),
        basis="FOB",
        valid_from=date(2025, 1, 1),
        legal_citation="x",
        source_note="y",
    )
    assert selectors.tariff_rule_ids_stale(ids=[ended.pk, never.pk]) == {never.pk}
    services.tariff_rule_verify(rule=never, by=admin_user)
    never.refresh_from_db()
    assert (never.verified_on, never.verified_by) == (today, admin_user)
    assert not selectors.tariff_rule_ids_stale(ids=[never.pk])


def test_a_quote_using_a_stale_rule_needs_approval_and_warns_the_rep(rep, rep_client):
    TariffRule.objects.filter(hs_prefix="810419").update(verified_on=None)
    quote = quote_for(customer=german_buyer(owner=rep))
    assert quote.needs_approval
    [reason] = [r for r in quote.approval_reasons if r["code"] == "stale_tariff_rule"]
    assert "810419" in reason["message"] and "never verified" in reason["message"]
    assert reason["warning"] and reason["figures"]["verified_on"] == "never"
    body = rep_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'id="stale-warnings"' in body and 'data-code="stale_tariff_rule"' in body


def test_fresh_rules_need_no_approval(rep):
    assert not quote_for(customer=german_buyer(owner=rep)).needs_approval


def test_rules_page_flags_stale_rules_in_a_fixed_number_of_queries(
    rep_client, django_assert_max_num_queries
):
    TariffRule.objects.filter(hs_prefix="810419").update(verified_on=None)
    with django_assert_max_num_queries(10):  # session, user, perms: fixed
        response = rep_client.get("/tariffs/rules/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<td>\n      <span class="badge warn">stale</span>') == 1
    assert "Verified today" not in body  # reps cannot verify


def test_admin_home_lists_stale_rules_and_one_click_records_who_and_when(admin_client_, admin_user):
    TariffRule.objects.filter(hs_prefix="810419").update(verified_on=None)
    rule = TariffRule.objects.get(hs_prefix="810419")
    body = admin_client_.get("/", follow=True).content.decode()
    assert 'id="stale-tariff-rules"' in body and f'id="verify-{rule.pk}"' in body
    response = admin_client_.post(f"/tariffs/rules/{rule.pk}/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Verified" in response.content.decode()
    rule.refresh_from_db()
    assert (rule.verified_on, rule.verified_by) == (timezone.localdate(), admin_user)
    body = admin_client_.get("/", follow=True).content.decode()
    assert "Every tariff rule was verified" in body


def test_rep_cannot_verify(rep_client):
    rule = eu_mg_rule()
    assert rep_client.post(f"/tariffs/rules/{rule.pk}/verify/").status_code == 403


def test_rule_page_shows_versions_and_history(rep_client, admin_user):
    old = eu_mg_rule()
    new = services.tariff_rule_change(
        rule=old, by=admin_user, effective_from=date(2026, 12, 1), rate_percent=D("6.5")
    )
    body = rep_client.get(f"/tariffs/rules/{new.pk}/").content.decode()
    assert f"#{old.pk}" in body and "(this one)" in body and "2026-11-30" in body


def test_api_verify_and_versioned_patch(admin_api, rep_api):
    rule = eu_mg_rule()
    assert rep_api.post(f"/api/v1/tariff-rules/{rule.pk}/verify/").status_code == 403
    response = admin_api.post(f"/api/v1/tariff-rules/{rule.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["verified_by"] == "admin" and response.json()["is_stale"] is False
    response = admin_api.patch(
        f"/api/v1/tariff-rules/{rule.pk}/", {"rate_percent": "6.00"}, format="json"
    )
    assert response.status_code == 400 and "effective_from" in response.json()
    response = admin_api.patch(
        f"/api/v1/tariff-rules/{rule.pk}/",
        {"rate_percent": "6.00", "effective_from": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] != rule.pk and body["previous_version"] == rule.pk
    assert body["valid_from"] == "2027-01-01" and body["rate_percent"] == "6.0000"
    listed = rep_api.get("/api/v1/tariff-rules/?hs_prefix=810411").json()
    assert {r["legal_citation"] for r in listed["results"]} == {"EU TARIC 810411 (example)"}
    assert {"source_note", "verified_on", "is_stale"} <= set(listed["results"][0])


def test_admin_change_of_rate_saves_a_new_version(admin_client_):
    rule = eu_mg_rule()
    url = f"/admin/products/tariffrule/{rule.pk}/change/"
    form = {
        "rate_percent": "7.00",
        "specific_usd_per_mt": "0.00",
        "basis": "CIF",
        "valid_to": "",
        "effective_from": "2027-02-01",
        "legal_citation": rule.legal_citation,
        "source_note": rule.source_note,
    }
    response = admin_client_.post(url, form | {"effective_from": ""})
    assert response.status_code == 200 and "effective" in response.content.decode().lower()
    response = admin_client_.post(url, form)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.valid_to == date(2027, 1, 31) and rule.rate_percent == D("5.30")
    assert TariffRule.objects.get(previous_version=rule).rate_percent == D("7.00")


def test_admin_adds_a_rule_verified_today(admin_client_, admin_user):
    response = admin_client_.post(
        "/admin/products/tariffrule/add/",
        {
            "destination": "US",
            "origin_country": "CN",
            "hs_prefix": "810419",
            "kind": "mfn",
            "basis": "FOB",
            "rate_percent": "6.5",
            "specific_usd_per_mt": "0",
            "valid_from": "2026-01-01",
            "legal_citation": "HTSUS 8104.19.00",
            "source_note": "htshub",
            "verified_today": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = TariffRule.objects.get(destination="US")
    assert (rule.verified_on, rule.verified_by) == (timezone.localdate(), admin_user)
