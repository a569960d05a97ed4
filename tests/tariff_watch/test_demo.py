"""The demo shows tariff watch at once: the IEEPA duties' end with affected quotes, and a
saved (hypothetical) scenario; nothing unsourced is presented as verified fact."""

from datetime import date

import pytest
from django.core.management import call_command

from products.models import TariffRule
from quotes.models import Quote
from quotes.tariff_watch.models import TariffChangeEvent, TariffScenario


@pytest.mark.django_db
def test_demo_has_the_ieepa_end_with_affected_quotes_and_a_scenario(client):
    call_command("load_demo")
    ieepa = TariffRule.objects.filter(
        destination="US", hs_prefix="8104", kind__in=["other", "retaliatory"]
    )
    assert {r.valid_to for r in ieepa} == {date(2026, 2, 23)}
    assert all("Supreme Court" in r.source_note for r in ieepa)
    event = TariffChangeEvent.objects.get(
        key__startswith="ended:", removed_rule_ids=[ieepa.get(kind="other").pk]
    )
    assert event.status == "done" and event.effective_on == date(2026, 2, 24)
    us_quotes = set(Quote.objects.filter(destination_country="US").values_list("pk", flat=True))
    affected = set(event.impacts.values_list("quote_id", flat=True))
    assert len(affected) == 2 and affected == us_quotes
    assert all(i.change_per_mt_usd < 0 for i in event.impacts.all())
    # Section 122: seeded unverified with its uncertainty said, so an admin must confirm it.
    s122 = TariffRule.objects.get(destination="US", kind="safeguard")
    assert s122.verified_on is None and "UNSOURCED" in s122.source_note
    assert (s122.valid_from, s122.valid_to) == (date(2026, 2, 24), date(2026, 7, 24))
    scenario = TariffScenario.objects.get()
    assert scenario.status == "done" and scenario.result["affected_count"] >= 1
    # Running it again changes nothing.
    call_command("load_demo")
    assert TariffChangeEvent.objects.filter(kind="ended").count() == 2
    assert TariffScenario.objects.count() == 1
    # The rep who owns the US quotes sees the banner.
    quote = Quote.objects.get(pk=sorted(affected)[0])
    client.force_login(quote.owner)
    body = client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "Tariff change on 2026-02-24: landed cost −USD" in body
