"""Quote writes: create, edit, approve, send, decide, revise, clone, expire.

Every state change goes through ``_transition`` (row locked, legal-move check, event
logged). Illegal moves raise ``StateConflict`` (HTTP 409); bad input raises Django's
``ValidationError`` with the field at fault (HTTP 400).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from customers.models import Contact, Customer
from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from pricing.approval import reason_dicts, reasons_as_dicts
from pricing.engine import PricingResult
from pricing.inputs import approval_reasons_check, pricing_run
from products.models import Product

from . import selectors
from .models import (
    EDITABLE_STATUSES,
    Quote,
    QuoteEvent,
    QuoteLine,
    QuoteNumberCounter,
    QuoteStatus,
    RejectionReason,
    TermsTemplate,
)
from .public.links import site_url
from .sending.emails import notify_user
from .signals import quote_accepted
from .terms import template_for, terms_snapshot

S = QuoteStatus
Action = QuoteEvent.Action

# The legal moves of the state machine; anything else is a StateConflict.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.PENDING_APPROVAL, S.SENT, S.SUPERSEDED},
    S.PENDING_APPROVAL: {S.APPROVED, S.DRAFT},
    S.APPROVED: {S.SENT, S.DRAFT},
    S.SENT: {S.ACCEPTED, S.REJECTED, S.EXPIRED, S.SUPERSEDED},
    S.EXPIRED: {S.SUPERSEDED},
    S.REJECTED: {S.SUPERSEDED},
    S.ACCEPTED: set(),
    S.SUPERSEDED: set(),
}
REVISABLE_STATUSES = (S.SENT, S.EXPIRED, S.REJECTED)


def quote_allowed_actions(*, quote: Quote, user: User) -> dict[str, bool]:
    """Which actions the quote's state (and the user) allow, as ``TRANSITIONS`` and the
    services' checks have them: the quote page offers these and no others."""
    approver = user.has_perm("quotes.approve_quote")
    own = user.pk in (quote.owner_id, quote.created_by_id)
    pending = quote.status == S.PENDING_APPROVAL
    return {
        "edit": quote.is_editable,
        "reprice": quote.is_editable,
        "submit": quote.status == S.DRAFT and quote.needs_approval,
        "approve": pending and approver and not own,
        "own_pending": pending and approver and own,
        "send": quote.status == S.APPROVED
        or (quote.status == S.DRAFT and not quote.needs_approval),
        "revise": quote.status in REVISABLE_STATUSES,
        "decide": quote.status == S.SENT,
        "clone": True,
    }


def quote_editable_check(*, quote: Quote) -> None:
    """``StateConflict`` (409) unless the quote may still be changed (draft, pending or
    approved); sent and later quotes are revised instead."""
    if quote.status not in EDITABLE_STATUSES:
        raise StateConflict(
            f"A {quote.get_status_display().lower()} quote is read-only; revise it to make "
            "a new version."
        )


def quote_approver_check(*, by: User) -> None:
    """Only sales managers (and admins) approve or return quotes: ``PermissionDenied``
    (403) for anyone else, whatever the quote's state."""
    if not by.has_perm("quotes.approve_quote"):
        raise PermissionDenied("Only a sales manager can approve or return quotes.")


@dataclass
class QuoteTerms:
    """What a rep decides on a quote (everything but the customer)."""

    incoterm: str
    destination_port: str
    lines: list[dict[str, Any]]
    quote_date: date | None = None
    origin_port: str | None = None
    currency: str | None = None
    insurance_rate_percent: Decimal | None = None
    tariff_absorption_percent: Decimal = Decimal("0")
    valid_until: date | None = None
    payment_terms: str = ""
    lead_time: str = ""
    buyer_reference: str = ""  # the buyer's enquiry or PO number, printed on the document
    packaging_notes: str = ""
    terms: str = ""
    bilingual_labels: bool = False  # the PDF's labels in the buyer's language and English
    contact: Contact | None = None
    duties_on: date | None = None  # the tariff rules of this day (default: the quote date)
    terms_template: TermsTemplate | None = None  # None: the customer's default template
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_quote(cls, quote: Quote) -> QuoteTerms:
        return cls(
            incoterm=quote.incoterm,
            destination_port=quote.destination_port,
            origin_port=quote.origin_port,
            currency=quote.currency,
            insurance_rate_percent=quote.insurance_rate_percent,
            tariff_absorption_percent=quote.tariff_absorption_percent,
            payment_terms=quote.payment_terms,
            lead_time=quote.lead_time,
            buyer_reference=quote.buyer_reference,
            packaging_notes=quote.packaging_notes,
            terms=quote.terms,
            bilingual_labels=quote.bilingual_labels,
            contact=quote.contact,
            terms_template=quote.terms_template,
            lines=[
                {
                    "product": line.product_code,
                    "quantity_mt": line.quantity_mt,
                    "unit_price_usd_per_mt": line.unit_price_usd_per_mt,
                    "discount_percent": line.discount_percent,
                    **(
                        {"term_price_per_mt": line.term_price_per_mt}
                        if line.term_price_per_mt is not None
                        else {}
                    ),
                }
                for line in quote.lines.all()
            ],
        )


# ------------------------------------------------------------------ numbering


def quote_number_allocate(*, year: int) -> str:
    """The next ``Q-<year>-<5 digits>``, from a counter row locked until the caller commits.

    Must run inside the transaction that saves the quote, so a rolled-back quote gives its
    number back and two concurrent quotes never share one.
    """
    QuoteNumberCounter.objects.get_or_create(year=year)
    counter = QuoteNumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"Q-{year}-{counter.last:05d}"


# ------------------------------------------------------------------ helpers


def _log(
    quote: Quote,
    action: str,
    *,
    by: User | None,
    from_status: str = "",
    comment: str = "",
    data: dict | None = None,
) -> QuoteEvent:
    return QuoteEvent.objects.create(
        quote=quote,
        action=action,
        by=by,
        from_status=from_status,
        to_status=quote.status,
        comment=comment,
        data=data or {},
    )


def _locked(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def _transition(
    quote: Quote,
    to: str,
    *,
    by: User | None,
    action: str,
    comment: str = "",
    data: dict | None = None,
    **fields: Any,
) -> Quote:
    """Move a (locked) quote to ``to`` if the state machine allows it, and log it."""
    if to not in TRANSITIONS[quote.status]:
        raise StateConflict(
            f"A {quote.get_status_display().lower()} quote cannot become {S(to).label.lower()}."
        )
    from_status = quote.status
    quote.status = to
    for name, value in fields.items():
        setattr(quote, name, value)
    quote.save()
    _log(quote, action, by=by, from_status=from_status, comment=comment, data=data)
    return quote


def approval_reasons_for(*, result: PricingResult, products: dict[str, Product]) -> list[dict]:
    """Why a priced quote needs a manager: the reasons of ``pricing.approval``, as stored."""
    return reasons_as_dicts(approval_reasons_check(result=result, products=products))


def _opted_out_message(contact: Contact) -> str:
    return (
        f"{contact.name} has opted out of email and cannot receive quotes: choose another "
        "contact, or clear the opt-out on the contact if they asked to receive quotes again."
    )


def _validate_contact(customer: Customer, contact: Contact | None) -> None:
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": "This contact belongs to another customer."})
    if contact is not None and contact.email_opt_out:
        raise ValidationError({"contact": _opted_out_message(contact)})


def _priced(
    *, customer: Customer, terms: QuoteTerms
) -> tuple[PricingResult, dict[str, Product], dict]:
    """Run the engine on the terms, with the customer's defaults filling what is not given."""
    quote_date = terms.quote_date or timezone.localdate()
    result, products = pricing_run(
        quote_date=quote_date,
        incoterm=terms.incoterm,
        origin_port=terms.origin_port,
        destination_port=terms.destination_port,
        currency=terms.currency or selectors.quote_terms_defaults(customer=customer)["currency"],
        insurance_rate_percent=terms.insurance_rate_percent,
        tariff_absorption_percent=terms.tariff_absorption_percent,
        lines=terms.lines,
        duties_on=terms.duties_on if terms.duties_on and terms.duties_on > quote_date else None,
    )
    validity_days = settings.MGTRADE["QUOTE_VALIDITY_DAYS"]
    valid_until = terms.valid_until or quote_date + timedelta(days=validity_days)
    if valid_until < quote_date:
        raise ValidationError({"valid_until": "Valid-until cannot be before the quote date."})
    # The chosen template (a retired one gives way to the customer's default on re-pricing).
    template = terms.terms_template
    if template is None or not template.active:
        template = template_for(customer=customer)
    header = {
        "region": customer.region,
        "quote_date": result.quote_date,
        "valid_until": valid_until,
        "incoterm": result.incoterm,
        "origin_port": result.origin_port,
        "destination_port": result.destination_port,
        "destination_country": result.destination_country,
        "currency": result.currency,
        "insurance_rate_percent": result.insurance_rate_percent,
        "tariff_absorption_percent": result.tariff_absorption_percent,
        "payment_terms": terms.payment_terms or customer.payment_terms,
        "lead_time": terms.lead_time,
        "buyer_reference": terms.buyer_reference,
        "packaging_notes": terms.packaging_notes,
        "terms": terms.terms,
        "bilingual_labels": terms.bilingual_labels,
        "contact": terms.contact,
        "terms_template": template,
        "commercial_terms": terms_snapshot(
            template=template,
            quote_date=result.quote_date,
            incoterm=result.incoterm,
            currency=result.currency,
        ),
        "pricing": result.to_dict(),
        "fx_rate": result.fx_rate,
        "total_quantity_mt": result.total_quantity_mt,
        "total_usd": result.usd.quote_total,
        "total_quote_currency": result.quote_currency.quote_total,
        "landed_cost_per_mt_usd": result.usd.landed_cost_per_mt,
        "approval_reasons": approval_reasons_for(result=result, products=products),
    }
    return result, products, header


def _write_lines(quote: Quote, result: PricingResult, products: dict[str, Product]) -> None:
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=i,
            product=products[line.product],
            product_code=line.product,
            product_name=products[line.product].name,
            hs_code=line.hs_code,
            standard=products[line.product].standard,
            quantity_mt=line.quantity_mt,
            unit_price_usd_per_mt=line.unit_price_usd_per_mt,
            discount_percent=line.discount_percent,
            goods_value_usd=line.goods_value,
            term_price_per_mt=line.term_price_per_mt,
        )
        for i, line in enumerate(result.lines, start=1)
    )


# ------------------------------------------------------------------ create and edit


@transaction.atomic
def quote_create(
    *, customer: Customer, by: User, terms: QuoteTerms, owner: User | None = None
) -> Quote:
    """A new draft, priced on its quote date's data, numbered ``Q-<year>-<n>`` version 1."""
    _validate_contact(customer, terms.contact)
    result, products, header = _priced(customer=customer, terms=terms)
    quote = Quote(
        customer=customer,
        owner=owner or customer.owner,
        created_by=by,
        number=quote_number_allocate(year=header["quote_date"].year),
        version=1,
        **header,
    )
    quote.save()
    _write_lines(quote, result, products)
    _log(quote, Action.CREATED, by=by, data={"needs_approval": quote.needs_approval})
    return quote


@transaction.atomic
def quote_update(*, quote: Quote, by: User, terms: QuoteTerms) -> Quote:
    """Change a draft (or a quote awaiting or holding approval: the approval is then void)."""
    quote = _locked(quote)
    quote_editable_check(quote=quote)
    _validate_contact(quote.customer, terms.contact)
    result, products, header = _priced(customer=quote.customer, terms=terms)
    from_status = quote.status
    for name, value in header.items():
        setattr(quote, name, value)
    if from_status != S.DRAFT:
        # Any change after (or while awaiting) approval needs approval again.
        quote.status = S.DRAFT
        quote.approved_by, quote.approved_at = None, None
    quote.save()
    _write_lines(quote, result, products)
    _log(quote, Action.EDITED, by=by, from_status=from_status)
    if from_status != S.DRAFT:
        _log(quote, Action.APPROVAL_VOIDED, by=by, from_status=from_status)
    return quote


def quote_reprice(*, quote: Quote, by: User, duties_on: date | None = None) -> Quote:
    """Re-run an editable quote on today's prices, rates and rules (dates move to today).
    ``duties_on``: price the duties under the rules of that later day (a tariff change)."""
    terms = QuoteTerms.from_quote(quote)
    terms.lines = [
        {k: v for k, v in line.items() if k != "unit_price_usd_per_mt"} for line in terms.lines
    ]
    terms.quote_date = timezone.localdate()
    terms.duties_on = duties_on
    return quote_update(quote=quote, by=by, terms=terms)


# ------------------------------------------------------------------ approval


def _approval_email_kind(kind: str) -> str | None:
    """The notice's email kind when approval notices go by email too, else None."""
    return kind if settings.MGTRADE["NOTIFY_BY_EMAIL"] else None


def _notify(*, user: User, quote: Quote, text: str, kind: str, context: dict) -> None:
    notify_user(
        user=user, quote=quote, text=text, email_kind=_approval_email_kind(kind), context=context
    )


@transaction.atomic
def quote_submit_for_approval(*, quote: Quote, by: User, note: str = "") -> Quote:
    """Ask for a manager's approval, with an optional note; every manager who may approve
    it is notified (in the app, and by email with ``MGTRADE_NOTIFY_BY_EMAIL``)."""
    quote = _locked(quote)
    if not quote.needs_approval:
        raise StateConflict("This quote needs no approval; send it directly.")
    note = note.strip()
    quote = _transition(
        quote,
        S.PENDING_APPROVAL,
        by=by,
        action=Action.SUBMITTED,
        comment=note,
        data={"reasons": quote.approval_reasons},
        submitted_at=timezone.now(),
        submission_note=note,
    )
    messages = [r.get("message", "") for r in reason_dicts(quote.approval_reasons)]
    who = by.get_full_name() or by.username
    text = f"{who} asks you to approve {quote.reference} for {quote.customer.name}"
    if note:
        text += f": “{note}”"
    queue_url = site_url() + reverse("quotes:approvals")
    for manager in selectors.quote_approvers(quote=quote):
        _notify(
            user=manager,
            quote=quote,
            text=text,
            kind="approval_request",
            context={"note": note, "reasons": messages, "queue_url": queue_url},
        )
    return quote


def _check_approver(quote: Quote, by: User) -> None:
    quote_approver_check(by=by)
    if by.pk in (quote.owner_id, quote.created_by_id):
        raise StateConflict("You cannot approve your own quote; ask another manager.")


@transaction.atomic
def quote_approve(*, quote: Quote, by: User, comment: str = "") -> Quote:
    """Approve a quote awaiting approval; its rep is notified."""
    quote = _locked(quote)
    _check_approver(quote, by)
    quote = _transition(
        quote,
        S.APPROVED,
        by=by,
        action=Action.APPROVED,
        comment=comment,
        approved_by=by,
        approved_at=timezone.now(),
        approval_comment=comment,
    )
    manager = by.get_full_name() or by.username
    text = f"{manager} approved {quote.reference} for {quote.customer.name}: you can send it"
    if comment:
        text += f" (“{comment}”)"
    _notify(
        user=quote.owner,
        quote=quote,
        text=text,
        kind="approved",
        context={"manager": manager, "comment": comment},
    )
    return quote


@transaction.atomic
def quote_return(*, quote: Quote, by: User, comment: str) -> Quote:
    """A manager sends a quote awaiting approval back to the rep, saying why; the rep is
    notified."""
    quote_approver_check(by=by)
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs to change."})
    quote = _locked(quote)
    _check_approver(quote, by)
    if quote.status != S.PENDING_APPROVAL:
        raise StateConflict("Only a quote awaiting approval can be returned.")
    quote = _transition(
        quote, S.DRAFT, by=by, action=Action.RETURNED, comment=comment, approval_comment=comment
    )
    manager = by.get_full_name() or by.username
    _notify(
        user=quote.owner,
        quote=quote,
        text=f"{manager} returned {quote.reference} for changes: “{comment}”",
        kind="returned",
        context={"manager": manager, "comment": comment},
    )
    return quote


# ------------------------------------------------------------------ sending and outcome


def quote_check_sendable(quote: Quote) -> None:
    """Raise StateConflict unless the quote may be sent now (approval, validity, contact)."""
    if quote.status == S.DRAFT and quote.needs_approval:
        raise StateConflict("This quote needs a manager's approval before it can be sent.")
    if quote.status not in (S.DRAFT, S.APPROVED):
        raise StateConflict(f"A {quote.get_status_display().lower()} quote cannot be sent.")
    if quote.valid_until < timezone.localdate():
        raise StateConflict("The quote's validity has passed; reprice it before sending.")
    if quote.contact is None or not quote.contact.email:
        raise StateConflict("Choose a contact with an email address before sending.")
    if quote.contact.email_opt_out:
        raise StateConflict(_opted_out_message(quote.contact))


@transaction.atomic
def quote_mark_sent(*, quote: Quote, by: User | None) -> Quote:
    """Freeze the quote as sent. The quote's lines, rate and rules are its snapshot."""
    quote = _locked(quote)
    quote_check_sendable(quote)
    return _transition(quote, S.SENT, by=by, action=Action.SENT, sent_at=timezone.now())


@transaction.atomic
def quote_mark_viewed(*, quote: Quote) -> Quote:
    """The buyer opened the link; recorded once, the first time."""
    quote = _locked(quote)
    if quote.viewed_at is None:
        quote.viewed_at = timezone.now()
        quote.save(update_fields=["viewed_at", "updated_at"])
        _log(quote, Action.VIEWED, by=None, from_status=quote.status)
    return quote


@transaction.atomic
def quote_accept(
    *,
    quote: Quote,
    by: User | None = None,
    buyer_name: str = "",
    ip: str | None = None,
    user_agent: str = "",
    po_number: str = "",
    buyer_title: str = "",
) -> Quote:
    """The buyer (online, by name and title) or the rep (on the buyer's behalf) accepts a sent quote.

    In the same transaction ``quotes.signals.quote_accepted`` is sent: ``orders`` turns the
    accepted version into a draft sales contract with the buyer's PO number (docs/orders.md).
    """
    quote = _locked(quote)
    if by is None and not buyer_name.strip():
        raise ValidationError({"name": "Please type your name to accept."})
    if quote.status == S.SENT and quote.valid_until < timezone.localdate():
        raise StateConflict("This quote has expired.")
    if len(po_number.strip()) > 60:
        raise ValidationError({"po_number": "Ensure the PO number has at most 60 characters."})
    quote = _transition(
        quote,
        S.ACCEPTED,
        by=by,
        action=Action.ACCEPTED,
        comment=f"Accepted by {buyer_name.strip()}" if buyer_name else "",
        decided_at=timezone.now(),
        accepted_by_name=buyer_name.strip()[:200],
        accepted_by_title=buyer_title.strip()[:120],
        accepted_ip=ip,
        accepted_user_agent=user_agent[:300],
    )
    quote_accepted.send(sender=Quote, quote=quote, by=by, po_number=po_number)
    return quote


@transaction.atomic
def quote_reject(
    *,
    quote: Quote,
    reason: RejectionReason,
    by: User | None = None,
    note: str = "",
    competitor: str = "",
    competitor_origin: str = "",
    competitor_price_usd_per_mt: Decimal | None = None,
) -> Quote:
    quote = _locked(quote)
    if not reason.active:
        raise ValidationError({"reason": "Choose one of the current reasons."})
    if competitor_price_usd_per_mt is not None and competitor_price_usd_per_mt <= 0:
        raise ValidationError({"competitor_price_usd_per_mt": "Enter a positive price per MT."})
    competitor_origin = (competitor_origin or "").strip().upper()
    if competitor_origin and not countries.alpha2(competitor_origin):
        raise ValidationError(
            {"competitor_origin": "Enter the competitor's origin as a country code, e.g. TR."}
        )
    return _transition(
        quote,
        S.REJECTED,
        by=by,
        action=Action.REJECTED,
        comment=note,
        data={"reason": reason.code},
        decided_at=timezone.now(),
        rejection_reason=reason,
        rejection_note=note,
        competitor=competitor,
        competitor_origin=competitor_origin,
        competitor_price_usd_per_mt=competitor_price_usd_per_mt,
    )


def quotes_expire_due(*, today: date | None = None) -> int:
    """Expire sent quotes past valid-until. Safe to run twice, and concurrently."""
    today = today or timezone.localdate()
    expired = 0
    for pk in Quote.objects.filter(status=S.SENT, valid_until__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().get(pk=pk)
            if quote.status == S.SENT and quote.valid_until < today:
                _transition(quote, S.EXPIRED, by=None, action=Action.EXPIRED)
                expired += 1
    return expired


# ------------------------------------------------------------------ versions and clones


@transaction.atomic
def quote_revise(*, quote: Quote, by: User, duties_on: date | None = None) -> Quote:
    """A new draft version with the same number, repriced on today's data; the old one is
    superseded. Approval is never inherited. ``duties_on``: the duties under the rules of
    that later day (a revision because of a tariff change)."""
    quote = _locked(quote)
    if quote.status not in REVISABLE_STATUSES:
        raise StateConflict(
            f"A {quote.get_status_display().lower()} quote cannot be revised"
            + ("; edit it instead." if quote.is_editable else ".")
        )
    terms = QuoteTerms.from_quote(quote)
    terms.quote_date = timezone.localdate()
    terms.duties_on = duties_on
    _transition(quote, S.SUPERSEDED, by=by, action=Action.SUPERSEDED)
    result, products, header = _priced(customer=quote.customer, terms=terms)
    new = Quote(
        customer=quote.customer,
        owner=quote.owner,
        created_by=by,
        number=quote.number,
        version=quote.version + 1,
        previous_version=quote,
        **header,
    )
    new.save()
    _write_lines(new, result, products)
    _log(new, Action.REVISED, by=by, data={"from_version": quote.version})
    return new


@transaction.atomic
def quote_clone(
    *, quote: Quote, customer: Customer, by: User, contact: Contact | None = None
) -> Quote:
    """A fresh draft for another (or the same) customer, repriced on today's data."""
    terms = QuoteTerms.from_quote(quote)
    terms.quote_date = timezone.localdate()
    terms.valid_until = None
    terms.contact = contact
    if customer != quote.customer:
        terms.terms_template = None  # the other customer's default
    terms.lines = [
        {k: v for k, v in line.items() if k != "unit_price_usd_per_mt"} for line in terms.lines
    ]
    if customer.pk != quote.customer_id:
        terms.payment_terms = customer.payment_terms
    new = quote_create(customer=customer, by=by, terms=terms)
    _log(new, Action.CLONED, by=by, data={"from": quote.reference})
    return new
