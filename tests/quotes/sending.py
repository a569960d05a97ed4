"""Helpers and fixtures for the sending tests (import the fixtures you use)."""

import io
import shutil
import subprocess
from decimal import Decimal

from django.utils import translation
from pypdf import PdfReader

from quotes.templatetags.amounts import money
from tests.quotes.factories import german_buyer, quote_for


def sendable_draft(rep, **customer_fields):
    """A sendable CIF Hamburg draft of MG9990 + AZ91D for a German buyer of the rep (needs
    the ``worked_example_data`` fixture)."""
    customer_fields.setdefault("name", "Hamburg Leichtmetall GmbH")
    return quote_for(customer=german_buyer(owner=rep, **customer_fields))


def pdf_text(data: bytes) -> str:
    """The PDF's text; pdftotext (poppler) when present, pypdf otherwise."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return out.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pypdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def expected_figures(quote) -> dict:
    """What the PDF must show: the number, each duty line and the landed cost per MT, in
    the document's language (the one it was sent in, else its contact's: German here)."""
    from quotes.documents.context import quote_pdf_context
    from quotes.selectors import quote_sent_language

    language = quote_sent_language(quote=quote)
    qc = quote.pricing["quote_currency"]
    with translation.override(language):
        # duty amounts as the buyer's document prints them: in the quote currency
        duties = [
            {
                "grade": duty["grade"],
                "reference": duty["reference"],
                "amount": money(duty["amount"]),
            }
            for duty in quote_pdf_context(quote)["breakdown"]["duties"]
        ]
        landed = money(Decimal(qc["landed_cost_per_mt"]), quote.currency)
    return {"number": quote.number, "duties": duties, "landed_per_mt": landed}


def assert_quote_pdf(data: bytes, quote, *, text=pypdf_text) -> None:
    assert data.startswith(b"%PDF-")
    content = " ".join(text(data).split())
    figures = expected_figures(quote)
    assert figures["number"] in content
    assert figures["duties"], "the worked example has duty lines"
    for duty in figures["duties"]:
        assert duty["reference"] in content
        assert duty["amount"] in content
    assert " ".join(figures["landed_per_mt"].split()) in content


def state_of(delivery):
    """Where the delivery stands now (``DeliveryState``: the PDF step, then its e-mail's)."""
    from quotes.models import QuoteDelivery
    from quotes.sending.selectors import delivery_state

    return delivery_state(delivery=QuoteDelivery.objects.get(pk=delivery.pk))
