"""The quote's PDF as a file: the stored one of a sent version, or a preview rendered now.

``quote_pdf(quote)`` makes the one choice every caller (the rep's page, the API) shares:

- a sent version whose PDF the worker has stored: that file, exactly as e-mailed;
- otherwise a preview rendered in the caller's process from the frozen document (a sent
  version whose PDF is not stored yet, or whose file is missing) or from the quote's
  snapshot (marked DRAFT while the quote is editable).

A preview costs about 40 ms per line on top of ~250 ms (docs/pdf.md), so it is refused
above ``preview_max_lines()`` lines (``MGTRADE["PDF_PREVIEW_MAX_LINES"]``, default 50,
about 2 s): the caller gets :class:`PreviewTooLarge` and no render starts. The buyer's
link never renders: it serves the stored file or says the PDF is on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.conf import settings

from mgtrade.errors import StateConflict
from quotes.models import EDITABLE_STATUSES, Quote, QuoteDelivery

from .context import document_render, quote_language, quote_pdf_context, quote_pdf_filename

PREVIEW_MAX_LINES = 50


class PreviewTooLarge(StateConflict):
    """The quote has too many lines to render a preview inside a request."""


def preview_max_lines() -> int:
    return int(settings.MGTRADE.get("PDF_PREVIEW_MAX_LINES", PREVIEW_MAX_LINES))


@dataclass(frozen=True)
class QuotePdf:
    filename: str
    handle: IO[bytes] | None = None  # the stored file, open (the caller streams and closes it)
    data: bytes | None = None  # a preview rendered for this call

    @property
    def stored(self) -> bool:
        return self.handle is not None


def quote_pdf(quote: Quote, *, language: str | None = None) -> QuotePdf:
    """The stored PDF of ``quote`` if there is one, otherwise a preview rendered now, in
    ``language`` (a sent version: the language it was sent in; a draft: the rep's choice,
    default the contact's). Raises :class:`PreviewTooLarge` instead of rendering a preview
    of too many lines."""
    delivery = QuoteDelivery.objects.filter(quote=quote).first()
    if delivery is not None and delivery.is_rendered:
        try:
            handle = delivery.pdf.open("rb")
        except OSError:
            pass  # the file is gone: a preview of the frozen document below
        else:
            return QuotePdf(quote_pdf_filename(quote), handle=handle)
    lines = quote.lines.count()
    limit = preview_max_lines()
    if lines > limit:
        raise PreviewTooLarge(
            f"{quote.reference} has {lines} lines: a PDF preview is limited to {limit} lines. "
            + (
                "The PDF of the sent version is rendered by the worker: see the delivery state."
                if delivery is not None
                else "Send it to have the PDF rendered in the background."
            )
        )
    draft = quote.status in EDITABLE_STATUSES
    if delivery is not None:
        data = document_render(delivery.document, language=delivery.language)
    else:
        language = language or quote_language(quote)
        context = quote_pdf_context(quote, draft=draft, language=language)
        data = document_render(context, language=language)
    return QuotePdf(quote_pdf_filename(quote, draft=draft), data=data)
