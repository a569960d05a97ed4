"""load_demo carries the demo's reference data forward to today, so a fresh ``make run``
quotes on data that is not stale; a later "today" shows the stale-data warnings."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mgtrade.accounts.models import User
from products.models import ExchangeRate, FreightRate, ProductPrice
from quotes.models import Quote

pytestmark = pytest.mark.django_db
DEMO_DAY = date(2027, 3, 10)


@pytest.fixture
def pin_today(monkeypatch):
    def pin(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return pin


REFRESHED = {"stale_list_price", "stale_fx_rate", "stale_freight_rate"}


def stale_codes(quote: Quote) -> set[str]:
    """The stale kinds load_demo refreshes (seeded tariff rules stay unverified on purpose:
    docs/tariff-watch.md)."""
    return {r["code"] for r in quote.approval_reasons if r["code"] in REFRESHED}


def test_load_demo_dates_the_reference_data_today_so_demo_quotes_are_not_stale(pin_today):
    pin_today(DEMO_DAY)
    call_command("load_demo", verbosity=0)
    assert ProductPrice.objects.filter(effective_from=DEMO_DAY).exists()
    assert ExchangeRate.objects.filter(date=DEMO_DAY, currency="EUR").exists()
    assert FreightRate.objects.filter(valid_from=DEMO_DAY, valid_to__isnull=True).exists()
    # the sourced history is kept: the carried-forward rows say where they come from
    assert ProductPrice.objects.filter(effective_from__lt=DEMO_DAY).exists()
    assert "carried forward" in ProductPrice.objects.filter(effective_from=DEMO_DAY)[0].note
    quotes = list(Quote.objects.all())
    assert quotes and all(not stale_codes(q) for q in quotes)


def test_a_month_later_the_calculator_and_quotes_warn_of_stale_data(pin_today, client):
    pin_today(DEMO_DAY)
    call_command("load_demo", verbosity=0)
    pin_today(DEMO_DAY + timedelta(days=30))
    client.force_login(User.objects.get(username="rep"))
    data = {
        "quote_date": (DEMO_DAY + timedelta(days=30)).isoformat(),
        "incoterm": "CIF",
        "origin_port": "CNTXG",
        "destination_port": "DEHAM",
        "currency": "EUR",
        "insurance_rate_percent": "0.15",
        "tariff_absorption_percent": "0",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": "MG9990",
        "lines-0-quantity_mt": "22",
    }
    page = client.post(reverse("quotes:calculator_preview"), data).content.decode()
    assert f"The list price of MG9990 is from {DEMO_DAY.isoformat()}, 30 days" in page
    assert f"The EUR exchange rate is from {DEMO_DAY.isoformat()}" in page
    # freight is 45 days: not stale yet
    assert "freight rate" not in page
