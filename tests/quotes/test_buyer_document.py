"""The buyer's document in one currency: line amounts on the Incoterm basis that add up
to the printed total (read back from the PDF's text), the named place per Incoterm, the
landed cost per grade."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing.engine import PricingResult, document_lines
from products import services as product_services
from quotes.documents.context import quote_pdf_context
from quotes.documents.pdf import render_template_pdf
from tests.quotes.factories import german_buyer, quote_for
from tests.quotes.test_pdf_render import one_line, pdf_text

pytestmark = pytest.mark.usefixtures("worked_example_data")


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _printed_lines_and_total(text: str, currency: str, incoterm: str) -> tuple[list, Decimal]:
    """Each printed line's amount (the second of its "unit price, amount" pair) and the
    printed total of the lines table."""
    flat = one_line(text)
    section = flat[flat.index("Lines #") : flat.index(f"Total, {incoterm}")]
    pairs = re.findall(rf"{currency} ([\d,]+(?:\.\d+)?) {currency} ([\d,]+(?:\.\d+)?)", section)
    total = re.search(rf"Total, {incoterm} [^\d]*?[\d.,]+ {currency} ([\d,]+(?:\.\d+)?)", flat)
    assert total, flat[:2000]
    return [_number(amount) for _unit, amount in pairs], _number(total.group(1))


def _jpy_rate():
    for days in (0, 1):
        product_services.exchange_rate_create(
            currency="JPY",
            rate_per_usd=Decimal("151.37"),
            date=timezone.localdate() - timedelta(days=days),
        )


@pytest.mark.parametrize(
    ("currency", "incoterm"),
    [("EUR", "CIF"), ("JPY", "CIF"), ("USD", "DDP"), ("EUR", "FOB"), ("EUR", "DAP")],
)
def test_printed_line_amounts_add_up_to_the_printed_total(rep, currency, incoterm):
    if currency == "JPY":
        _jpy_rate()
    quote = quote_for(
        customer=german_buyer(owner=rep), incoterm=incoterm, currency=currency, quantity="100"
    )
    context = quote_pdf_context(quote)
    text = pdf_text(render_template_pdf("pdf/quote.html", context))

    amounts, total = _printed_lines_and_total(text, currency, incoterm)

    assert len(amounts) == 2
    assert sum(amounts) == total
    assert total == Decimal(quote.pricing["quote_currency"]["quote_total"])
    assert context["lines_currency"] == currency
    if currency != "USD":
        # no USD figure on the page (no specific duty): no exchange rate either
        assert "USD" not in text


def test_fob_names_the_port_of_loading_and_cif_the_destination(rep):
    customer = german_buyer(owner=rep)
    fob = quote_pdf_context(quote_for(customer=customer, incoterm="FOB"))
    cif = quote_pdf_context(quote_for(customer=customer, incoterm="CIF"))
    assert fob["quote"]["named_place"] == "Tianjin Xingang"
    assert cif["quote"]["named_place"] == "Hamburg"
    text = one_line(pdf_text(render_template_pdf("pdf/quote.html", fob)))
    assert "FOB Tianjin Xingang (Incoterms® 2020)" in text
    assert "FOB Hamburg" not in text


def test_landed_cost_per_grade_carries_each_lines_own_duties(rep):
    quote = quote_for(customer=german_buyer(owner=rep), quantity="100")
    context = quote_pdf_context(quote)
    mg, az = context["landed_lines"]
    qc = quote.pricing["quote_currency"]
    assert mg["landed_cost"] + az["landed_cost"] == Decimal(qc["landed_cost"])
    assert mg["duties_amount"] + az["duties_amount"] == Decimal(qc["duties"])
    # 5.3 % on Mg 99.90 and 4 % on AZ91D: per MT the two grades differ
    assert mg["landed_cost_per_mt"] != az["landed_cost_per_mt"]
    text = one_line(pdf_text(render_template_pdf("pdf/quote.html", context)))
    assert "Estimated landed cost" in text


def test_document_lines_follow_the_term_components(rep):
    """Under CIF each line's amount is goods + its freight and insurance shares."""
    quote = quote_for(customer=german_buyer(owner=rep), incoterm="CIF", currency="USD")
    result = PricingResult.from_dict(quote.pricing)
    lines = document_lines(result)
    assert sum(line.amount for line in lines) == result.quote_currency.quote_total
    for line, priced in zip(lines, result.lines, strict=True):
        assert line.amount > priced.goods_value  # freight and insurance on top


def test_the_quote_email_subject_names_the_incoterm_place(rep):
    from quotes.sending.emails import email_subject
    from quotes.sending.services import _quote_email_context

    quote = quote_for(customer=german_buyer(owner=rep), incoterm="FOB")
    subject = email_subject("quote", _quote_email_context(quote, quote_pdf_context(quote)))
    assert "FOB Tianjin Xingang" in subject


def test_a_netback_line_stores_the_derived_fob_and_prints_the_entered_price(rep):
    """EUR 2,390/MT CIF Hamburg entered on the first line: the line keeps the term price,
    its FOB USD price is derived (approval and floor checks read that one), the PDF prints
    2,390.00 for it and the amounts still add up to the total."""
    quote = quote_for(customer=german_buyer(owner=rep), quantity="100")
    from quotes import services

    terms = services.QuoteTerms.from_quote(quote)
    terms.lines[0] = {**terms.lines[0], "term_price_per_mt": "2390"}
    quote = services.quote_update(quote=quote, by=rep, terms=terms)
    first = quote.lines.order_by("position").first()
    assert first.term_price_per_mt == Decimal("2390.00")
    assert first.unit_price_usd_per_mt < Decimal("2390") / Decimal("0.925")
    context = quote_pdf_context(quote)
    assert context["lines"][0]["unit_price"] == Decimal("2390.00")
    text = pdf_text(render_template_pdf("pdf/quote.html", context))
    amounts, total = _printed_lines_and_total(text, "EUR", "CIF")
    assert sum(amounts) == total and amounts[0] == Decimal("239000.00")


def test_the_api_takes_a_term_price_per_line(rep, rep_api):
    customer = german_buyer(owner=rep)
    response = rep_api.post(
        "/api/v1/quotes/",
        {
            "customer": customer.pk,
            "incoterm": "CIF",
            "destination_port": "DEHAM",
            "origin_port": "CNTXG",
            "currency": "EUR",
            "lines": [{"product": "MG9990", "quantity_mt": "50", "term_price_per_mt": "2390"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    line = response.json()["lines"][0]
    assert line["term_price_per_mt"] == "2390.00"
    assert Decimal(line["unit_price_usd_per_mt"]) < Decimal("2390") / Decimal("0.925")


def test_the_document_prints_references_origin_packing_and_both_signature_blocks(rep):
    from products.models import Product

    Product.objects.filter(code="AZ91D").update(form="7.5 kg ingots", packaging="1 MT bundles")
    rep.title, rep.phone = "Sales Manager", "+86 951 555 0142"
    rep.save()
    quote = quote_for(customer=german_buyer(owner=rep), buyer_reference="ENQ-2026-118")
    text = one_line(pdf_text(render_template_pdf("pdf/quote.html", quote_pdf_context(quote))))
    assert "Your reference ENQ-2026-118" in text
    assert "Country of origin People's Republic of China" in text
    assert "Packing All grades 7.5 kg ingots, 1 MT bundles" in text  # one line, one packing
    assert "Li Wei, Sales Manager" in text and "+86 951 555 0142" in text
    assert "For the seller" in text and "Confirmed by the buyer" in text
    assert "PO number" in text
    # the old free-text payment terms are not printed beside the structured ones
    assert text.count("T/T 30% advance") <= 1
