"""Pricing input that a quote could not hold is a 400 on its field, in the preview and in
quotes: quote dates far from today (9999-12-25 overflowed the validity date), amounts past
the numeric(14,2) columns, more lines than MGTRADE_MAX_QUOTE_LINES (docs/pricing.md,
docs/quotes.md)."""

import copy
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import Quote
from tests.pricing.conftest import WORKED_REQUEST
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("worked_example_data")
PREVIEW = "/api/v1/pricing/preview/"
QUOTES = "/api/v1/quotes/"


def preview_request(**changes):
    request = copy.deepcopy(WORKED_REQUEST)
    request["quote_date"] = timezone.localdate().isoformat()
    request.update(changes)
    return request


def line(quantity="10", price=None):
    row = {"product": "MG9990", "quantity_mt": quantity}
    if price is not None:
        row["unit_price_usd_per_mt"] = price
    return row


@pytest.fixture
def customer(rep):
    return german_buyer(owner=rep)


# ------------------------------------------------------------------ quote dates


@pytest.mark.parametrize("quote_date", ["9999-12-25", "9999-12-31", "3000-01-01", "0001-01-01"])
def test_preview_refuses_absurd_quote_dates_with_400(rep_api, quote_date):
    response = rep_api.post(PREVIEW, preview_request(quote_date=quote_date), format="json")
    assert response.status_code == 400
    assert "quote_date" in response.json()


def test_quote_create_with_a_far_future_date_is_400_not_500(rep_api, customer):
    response = rep_api.post(
        QUOTES,
        {"customer": customer.pk, "quote_date": "9999-12-25", "lines": [line()]},
        format="json",
    )
    assert response.status_code == 400
    assert "quote_date" in response.json()
    assert not Quote.objects.exists()


def test_quote_dates_within_the_window_are_accepted_and_just_outside_refused(rep_api):
    today = timezone.localdate()
    inside = rep_api.post(
        PREVIEW,
        preview_request(quote_date=(today + timedelta(days=365)).isoformat()),
        format="json",
    )
    assert inside.status_code == 200, inside.json()
    outside = rep_api.post(
        PREVIEW,
        preview_request(quote_date=(today + timedelta(days=367)).isoformat()),
        format="json",
    )
    assert outside.status_code == 400 and "quote_date" in outside.json()


# ------------------------------------------------------------------ amounts


def test_preview_refuses_totals_a_quote_could_not_store(rep_api):
    request = preview_request(currency="USD", lines=[line("100000", "99999999999.00")])
    response = rep_api.post(PREVIEW, request, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()


def test_quote_create_with_too_large_totals_is_400(rep_api, customer):
    response = rep_api.post(
        QUOTES,
        {"customer": customer.pk, "currency": "USD", "lines": [line("100000", "99999999999.00")]},
        format="json",
    )
    assert response.status_code == 400
    assert "lines" in response.json()
    assert not Quote.objects.exists()


def test_a_unit_price_past_the_column_is_a_line_error(rep_api):
    request = preview_request(currency="USD", lines=[line("0.001", "1000000000000000")])
    response = rep_api.post(PREVIEW, request, format="json")
    assert response.status_code == 400
    assert "unit_price_usd_per_mt" in response.json()["lines"][0]


# ------------------------------------------------------------------ line cap


def test_default_cap_is_50_lines(settings):
    assert settings.MGTRADE["MAX_QUOTE_LINES"] == 50


def test_api_create_with_more_lines_than_the_cap_is_400_on_lines(rep_api, customer, settings):
    settings.MGTRADE = {**settings.MGTRADE, "MAX_QUOTE_LINES": 2}
    response = rep_api.post(
        QUOTES, {"customer": customer.pk, "lines": [line(), line(), line()]}, format="json"
    )
    assert response.status_code == 400
    assert "at most 2 lines" in str(response.json()["lines"])
    ok = rep_api.post(QUOTES, {"customer": customer.pk, "lines": [line(), line()]}, format="json")
    assert ok.status_code == 201


def test_preview_with_more_lines_than_the_cap_is_400(rep_api, settings):
    settings.MGTRADE = {**settings.MGTRADE, "MAX_QUOTE_LINES": 2}
    response = rep_api.post(PREVIEW, preview_request(lines=[line(), line(), line()]), format="json")
    assert response.status_code == 400
    assert "lines" in response.json()


def test_builder_page_shows_the_cap_as_a_form_error(rep_client, customer, settings):
    from tests.quotes.test_quote_pages import builder_post

    settings.MGTRADE = {**settings.MGTRADE, "MAX_QUOTE_LINES": 1}
    response = rep_client.post(
        reverse("quotes:create") + f"?customer={customer.pk}", builder_post(customer)
    )
    assert response.status_code == 200
    assert "at most 1 line" in response.content.decode()
    assert not Quote.objects.exists()
