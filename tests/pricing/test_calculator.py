"""The price calculator page: renders, prices, shows errors inline, htmx partial."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("worked_example_data")

PAGE = reverse("quotes:calculator")
PARTIAL = reverse("quotes:calculator_preview")


def form_data(lines=None, **terms):
    data = {
        "quote_date": "2026-11-20",
        "incoterm": "CIF",
        "origin_port": "CNTXG",
        "destination_port": "DEHAM",
        "currency": "EUR",
        "insurance_rate_percent": "0.15",
        "tariff_absorption_percent": "0",
    } | terms
    lines = (
        lines
        if lines is not None
        else [
            ("MG9990", "50", "2450.00", "2"),
            ("AZ91D", "20", "3100.00", ""),
        ]
    )
    data["lines-TOTAL_FORMS"] = str(len(lines))
    data["lines-INITIAL_FORMS"] = "0"
    for i, (product, qty, unit, discount) in enumerate(lines):
        data[f"lines-{i}-product"] = product
        data[f"lines-{i}-quantity_mt"] = qty
        data[f"lines-{i}-unit_price_usd_per_mt"] = unit
        data[f"lines-{i}-discount_percent"] = discount
    return data


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_page_renders_with_defaults_and_the_disclaimer(rep_client):
    response = rep_client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "rates must be checked against the official tariff before use" in html
    assert 'hx-trigger="input changed delay:300ms' in html
    assert 'value="CNTXG" selected' in html
    assert "MG9990 · Magnesium ingot 99.90%" in html
    assert "Price calculator" in html


def test_submitting_without_js_prices_the_worked_example(rep_client):
    response = rep_client.post(PAGE, form_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert "176,456.92" in html  # CIF total in EUR
    assert "190,764.24" in html  # CIF total in USD
    assert "2,885.66" in html  # landed cost per MT
    assert "6,691.67" in html and "2,580.25" in html  # duty lines
    assert "EU TARIC 810411 (example)" in html
    assert "CIF basis" in html


def test_htmx_partial_returns_the_breakdown_only(rep_client):
    response = rep_client.post(PARTIAL, form_data(incoterm="DDP"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "201,996.16" in html  # DDP total = landed cost
    # error boxes keep their place: only their contents are swapped out of band
    assert 'id="id_lines-0-quantity_mt_error"' in html and 'hx-swap-oob="innerHTML"' in html
    # one short sentence for the status region, not the whole breakdown
    status = html[html.index('<div id="status"') :]
    assert len(status[: status.index("</div>")]) < 160


def test_errors_show_next_to_their_fields(rep_client):
    data = form_data(
        lines=[("MG9990", "0", "", ""), ("AZ91D", "20", "", "120")], tariff_absorption_percent="-1"
    )
    response = rep_client.post(PARTIAL, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert (
        '<div id="id_lines-0-quantity_mt_error" class="field-errors" '
        'data-error-for="id_lines-0-quantity_mt" hx-swap-oob="innerHTML"><ul class="errorlist">'
        "<li>The quantity must be more than 0 MT."
    ) in html
    assert "aria-live" not in html  # the page's one status region announces, not 13 boxes
    assert "The discount must be between 0 and 100 %." in html
    assert "Tariff absorption must be between 0 and 100 %." in html
    assert "Fix the fields marked above" in html


def test_reference_data_errors_show_on_their_fields(rep_client):
    # the EUR rate is dated 2026-11-02
    html = rep_client.post(PAGE, form_data(quote_date="2026-11-01")).content.decode()
    assert "No exchange rate for EUR on or before 2026-11-01." in html


def test_add_and_remove_lines_without_js(rep_client):
    html = rep_client.post(PAGE, form_data() | {"add_line": "1"}).content.decode()
    assert 'name="lines-2-product"' in html
    assert 'name="lines-TOTAL_FORMS" value="3"' in html
    html = rep_client.post(PAGE, form_data() | {"remove_line": "0"}).content.decode()
    assert 'name="lines-1-product"' not in html
    assert 'value="AZ91D" selected' in html


def test_no_freight_rate_is_explained_on_the_destination(rep_client):
    html = rep_client.post(PAGE, form_data(destination_port="USHOU")).content.decode()
    assert "No freight rate from CNTXG to USHOU" in html


def test_port_picker_offers_matching_ports_and_disables_those_without_a_lane(rep_client):
    from products import services as product_services

    product_services.port_create(code="DEBRV", name="Bremerhaven", country="DE")
    url = reverse("quotes:port_picker")
    html = rep_client.get(
        url,
        {"q": "hamb", "role": "destination", "for": "id_destination_port", "origin_port": "CNTXG"},
    ).content.decode()
    assert 'data-value="DEHAM"' in html and "disabled" not in html
    html = rep_client.get(
        url,
        {"q": "de", "role": "destination", "for": "id_destination_port", "origin_port": "CNTXG"},
    ).content.decode()
    assert (
        'id="id_destination_port-pick-DEBRV" data-pick-for="id_destination_port" data-value="DEBRV" disabled'
        in html
    )
    assert "no freight rate from CNTXG" in html
    origins = rep_client.get(url, {"q": "", "role": "origin", "for": "id_origin_port"})
    assert origins.content.decode().strip() == ""  # nothing until something is typed
    origins = rep_client.get(
        url, {"q": "c", "role": "origin", "for": "id_origin_port"}
    ).content.decode()
    assert 'data-value="CNTXG"' in origins and "DEHAM" not in origins


def test_new_quote_says_when_the_customers_default_port_is_not_in_the_table(rep_client, rep):
    from tests.quotes.factories import german_buyer

    customer = german_buyer(owner=rep, default_destination_port="DEXYZ")
    page = rep_client.get(reverse("quotes:create"), {"customer": customer.pk}).content.decode()
    assert 'id="default-port-missing"' in page and "DEXYZ" in page


def test_currency_picker_offers_usd_and_the_currencies_with_a_rate(rep_client):
    url = reverse("quotes:currency_picker")
    html = rep_client.get(url, {"q": "eu", "for": "id_currency"}).content.decode()
    assert 'id="id_currency-pick-EUR" data-pick-for="id_currency" data-value="EUR"' in html
    assert "disabled" not in html and "USD" not in html
    html = rep_client.get(url, {"q": "us", "for": "id_currency"}).content.decode()
    assert 'data-value="USD"' in html
    html = rep_client.get(url, {"q": "xyz", "for": "id_currency"}).content.decode()
    assert "No currencies matches" not in html and "No currency matches “xyz”." in html
    assert rep_client.get(url, {"q": "", "for": "id_currency"}).content.decode().strip() == ""


def test_a_picker_ignores_a_target_that_is_not_a_plain_id(rep_client):
    url = reverse("quotes:currency_picker")
    html = rep_client.get(url, {"q": "eu", "for": 'x" onclick="alert(1)'}).content.decode()
    assert "onclick" not in html and 'data-pick-for=""' in html


def test_port_picker_for_any_port_disables_none(rep_client):
    from products import services as product_services

    product_services.port_create(code="DEBRV", name="Bremerhaven", country="DE")
    html = rep_client.get(
        reverse("quotes:port_picker"),
        {"q": "de", "role": "any", "for": "id_default_destination_port"},
    ).content.decode()
    assert 'data-value="DEBRV"' in html and 'data-value="DEHAM"' in html
    assert "disabled" not in html


def test_calculator_has_a_currency_picker_next_to_the_currency(rep_client):
    html = rep_client.get(PAGE).content.decode()
    assert 'id="id_currency-search"' in html
    assert f'hx-get="{reverse("quotes:currency_picker")}?for=id_currency"' in html
    assert 'aria-controls="id_currency-options"' in html
