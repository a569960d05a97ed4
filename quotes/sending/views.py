"""The rep's side of sending: Send, the live delivery state, Retry, the decision after a
stale send, the PDF (stored or preview), the email log, notifications, and the demo outbox.

The quote page includes ``quotes/_send_action.html``, ``quotes/_delivery.html`` and
``quotes/_emails.html``; the last two load their fragments from here with htmx, so the
quote page's own view needs nothing from this module.
"""

from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mgtrade.errors import StateConflict
from mgtrade.web import pdf_response
from quotes import selectors
from quotes.documents.files import PreviewTooLarge
from quotes.documents.files import quote_pdf as quote_pdf_file
from quotes.models import Quote
from quotes.services import quote_check_sendable

from . import enqueue, outbox
from . import selectors as delivery_selectors
from . import services as delivery_services
from .forms import QuoteSendForm


def _visible_quote(request, pk: int) -> Quote:
    try:
        return selectors.quote_get_visible(user=request.user, pk=pk)
    except Quote.DoesNotExist:
        raise Http404("No such quote.") from None


def _require_change(request) -> None:
    if not request.user.has_perm("quotes.change_quote"):
        raise PermissionDenied


def _state(request, quote: Quote, status: int = 200):
    return render(
        request,
        "quotes/_delivery_state.html",
        {
            "quote": quote,
            "state": delivery_selectors.delivery_state_for_quote(quote=quote),
            "outbox": outbox.outbox_enabled() and (request.user.is_staff or request.user.is_admin),
        },
        status=status,
    )


def _back(request, quote: Quote):
    if request.htmx:
        return _state(request, quote)
    return redirect("quotes:detail", pk=quote.pk)


def _to_quote_page(request, quote: Quote):
    """Back to the quote page: a redirect, or for htmx (the dialog) a full navigation."""
    url = reverse("quotes:detail", args=[quote.pk])
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def quote_send(request, pk: int):
    """The Send dialog (``quotes/_send_dialog.html``, loaded by htmx into the quote page's
    ``<dialog>``) or, without JavaScript, the same form as a page (``quotes/send.html``):
    recipients from the customer's contacts, the e-mail's message, a link to the PDF."""
    quote = _visible_quote(request, pk)
    _require_change(request)
    try:
        quote_check_sendable(quote)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return _to_quote_page(request, quote)
    default_message = delivery_services.quote_send_message_default(quote)
    if request.method == "POST":
        form = QuoteSendForm(request.POST, quote=quote, message=default_message)
        if form.is_valid():
            data = form.cleaned_data
            message = data["message"]
            if message.strip() == default_message.strip():
                message = None  # not edited: written in the language chosen by the service
            try:
                with enqueue.watch() as queued:  # the PDF's task is published on commit
                    delivery = delivery_services.quote_send(
                        quote=quote,
                        by=request.user,
                        to=list(data["to"]),
                        cc=list(data["cc"]),
                        message=message,
                        language=data["language"] or None,
                    )
            except StateConflict as exc:
                messages.error(request, exc.message)
                return _to_quote_page(request, quote)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                email = delivery.emails.order_by("-id").first()
                to = ", ".join(email.to) if email else ""
                if queued.broker_down:  # saved and queued; the relay publishes it later
                    messages.warning(
                        request,
                        f"{quote.reference} is sent and its e-mail to {to} is "
                        f"{enqueue.OUTAGE_NOTE[0].lower()}{enqueue.OUTAGE_NOTE[1:]}",
                    )
                else:
                    messages.success(
                        request, f"{quote.reference} is being sent to {to}: the PDF is rendering."
                    )
                return _to_quote_page(request, quote)
    else:
        form = QuoteSendForm(quote=quote, message=default_message)
    template = "quotes/_send_dialog.html" if request.htmx else "quotes/send.html"
    return render(request, template, {"quote": quote, "form": form})


@login_required
@require_GET
def delivery_state(request, pk: int):
    """The delivery fragment; it polls itself every 2 s until the delivery is final."""
    return _state(request, _visible_quote(request, pk))


@login_required
@require_POST
def delivery_retry(request, pk: int):
    quote = _visible_quote(request, pk)
    _require_change(request)
    delivery = delivery_selectors.delivery_for_quote(quote=quote)
    if delivery is None:
        raise Http404("This quote has no delivery.")
    try:
        delivery_services.delivery_retry(delivery=delivery, by=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
    return _back(request, quote)


@login_required
@require_POST
def delivery_resolve(request, pk: int):
    quote = _visible_quote(request, pk)
    _require_change(request)
    delivery = delivery_selectors.delivery_for_quote(quote=quote)
    decision = request.POST.get("decision")
    if delivery is None or decision not in ("send_again", "mark_sent"):
        raise Http404
    try:
        delivery_services.delivery_resolve(
            delivery=delivery, by=request.user, send_again=decision == "send_again"
        )
    except StateConflict as exc:
        messages.error(request, exc.message)
    return _back(request, quote)


@login_required
@require_GET
def quote_emails(request, pk: int):
    quote = _visible_quote(request, pk)
    return render(
        request,
        "quotes/_emails_list.html",
        {"quote": quote, "emails": delivery_selectors.quote_email_log(quote=quote)},
    )


@login_required
@require_GET
def quote_pdf(request, pk: int):
    """The stored PDF, or a preview rendered now (``quotes.documents.files.quote_pdf``);
    above the preview line cap, back to the quote page with the reason."""
    quote = _visible_quote(request, pk)
    try:
        pdf = quote_pdf_file(quote)
    except PreviewTooLarge as exc:
        messages.error(request, exc.message)
        return redirect("quotes:detail", pk=quote.pk)
    return pdf_response(filename=pdf.filename, data=pdf.data, handle=pdf.handle)


# ------------------------------------------------------------------ notifications


@login_required
@require_GET
def notifications(request):
    return render(
        request,
        "quotes/notifications.html",
        {
            "notifications": delivery_selectors.notifications_for(user=request.user),
            "unread": delivery_selectors.notifications_unread_count(user=request.user),
        },
    )


@login_required
@require_GET
def notifications_badge(request):
    return render(
        request,
        "quotes/_notifications_badge.html",
        {"unread": delivery_selectors.notifications_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notifications_read(request):
    delivery_services.notifications_mark_read(user=request.user)
    return redirect("delivery:notifications")


# ------------------------------------------------------------------ outbox (demo)


def _outbox_allowed(request) -> None:
    if not outbox.outbox_enabled():
        raise Http404("The outbox exists only in development or with the file email backend.")
    if not (request.user.is_staff or request.user.is_admin):
        raise PermissionDenied


@login_required
@require_GET
def outbox_list(request):
    _outbox_allowed(request)
    return render(request, "quotes/outbox.html", {"messages_": outbox.outbox_list()})


@login_required
@require_GET
def outbox_message(request, file: str, index: int):
    _outbox_allowed(request)
    message = outbox.outbox_get(file=file, index=index)
    if message is None:
        raise Http404
    return render(request, "quotes/outbox_message.html", {"m": message})


# An email's HTML keeps its inline styles (mail clients need them), so it is shown from its own
# URL in a sandboxed frame under its own policy: styles and images only, never scripts.
OUTBOX_HTML_POLICY = {
    "default-src": [NONE],
    "script-src": None,
    "style-src": [UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": None,
    "connect-src": None,
    "form-action": [NONE],
    "frame-ancestors": [SELF],
    "sandbox": [True],
}


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace(OUTBOX_HTML_POLICY)
def outbox_message_html(request, file: str, index: int):
    _outbox_allowed(request)
    message = outbox.outbox_get(file=file, index=index)
    if message is None or not message.html:
        raise Http404
    response = HttpResponse(message.html, content_type="text/html; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def outbox_attachment(request, file: str, index: int, part: int):
    _outbox_allowed(request)
    found = outbox.outbox_attachment(file=file, index=index, part=part)
    if found is None:
        raise Http404
    filename, content_type, data = found
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
