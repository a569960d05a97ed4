"""What a tariff change does to open quotes: events, figures, who is touched, the banner."""

import json
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine

from pricing.engine import price
from products import services as rules
from products.models import Port, Product, TariffRule
from quotes import services as quote_services
from quotes.models import Notification, Quote, QuoteStatus, RejectionReason
from quotes.tariff_watch import repricing
from quotes.tariff_watch.models import TariffChangeEvent, TariffChangeImpact
from quotes.tariff_watch.services import (
    tariff_change_impact_compute,
    tariff_changes_look_ahead,
)
from tests.products.factories import ProductPriceFactory
from tests.quotes.factories import german_buyer, quote_for

pytestmark = pytest.mark.usefixtures("worked_example_data")

TODAY = date(2026, 7, 10)


def us_rule(**fields) -> TariffRule:
    return rules.tariff_rule_create(
        **{
            "destination": "US",
            "basis": "FOB",
            "valid_from": date(2026, 1, 1),
            "legal_citation": "HTSUS",
            "source_note": "test",
            "verified_on": date(2026, 7, 1),
        }
        | fields
    )


@pytest.fixture
def us_lane(worked_example_data):
    rules.freight_rate_create(
        origin_port=worked_example_data["cntxg"],
        destination_port=Port.objects.get(code="USHOU"),
        usd_per_container=D("2600"),
        mt_per_container=D("22"),
        valid_from=date(2026, 7, 1),
    )
    # Reference data fresh on TODAY (no stale-data approval reasons).
    rules.exchange_rate_create(currency="EUR", rate_per_usd=D("0.9250"), date=date(2026, 7, 9))
    for code, usd in (("MG9990", "2450.00"), ("AZ91D", "3100.00")):
        ProductPriceFactory(
            product=Product.objects.get(code=code),
            usd_per_mt=D(usd),
            effective_from=date(2026, 7, 1),
        )
    mfn = us_rule(hs_prefix="810411", kind="mfn", rate_percent=D("8"))
    surcharge = us_rule(
        hs_prefix="8104",
        kind="safeguard",
        rate_percent=D("10"),
        valid_from=date(2026, 2, 24),
        valid_to=date(2026, 7, 24),
    )
    return {"mfn": mfn, "surcharge": surcharge}


def us_quote(customer, *, lines=None, currency="EUR", incoterm="FOB", **terms) -> Quote:
    return quote_services.quote_create(
        customer=customer,
        by=customer.owner,
        terms=quote_services.QuoteTerms(
            incoterm=incoterm,
            destination_port="USHOU",
            origin_port="CNTXG",
            currency=currency,
            contact=customer.contacts.first(),
            lines=lines or [{"product": "MG9990", "quantity_mt": "44"}],
            **terms,
        ),
    )


def run(event: TariffChangeEvent, today=TODAY) -> TariffChangeEvent:
    return tariff_change_impact_compute(event_id=event.pk, today=today)


def test_the_snapshot_gives_the_stored_figures_back(rep, us_lane):
    with time_machine.travel(TODAY, tick=False):
        quotes = [
            quote_for(
                customer=german_buyer(owner=rep), discount="2", tariff_absorption_percent=D("50")
            ),
            quote_for(customer=german_buyer(owner=rep), incoterm="EXW"),
            us_quote(german_buyer(owner=rep), incoterm="DDP"),
        ]
    for quote in quotes:
        again = price(repricing.snapshot_input(quote.pricing)).to_dict()
        assert again == quote.pricing


def test_the_beat_task_raises_the_end_date_event_with_the_right_quotes_and_figures(
    rep, other_rep, us_lane
):
    with time_machine.travel(TODAY, tick=False):
        usd_quote = us_quote(german_buyer(owner=rep), currency="USD")
        eur_quote = us_quote(german_buyer(owner=other_rep))
        eu_quote = quote_for(customer=german_buyer(owner=rep))  # Hamburg: untouched
        assert TariffChangeEvent.objects.filter(kind="ended").count() == 0

        raised = tariff_changes_look_ahead()

    assert [e.kind for e in raised] == ["ended"]
    event = raised[0]
    assert event.effective_on == date(2026, 7, 25)
    assert "ends after 2026-07-24" in event.summary
    event = run(event)
    impacts = {i.quote_id: i for i in event.impacts.all()}
    assert set(impacts) == {usd_quote.pk, eur_quote.pk}
    assert eu_quote.pk not in impacts
    i = impacts[usd_quote.pk]
    # 44 MT × 2,450 FOB = 107,800; the 10 % surcharge on FOB value goes: 10,780 less duty.
    assert (i.old_duties_usd, i.new_duties_usd) == (D("19404.00"), D("8624.00"))
    assert i.change_per_mt_usd == D("-245.00")
    assert i.new_landed_per_mt_usd == i.old_landed_per_mt_usd - D("245.00")
    assert i.change_total_usd == D("-10780.00")
    e = impacts[eur_quote.pk]
    assert e.currency == "EUR" and e.change_per_mt_qc == D("-226.62")  # new − old, each rounded
    assert (event.affected_count, event.tonnes_affected) == (2, D("88.000"))
    assert event.status == "done"
    # Owners are told, with the figures; running the task again notifies nobody twice.
    note = Notification.objects.get(user=other_rep, quote=eur_quote)
    assert "Tariff change on 2026-07-25: landed cost −USD 245.00/MT (−EUR 226.62/MT)" in note.text
    with time_machine.travel(TODAY, tick=False):
        assert tariff_changes_look_ahead() == []
    TariffChangeEvent.objects.filter(pk=event.pk).update(status="pending")
    run(event)
    assert Notification.objects.filter(quote__in=[usd_quote, eur_quote]).count() == 2


def test_a_new_rule_on_a_prefix_affects_exactly_the_quotes_whose_lines_match(rep, us_lane):
    with time_machine.travel(TODAY, tick=False):
        ingot = us_quote(german_buyer(owner=rep))
        alloy = us_quote(german_buyer(owner=rep), lines=[{"product": "AZ91D", "quantity_mt": "20"}])
        mixed = us_quote(
            german_buyer(owner=rep),
            lines=[
                {"product": "AZ91D", "quantity_mt": "20"},
                {"product": "MG9990", "quantity_mt": "2"},
            ],
        )
        rule = us_rule(
            hs_prefix="810419",
            kind="retaliatory",
            rate_percent=D("25"),
            valid_from=date(2027, 1, 1),
        )
    event = TariffChangeEvent.objects.get(key=f"added:{rule.pk}")
    run(event)
    assert set(event.impacts.values_list("quote_id", flat=True)) == {alloy.pk, mixed.pk}
    impact = event.impacts.get(quote=alloy)
    assert impact.change_total_usd == D("15500.00")  # 25 % of 20 × 3,100
    assert ingot.pk not in set(event.impacts.values_list("quote_id", flat=True))


def test_decided_expired_and_superseded_quotes_are_never_touched(rep, manager, us_lane):
    reason = RejectionReason.objects.filter(active=True).first()
    with time_machine.travel(TODAY, tick=False):
        customer = german_buyer(owner=rep)
        open_draft = us_quote(customer)
        accepted = quote_services.quote_mark_sent(quote=us_quote(customer), by=rep)
        quote_services.quote_accept(quote=accepted, by=rep)
        rejected = quote_services.quote_mark_sent(quote=us_quote(customer), by=rep)
        quote_services.quote_reject(quote=rejected, reason=reason, by=rep)
        old = quote_services.quote_mark_sent(quote=us_quote(customer), by=rep)
        quote_services.quote_revise(quote=old, by=rep)  # old: superseded; its v2 is open
        expiring = quote_services.quote_mark_sent(
            quote=us_quote(customer, valid_until=TODAY), by=rep
        )
    before = {q.pk: json.dumps(q.pricing, sort_keys=True) for q in Quote.objects.all()}
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        quote_services.quotes_expire_due()
        TariffRule.objects.filter(pk=us_lane["surcharge"].pk)  # unchanged
        event = rules.tariff_rule_change(rule=us_lane["surcharge"], valid_to=date(2026, 7, 20))
    event = TariffChangeEvent.objects.get(kind="ended")
    run(event, today=TODAY + timedelta(days=1))
    touched = set(event.impacts.values_list("quote_id", flat=True))
    live_v2 = Quote.objects.get(number=old.number, version=2)
    assert touched == {open_draft.pk, live_v2.pk}
    for quote in (accepted, rejected, old, expiring):
        assert quote.pk not in touched
    statuses = dict(Quote.objects.values_list("pk", "status"))
    assert statuses[expiring.pk] == QuoteStatus.EXPIRED
    assert {q.pk: json.dumps(q.pricing, sort_keys=True) for q in Quote.objects.all()} == before


def test_revise_from_the_banner_makes_a_new_version_under_the_new_rules(rep, rep_client, us_lane):
    with time_machine.travel(TODAY, tick=False):
        sent = quote_services.quote_mark_sent(
            quote=us_quote(german_buyer(owner=rep), currency="USD"), by=rep
        )
        event = tariff_changes_look_ahead()[0]
        run(event)
        impact = TariffChangeImpact.objects.get(event=event, quote=sent)
        body = rep_client.get(f"/quotes/{sent.pk}/").content.decode()
        assert "Tariff change on 2026-07-25: landed cost −USD 245.00/MT" in body
        response = rep_client.post(f"/quotes/{sent.pk}/tariff-change/{impact.pk}/apply/")
    new = Quote.objects.get(number=sent.number, version=2)
    assert response.status_code == 302 and response.url == f"/quotes/{new.pk}/"
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SUPERSEDED and new.status == QuoteStatus.DRAFT
    assert new.quote_date == TODAY
    assert new.landed_cost_per_mt_usd == impact.new_landed_per_mt_usd
    kinds = {d["kind"] for d in new.pricing["lines"][0]["duties"]}
    assert kinds == {"mfn"}  # the surcharge ended on 2026-07-24
    assert any("Duties as in force on 2026-07-25" in w for w in new.pricing["warnings"])
    assert not new.sent_at  # nothing is re-sent
    with time_machine.travel(TODAY, tick=False):
        body = rep_client.get(f"/quotes/{new.pk}/").content.decode()
    assert "Tariff change on" not in body


def test_reprice_from_the_banner_for_a_draft(rep, rep_client, us_lane):
    with time_machine.travel(TODAY, tick=False):
        draft = us_quote(german_buyer(owner=rep), currency="USD")
        event = run(tariff_changes_look_ahead()[0])
        impact = event.impacts.get()
        rep_client.post(f"/quotes/{draft.pk}/tariff-change/{impact.pk}/apply/")
    draft.refresh_from_db()
    assert draft.version == 1 and draft.landed_cost_per_mt_usd == impact.new_landed_per_mt_usd


def test_another_reps_quote_banner_cannot_be_applied(rep, other_rep, client, us_lane):
    with time_machine.travel(TODAY, tick=False):
        draft = us_quote(german_buyer(owner=rep), currency="USD")
        impact = run(tariff_changes_look_ahead()[0]).impacts.get()
    client.force_login(other_rep)
    assert client.post(f"/quotes/{draft.pk}/tariff-change/{impact.pk}/apply/").status_code == 404


def test_owners_are_emailed_when_enabled(rep, us_lane, settings, mailoutbox):
    from quotes.models import QuoteEmail
    from quotes.sending.services import email_send

    settings.MGTRADE = settings.MGTRADE | {"NOTIFY_BY_EMAIL": True}
    rep.email = "rep@mgtrade.example"
    rep.save()
    with time_machine.travel(TODAY, tick=False):
        quote = us_quote(german_buyer(owner=rep), currency="USD")
        run(tariff_changes_look_ahead()[0])
    email = QuoteEmail.objects.get(quote=quote, kind="tariff_change")
    assert email.to == ["rep@mgtrade.example"]
    email_send(email_id=email.pk)
    [message] = mailoutbox
    assert "Tariff change on 2026-07-25: landed cost −USD 245.00/MT" in message.body
    assert quote.reference in message.subject


def test_a_snapshot_keeps_a_capped_fee_and_its_mode_for_re_pricing():
    """A quote's stored duties carry the per-entry limit and the transport mode of the rule
    that applied, so re-pricing it from its snapshot charges the same capped fee."""
    from dataclasses import replace

    from pricing.engine import TariffRuleData
    from tests.pricing.cases import USHOU, WORKED

    mpf = TariffRuleData(
        "US", "8104", "entry_fee", D("0.3464"), "FOB", max_usd_per_entry=D("538.40")
    )
    hmf = TariffRuleData("US", "8104", "port_fee", D("0.125"), "FOB", transport_mode="ocean")
    inp = replace(
        WORKED,
        incoterm="DDP",
        destination_port=USHOU,
        currency="USD",
        fx_rate=D("1"),
        tariff_rules=(mpf, hmf),
    )
    stored = json.loads(json.dumps(price(inp).to_dict()))
    fees = [d for line in stored["lines"] for d in line["duties"] if d["kind"] == "entry_fee"]
    assert {d["max_usd_per_entry"] for d in fees} == {"538.40"}
    assert sum(D(d["amount"]) for d in fees) == D("538.40")

    again = price(repricing.snapshot_input(stored)).to_dict()
    assert again["usd"] == stored["usd"]
    assert [r.transport_mode for r in repricing.snapshot_rules(stored)] == ["", "ocean"]
