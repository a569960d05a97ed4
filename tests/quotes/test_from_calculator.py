"""The calculator's "Make a quote from this" (issue 11): its terms and lines go to the quote
builder for a customer the rep picks, priced at once, and are saved as the quote's."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from quotes.models import Quote
from tests.quotes.factories import german_buyer

pytestmark = pytest.mark.usefixtures("worked_example_data")

CALCULATION = {
    "quote_date": timezone.localdate().isoformat(),
    "incoterm": "FOB",
    "origin_port": "CNTXG",
    "destination_port": "DEHAM",
    "currency": "EUR",
    "insurance_rate_percent": "0.15",
    "tariff_absorption_percent": "0",
    "lines-TOTAL_FORMS": "3",
    "lines-INITIAL_FORMS": "0",
    "lines-0-product": "MG9990",
    "lines-0-quantity_mt": "44",
    "lines-0-unit_price_usd_per_mt": "2475.00",
    "lines-0-discount_percent": "1",
    "lines-1-product": "",  # a blank row in between is dropped
    "lines-1-quantity_mt": "",
    "lines-1-unit_price_usd_per_mt": "",
    "lines-1-discount_percent": "",
    "lines-2-product": "AZ91D",
    "lines-2-quantity_mt": "20",
    "lines-2-unit_price_usd_per_mt": "",
    "lines-2-discount_percent": "",
}


@pytest.fixture
def customer(rep):
    # Its defaults (CIF, USD) differ from the calculation's, which must win.
    return german_buyer(
        owner=rep, name="Kurpfalz Druckguss GmbH", default_incoterm="CIF", default_currency="USD"
    )


def make_quote(rep_client):
    response = rep_client.post(
        reverse("quotes:calculator"), {**CALCULATION, "make_quote": "1", "csrfmiddlewaretoken": "x"}
    )
    assert response.status_code == 302
    return response.url


def test_the_calculator_offers_make_a_quote(rep_client):
    page = rep_client.get(reverse("quotes:calculator")).content.decode()
    assert 'name="make_quote"' in page and "Make a quote from this" in page


def test_make_a_quote_carries_the_terms_and_lines_to_the_customer_picker(rep_client, customer):
    url = make_quote(rep_client)
    path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
    assert path == reverse("quotes:create")
    assert "csrfmiddlewaretoken" not in query and "make_quote" not in query
    assert query["incoterm"] == ["FOB"] and query["lines-0-product"] == ["MG9990"]
    page = rep_client.get(url + "&q=kurpfalz").content.decode()
    assert "Make a quote from the calculation: which customer?" in page
    assert "From the calculator: 44 MT MG9990, 20 MT AZ91D" in page
    assert '<input type="hidden" name="lines-0-product" value="MG9990">' in page
    assert f'href="?customer={customer.pk}&amp;quote_date=' in page
    assert "&amp;incoterm=FOB&amp;" in page


def test_the_builder_opens_with_the_calculation_priced_for_the_chosen_customer(
    rep_client, customer
):
    url = make_quote(rep_client) + f"&customer={customer.pk}"
    response = rep_client.get(url)
    assert response.status_code == 200
    terms, lines, header = (response.context[k] for k in ("terms", "lines", "header"))
    assert terms["incoterm"].value() == "FOB" and terms["currency"].value() == "EUR"
    assert [form["product"].value() for form in lines.forms] == ["MG9990", "AZ91D"]
    assert lines.forms[0]["unit_price_usd_per_mt"].value() == "2475.00"
    assert not terms.errors and not lines.total_error_count(), (terms.errors, lines.errors)
    assert response.context["result"] is not None  # priced at once
    assert header["contact"].value() == customer.contacts.get().pk  # the customer's header
    assert "Quote total" in response.content.decode()


def test_saving_it_makes_the_quote_with_the_calculations_lines(rep_client, customer):
    url = make_quote(rep_client) + f"&customer={customer.pk}"
    page = rep_client.get(url)
    data = {**CALCULATION, "contact": customer.contacts.get().pk, "payment_terms": "T/T"}
    response = rep_client.post(url, data)
    quote = Quote.objects.get()
    assert response.status_code == 302 and response.url == reverse("quotes:detail", args=[quote.pk])
    assert (quote.customer, quote.incoterm, quote.currency) == (customer, "FOB", "EUR")
    assert [(line.product_code, str(line.quantity_mt)) for line in quote.lines.all()] == [
        ("MG9990", "44.000"),
        ("AZ91D", "20.000"),
    ]
    assert page.status_code == 200


def test_an_invalid_calculation_arrives_with_its_errors_shown(rep_client, customer):
    response = rep_client.post(
        reverse("quotes:calculator"),
        {**CALCULATION, "lines-0-quantity_mt": "-5", "make_quote": "1"},
    )
    page = rep_client.get(response.url + f"&customer={customer.pk}").content.decode()
    assert 'id="error-summary"' in page and 'href="#id_lines-0-quantity_mt"' in page
    assert not Quote.objects.exists()


def test_another_reps_customer_is_not_reachable_from_a_carried_link(rep_client, other_rep):
    theirs = german_buyer(owner=other_rep, name="Fremd GmbH")
    url = make_quote(rep_client) + f"&customer={theirs.pk}"
    assert rep_client.get(url).status_code == 404
