"""The buyer's side of a sent quote, through the signed link (no login).

``public_quote_open`` decides what a link shows (open, expired, superseded, decided…);
``public_quote_accept`` and ``public_quote_decline`` record the buyer's decision with the
state machine's services and tell the rep (in-app notification and email, on commit).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from mgtrade.accounts.clock import when
from quotes.models import Quote, QuoteStatus, RejectionReason
from quotes.sending.emails import notify_rep
from quotes.services import quote_accept, quote_mark_viewed, quote_reject

from .links import acceptance_token_read

S = QuoteStatus


class LinkState:
    OPEN = "open"
    INVALID = "invalid"  # tampered, malformed, unknown quote: a 404-style page
    NOT_SENT = "not_sent"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class PublicQuote:
    state: str
    quote: Quote | None = None
    newer_version: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state == LinkState.OPEN


def public_quote_get(*, token: str) -> PublicQuote:
    """What the link ``token`` leads to. Never raises for a bad token."""
    data = acceptance_token_read(token)
    if data is None:
        return PublicQuote(LinkState.INVALID)
    quote = (
        Quote.objects.select_related("customer", "contact", "owner", "rejection_reason")
        .filter(pk=data.quote_id, version=data.version)
        .first()
    )
    if quote is None:
        return PublicQuote(LinkState.INVALID)
    if quote.status == S.SUPERSEDED:
        newer = (
            Quote.objects.filter(number=quote.number, version__gt=quote.version)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        return PublicQuote(LinkState.SUPERSEDED, quote, newer)
    if quote.status == S.ACCEPTED:
        return PublicQuote(LinkState.ACCEPTED, quote)
    if quote.status == S.REJECTED:
        return PublicQuote(LinkState.REJECTED, quote)
    if quote.status == S.EXPIRED or (
        quote.status == S.SENT and quote.valid_until < timezone.localdate()
    ):
        return PublicQuote(LinkState.EXPIRED, quote)
    if quote.status != S.SENT:
        return PublicQuote(LinkState.NOT_SENT, quote)
    return PublicQuote(LinkState.OPEN, quote)


def public_quote_open(*, token: str) -> PublicQuote:
    """``public_quote_get``, recording the first view of an open quote."""
    result = public_quote_get(token=token)
    quote = result.quote
    if result.is_open and quote is not None and quote.viewed_at is None:
        quote = quote_mark_viewed(quote=quote)
        result = PublicQuote(result.state, quote)
    return result


def public_pdf_path(quote: Quote) -> FieldFile | None:
    """The stored PDF of a sent quote (``FieldFile``) or ``None`` while it is being made."""
    delivery = getattr(quote, "delivery", None)
    if delivery is None or not delivery.pdf_sha256:
        return None
    return delivery.pdf


@transaction.atomic
def public_quote_accept(
    *,
    quote: Quote,
    buyer_name: str,
    ip: str | None,
    user_agent: str,
    po_number: str = "",
    buyer_title: str = "",
) -> Quote:
    """The buyer accepts online: quote accepted (name, time, IP, user agent), a draft
    contract made with the buyer's PO number, the rep told."""
    quote = quote_accept(
        quote=quote,
        buyer_name=buyer_name,
        ip=ip,
        user_agent=user_agent,
        po_number=po_number,
        buyer_title=buyer_title,
    )
    at = timezone.localtime(quote.decided_at)
    notify_rep(
        quote=quote,
        text=f"{quote.accepted_by_name} ({quote.customer.name}) accepted {quote.number} "
        f"v{quote.version}",
        email_kind="accepted",
        context={
            "buyer_name": quote.accepted_by_name,
            "ip": ip or "",
            "at": when(at),
        },
    )
    return quote


@transaction.atomic
def public_quote_decline(*, quote: Quote, reason: RejectionReason, note: str = "") -> Quote:
    """The buyer declines online with a reason from the managed list; the rep is told."""
    quote = quote_reject(quote=quote, reason=reason, note=note.strip()[:2000])
    at = timezone.localtime(quote.decided_at)
    notify_rep(
        quote=quote,
        text=f"{quote.customer.name} declined {quote.number} v{quote.version}: {reason.label}",
        email_kind="declined",
        context={
            "reason": reason.label,
            "note": quote.rejection_note,
            "at": when(at),
        },
    )
    return quote


__all__ = [
    "LinkState",
    "PublicQuote",
    "public_pdf_path",
    "public_quote_accept",
    "public_quote_decline",
    "public_quote_get",
    "public_quote_open",
]
