"""The buyer's pages behind the signed link: ``/q/<token>/`` (no login, CSRF on).

A bad token gets a 404-style page; a quote that is no longer open (expired, superseded,
decided, not sent) gets a page saying so. No path raises a 500 for a bad or stale link.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import get_language_info, gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mgtrade.errors import StateConflict
from mgtrade.i18n import ENGLISH, buyer_language, buyer_languages
from quotes import selectors
from quotes.documents.context import document_thaw, quote_pdf_context, quote_pdf_filename
from quotes.models import RejectionReason

from ..sending import enqueue
from . import services
from .services import LinkState

# The buyer's page is in the buyer's language: the one the quote was sent in, or another
# the buyer picks with the page's language switch (``?lang=de``, kept through the forms).
LANG_PARAM = "lang"

CLOSED_STATUS = {
    LinkState.EXPIRED: 410,
    LinkState.SUPERSEDED: 410,
    LinkState.NOT_SENT: 404,
    LinkState.ACCEPTED: 200,
    LinkState.REJECTED: 200,
}


class AcceptForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    title = forms.CharField(
        label=gettext_lazy("Your title or position (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    po_number = forms.CharField(
        label=gettext_lazy("Your purchase order number (optional)"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("We print it on the sales contract."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I accept this quotation on behalf of the buyer named on it."),
        required=True,
        error_messages={
            "required": gettext_lazy("Tick the box to confirm that you accept the quotation.")
        },
    )


class DeclineForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=gettext_lazy("Why are you declining?"),
        queryset=RejectionReason.objects.filter(active=True),
        empty_label=gettext_lazy("— choose a reason —"),
    )
    note = forms.CharField(
        label=gettext_lazy("Anything we should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def page_language(request, quote) -> str:
    """The page's language: a valid ``?lang=`` (the switch), else the language the quote
    was sent in, else its contact's. An unknown ``lang`` is ignored, never an error."""
    asked = request.GET.get(LANG_PARAM) or request.POST.get(LANG_PARAM)
    if asked:
        try:
            return buyer_language(contact_language=None, override=asked)
        except ValueError:
            pass
    return selectors.quote_sent_language(quote=quote) if quote is not None else ENGLISH


def _switch(token: str, current: str) -> list[dict]:
    """The language switch's links: each language named in itself, the current marked."""
    links = []
    for code in buyer_languages():
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": _view_url(token, code),
                "current": code == current,
            }
        )
    return links


def _view_url(token: str, language: str) -> str:
    return f"{reverse('public_quote:view', args=[token])}?{urlencode({LANG_PARAM: language})}"


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it (configure the proxy to set REMOTE_ADDR, e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def _document(quote) -> dict:
    delivery = getattr(quote, "delivery", None)
    if delivery is not None and delivery.document:
        return document_thaw(delivery.document)
    return quote_pdf_context(quote, draft=False)


def _named(name: str, lang: str | None, tag: str) -> str:
    """A name in its own script's ``lang`` (screen readers), safe to put in a sentence."""
    if lang:
        return format_html('<{} lang="{}">{}</{}>', tag, lang, name, tag)
    return format_html("<{}>{}</{}>", tag, name, tag)


def _names(doc: dict) -> dict:
    return {
        "buyer": _named(doc["buyer"]["name"], doc["buyer"].get("lang"), "strong"),
        "contact": _named(doc["contact"]["name"], doc["contact"].get("lang"), "span"),
    }


def _page(request, token: str, result, *, accept_form=None, decline_form=None, status=200):
    """Render the page for ``result`` in its language (``page_language``), explicitly:
    ``translation.override``, ``<html lang>`` and ``Content-Language`` agree."""
    language = page_language(request, result.quote)
    with translation.override(language):
        response = _render_page(request, token, result, language, accept_form, decline_form, status)
    response["Content-Language"] = language
    return response


def _render_page(request, token, result, language, accept_form, decline_form, status):
    common = {"page_language": language, "languages": _switch(token, language)}
    if result.state == LinkState.INVALID:
        common["languages"] = []  # no quote: nothing to re-render in another language
        return render(request, "quotes/public/invalid.html", common, status=404)
    if not result.is_open:
        return render(
            request,
            "quotes/public/closed.html",
            {"result": result, "quote": result.quote, "state": result.state, **common},
            status=CLOSED_STATUS.get(result.state, 200),
        )
    quote = result.quote
    doc = _document(quote)
    return render(
        request,
        "quotes/public/quote.html",
        {
            "token": token,
            "quote": quote,
            "doc": doc,
            "names": _names(doc),
            "has_pdf": services.public_pdf_path(quote) is not None,
            "accept_form": accept_form or AcceptForm(),
            "decline_form": decline_form or DeclineForm(),
            **common,
        },
        status=status,
    )


@require_GET
def public_quote(request, token: str):
    return _page(request, token, services.public_quote_open(token=token))


@require_POST
def public_accept(request, token: str):
    result = services.public_quote_get(token=token)
    if not result.is_open:
        return _page(request, token, result)
    language = page_language(request, result.quote)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            with enqueue.watch() as queued:  # the notices are queued when the acceptance commits
                services.public_quote_accept(
                    quote=result.quote,
                    buyer_name=form.cleaned_data["name"],
                    buyer_title=form.cleaned_data["title"],
                    po_number=form.cleaned_data["po_number"],
                    ip=_client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
        except ValidationError as exc:
            form.add_error("name", " ".join(exc.messages))
        except StateConflict:
            return redirect(_view_url(token, language))
        else:
            if queued.broker_down:  # recorded; the relay sends the e-mails when it is back
                with translation.override(language):
                    messages.warning(
                        request,
                        gettext(
                            "Our confirmation e-mail is queued; it will go out when the "
                            "sending service is back."
                        ),
                    )
            return redirect(_view_url(token, language))
    return _page(request, token, result, accept_form=form, status=400)


@require_POST
def public_decline(request, token: str):
    result = services.public_quote_get(token=token)
    if not result.is_open:
        return _page(request, token, result)
    language = page_language(request, result.quote)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.public_quote_decline(
                quote=result.quote,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        except StateConflict:
            return redirect(_view_url(token, language))
        else:
            return redirect(_view_url(token, language))
    return _page(request, token, result, decline_form=form, status=400)


def _pdf_pending(request, token: str, result):
    language = page_language(request, result.quote)
    with translation.override(language):
        response = render(
            request,
            "quotes/public/pdf_pending.html",
            {"token": token, "page_language": language, "languages": []},
            status=404,
        )
    response["Content-Language"] = language
    return response


@require_GET
def public_pdf(request, token: str):
    result = services.public_quote_get(token=token)
    if not result.is_open:
        return _page(request, token, result)
    pdf = services.public_pdf_path(result.quote)
    if pdf is None:
        return _pdf_pending(request, token, result)
    try:
        handle = pdf.open("rb")
    except OSError:
        return _pdf_pending(request, token, result)
    return FileResponse(
        handle,
        content_type="application/pdf",
        filename=quote_pdf_filename(result.quote),
        as_attachment=False,
    )
