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
from django.views.decorators.http import require_GET, require_POST

from mgtrade.errors import StateConflict
from quotes.documents.context import document_thaw, quote_pdf_context, quote_pdf_filename
from quotes.models import RejectionReason

from ..sending import enqueue
from . import services
from .services import LinkState

# "queued; it will go out when the sending service is back."
BROKER_DOWN = enqueue.OUTAGE_NOTE[0].lower() + enqueue.OUTAGE_NOTE[1:]

CLOSED_STATUS = {
    LinkState.EXPIRED: 410,
    LinkState.SUPERSEDED: 410,
    LinkState.NOT_SENT: 404,
    LinkState.ACCEPTED: 200,
    LinkState.REJECTED: 200,
}


class AcceptForm(forms.Form):
    name = forms.CharField(
        label="Your full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    title = forms.CharField(
        label="Your title or position (optional)",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    po_number = forms.CharField(
        label="Your purchase order number (optional)",
        max_length=60,
        required=False,
        help_text="We print it on the sales contract.",
    )
    confirm = forms.BooleanField(
        label="I accept this quotation on behalf of the buyer named on it.", required=True
    )


class DeclineForm(forms.Form):
    reason = forms.ModelChoiceField(
        label="Why are you declining?",
        queryset=RejectionReason.objects.filter(active=True),
        empty_label="— choose a reason —",
    )
    note = forms.CharField(
        label="Anything we should know? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it (configure the proxy to set REMOTE_ADDR, e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


def _document(quote) -> dict:
    delivery = getattr(quote, "delivery", None)
    if delivery is not None and delivery.document:
        return document_thaw(delivery.document)
    return quote_pdf_context(quote, draft=False)


def _page(request, token: str, result, *, accept_form=None, decline_form=None, status=200):
    if result.state == LinkState.INVALID:
        return render(request, "quotes/public/invalid.html", status=404)
    if not result.is_open:
        return render(
            request,
            "quotes/public/closed.html",
            {"result": result, "quote": result.quote, "state": result.state},
            status=CLOSED_STATUS.get(result.state, 200),
        )
    quote = result.quote
    return render(
        request,
        "quotes/public/quote.html",
        {
            "token": token,
            "quote": quote,
            "doc": _document(quote),
            "has_pdf": services.public_pdf_path(quote) is not None,
            "accept_form": accept_form or AcceptForm(),
            "decline_form": decline_form or DeclineForm(),
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
            return redirect("public_quote:view", token=token)
        else:
            if queued.broker_down:  # recorded; the relay sends the e-mails when it is back
                messages.warning(request, f"Our confirmation e-mail is {BROKER_DOWN}")
            return redirect("public_quote:view", token=token)
    return _page(request, token, result, accept_form=form, status=400)


@require_POST
def public_decline(request, token: str):
    result = services.public_quote_get(token=token)
    if not result.is_open:
        return _page(request, token, result)
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
            return redirect("public_quote:view", token=token)
        else:
            return redirect("public_quote:view", token=token)
    return _page(request, token, result, decline_form=form, status=400)


@require_GET
def public_pdf(request, token: str):
    result = services.public_quote_get(token=token)
    if not result.is_open:
        return _page(request, token, result)
    pdf = services.public_pdf_path(result.quote)
    if pdf is None:
        return render(request, "quotes/public/pdf_pending.html", {"token": token}, status=404)
    try:
        handle = pdf.open("rb")
    except OSError:
        return render(request, "quotes/public/pdf_pending.html", {"token": token}, status=404)
    return FileResponse(
        handle,
        content_type="application/pdf",
        filename=quote_pdf_filename(result.quote),
        as_attachment=False,
    )
