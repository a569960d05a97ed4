"""Every demo quote's PDF, as a buyer reads it: amounts in the quote currency that add up,
and none of our internal notes (tariff rules' source notes, specification sources)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from products.models import Product, TariffRule
from quotes.documents.context import quote_pdf_context
from quotes.documents.pdf import render_template_pdf
from quotes.models import Quote
from tests.quotes.test_pdf_render import one_line, pdf_text


def _demo_pdfs():
    call_command("load_demo", verbosity=0)
    quotes = list(Quote.objects.select_related("customer", "contact", "owner"))
    out = [
        (quote, context, pdf_text(render_template_pdf("pdf/quote.html", context)))
        for quote in quotes
        for context in [quote_pdf_context(quote)]
    ]
    notes = [r.source_note for r in TariffRule.objects.all()]
    notes += [p.spec_source for p in Product.objects.exclude(spec_source="")]
    return out, notes


@pytest.mark.django_db
def test_demo_quote_pdfs_reconcile_and_print_no_internal_note():
    """One load of the demo for both checks (rendering every demo PDF takes a while)."""
    demo_pdfs = _demo_pdfs()
    _no_internal_note_appears_in_any_demo_pdf(demo_pdfs)
    _demo_pdfs_add_up_in_their_currency_eur_jpy_usd(demo_pdfs)


def _fragments(note: str) -> list[str]:
    """Distinctive pieces of an internal note (its sentences of some length)."""
    flat = one_line(note)
    return [piece for piece in re.split(r"(?<=[.;:])\s+|\n", flat) if len(piece) >= 25][:3]


def _no_internal_note_appears_in_any_demo_pdf(demo_pdfs):
    documents, notes = demo_pdfs
    assert documents and notes
    for quote, _context, text in documents:
        flat = one_line(text)
        for note in notes:
            for fragment in _fragments(note):
                assert fragment not in flat, (quote.number, fragment)
        assert "custom-tariffs-seo" not in flat and "accessed" not in flat


def _demo_pdfs_add_up_in_their_currency_eur_jpy_usd(demo_pdfs):
    documents, _notes = demo_pdfs
    currencies = set()
    for quote, context, text in documents:
        currency = context["lines_currency"]
        assert currency == quote.currency
        flat = one_line(text)
        section = flat[flat.index("Lines #") : flat.index(f"Total, {quote.incoterm}")]
        number = r"([\d,]+(?:\.\d+)?)"
        amounts = [
            Decimal(a.replace(",", ""))
            for _u, a in re.findall(rf"{currency} {number} {currency} {number}", section)
        ]
        total = re.search(rf"Total, {quote.incoterm} [^\d]*?[\d.,]+ {currency} {number}", flat)
        assert len(amounts) == quote.lines.count(), (quote.number, section)
        assert sum(amounts) == Decimal(total.group(1).replace(",", "")), quote.number
        currencies.add(currency)
    assert {"EUR", "JPY", "USD"} <= currencies
