"""Sending quotes and notices: freeze, render the PDF, e-mail; every side effect a row.

Flow (docs/sending.md)::

    quote_send ──on_commit──▶ quote_render_pdf_task ──▶ quote_email_task
       │ quote_mark_sent         delivery_render           delivery_email ─┐
       │ QuoteDelivery(queued)   queued→rendering→rendered                 │
       │ QuoteEmail(queued)      (PDF stored + SHA-256)                    ▼
       ▼                                                     email_send: queued→in_flight→sent
    notify_rep ──on_commit──▶ quote_notice_email_task ──────▶ email_send   (Message-ID, sent_at)

Two kinds of rows: the delivery (the frozen document and the PDF, one per sent version)
and the e-mail (one per message: the quote to the buyer with its PDF, each notice to the
rep). Every e-mail goes out through ``email_send``. Each step claims its row with a
conditional UPDATE that must change exactly one row (the status it expects, a fresh
``claim_token``), does its slow I/O outside any transaction, and finishes with another
conditional UPDATE on that token. So a repeated or redelivered task finds nothing to claim
and returns; a stored PDF is never rendered again; an e-mail is never sent twice.
Transient errors (SMTP 4xx, connection, storage ``OSError``) put the row in ``retrying`` and
raise :class:`TransientDeliveryError` (the task retries it with exponential backoff and
jitter); after ``DELIVERY_MAX_ATTEMPTS`` or on a permanent SMTP 5xx refusal the row is
``failed`` with the error, and ``delivery_retry`` starts it again. A claim whose worker died
is found by ``deliveries_recover_stale``: rendering → retried; an e-mail in flight →
``needs_decision`` (it may have gone out): ``delivery_resolve`` lets the rep send again or
mark it sent.
"""

from __future__ import annotations

import logging
import random
import smtplib
import socket
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.utils import timezone, translation

from customers.models import Contact
from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from mgtrade.i18n import ENGLISH, buyer_language
from quotes.documents.context import (
    document_freeze,
    document_render,
    document_thaw,
    pdf_sha256,
    quote_pdf_context,
    quote_pdf_filename,
)
from quotes.models import (
    EmailStatus,
    Notification,
    Quote,
    QuoteDelivery,
    QuoteEmail,
    RenderStatus,
)
from quotes.public.links import acceptance_url
from quotes.selectors import quote_sent_language
from quotes.services import quote_check_sendable, quote_mark_sent

from . import enqueue
from .emails import (
    QUOTE_MESSAGE_MAX_CHARS,
    email_bodies,
    email_subject,
    emails_queue_on_commit,
    quote_message_default,
)
from .smtp import OutcomeUnknown, backend_for

logger = logging.getLogger(__name__)

R = RenderStatus
# E-mails that go to the buyer (the others are notices to the team).
BUYER_KINDS = (
    QuoteEmail.Kind.QUOTE,
    QuoteEmail.Kind.CONFIRMATION,
    QuoteEmail.Kind.CONTRACT,
    QuoteEmail.Kind.PROFORMA,
)
E = EmailStatus
SMTP_TIMEOUT_SECONDS = 30
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 30 * 60

# What a step reports to its task.
RENDERED, SENT, SKIPPED, GONE, FAILED = "rendered", "sent", "skipped", "gone", "failed"
UNDECIDED = "needs_decision"

# The two side-effect rows a worker claims: a quote delivery and a notice email.
SideEffect = type[QuoteDelivery] | type[QuoteEmail]


class TransientDeliveryError(Exception):
    """A step failed for a reason that may pass; the row is ``retrying``. Retry after
    ``countdown`` seconds."""

    def __init__(self, message: str, *, countdown: int):
        super().__init__(message)
        self.countdown = countdown


def max_attempts() -> int:
    return int(settings.MGTRADE.get("DELIVERY_MAX_ATTEMPTS", 6))


def stale_after() -> timedelta:
    return timedelta(seconds=int(settings.MGTRADE.get("DELIVERY_STALE_SECONDS", 600)))


def backoff_seconds(attempt: int) -> int:
    """Exponential backoff with full jitter on top, capped: 30 s, 60 s, 120 s, … ≤ 30 min."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return int(base + random.uniform(0, min(base, BACKOFF_BASE_SECONDS)))


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for rcpt, (code, msg) in exc.recipients.items()
        )
        return f"Recipients refused: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error
        msg = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        return f"SMTP {exc.smtp_code}: {msg}"
    return f"{type(exc).__name__}: {exc}"[:1000]


def smtp_error_is_permanent(exc: BaseException) -> bool:
    """A 5xx refusal (mailbox unknown, message rejected, auth refused): retrying will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def smtp_error_is_transient(exc: BaseException) -> bool:
    """4xx replies, dropped connections, refused connections, timeouts, DNS failures (a
    failure after the message was transmitted is ``OutcomeUnknown`` instead, never retried)."""
    if smtp_error_is_permanent(exc):
        return False
    return isinstance(exc, (smtplib.SMTPException, OSError, socket.timeout))


# ------------------------------------------------------------------ sending a quote


def _quote_email_context(quote: Quote, document: dict) -> dict:
    """The quote e-mail's context from the PDF's context (live, or thawed from the frozen
    document: the same values either way). Render it inside the e-mail's language."""
    return {
        # A revised version (v2, v3, …) is worded as a revision, the first as a quotation.
        "revised": int(document["quote"]["version"]) > 1,
        "quote": document["quote"],
        "buyer": document["buyer"],
        "contact": document["contact"],
        "breakdown": document["breakdown"],
        "company": document["company"],
        "lines": document["lines"],
        # "CIF Hamburg": Incoterms are never translated.
        "terms_place": " ".join(
            filter(None, [document["quote"]["incoterm"], document["quote"].get("named_place")])
        ),
        "accept_url": acceptance_url(quote),
        "pdf_filename": quote_pdf_filename(quote),
        "message": quote_message_default(
            contact_name=document["contact"]["name"],
            number=document["quote"]["number"],
            version=document["quote"]["version"],
            buyer_name=document["buyer"]["name"],
            buyer_reference=document["quote"].get("buyer_reference") or "",
        ),
    }


def quote_send_language(quote: Quote, override: str | None = None) -> str:
    """The language of a send: the rep's ``override`` (validated: ``ValueError`` for a
    language we do not ship), else the quote's contact's (``mgtrade.i18n.buyer_language``)."""
    contact_language = quote.contact.language if quote.contact else None
    return buyer_language(contact_language=contact_language, override=override)


def quote_send_message_default(quote: Quote, language: str | None = None) -> str:
    """The message the Send dialog starts from (``emails/quote-message.txt``), in
    ``language`` (default: the contact's)."""
    with translation.override(language or quote_send_language(quote)):
        return quote_message_default(
            contact_name=quote.contact.name if quote.contact else "",
            number=quote.number,
            version=quote.version,
            buyer_name=quote.customer.name,
            buyer_reference=quote.buyer_reference,
        )


def _recipient_errors(quote: Quote, contacts: Sequence[Contact]) -> list[str]:
    errors = []
    for contact in contacts:
        if contact.customer_id != quote.customer_id:
            errors.append(f"{contact.name} is not a contact of {quote.customer.name}.")
        elif not contact.email:
            errors.append(f"{contact.name} has no e-mail address.")
        elif contact.email_opt_out:
            errors.append(
                f"{contact.name} has opted out of email and cannot receive quotes: leave them "
                "out, or clear the opt-out on the contact if they asked to receive quotes again."
            )
    return errors


def quote_send_check(
    *, quote: Quote, to: Sequence[Contact], cc: Sequence[Contact], message: str
) -> None:
    """Raise ``ValidationError`` with ``to``/``cc``/``message`` errors unless these
    recipients (the customer's contacts with an address, not opted out; at least one ``to``;
    nobody twice) and this message (not blank, at most 5,000 characters) may be used."""
    errors: dict[str, list[str]] = {}
    to_errors = _recipient_errors(quote, to)
    if not to:
        to_errors.append("Choose at least one recipient.")
    cc_errors = _recipient_errors(quote, cc)
    to_ids = {c.pk for c in to}
    cc_errors += [f"{c.name} is already a recipient (To)." for c in cc if c.pk in to_ids]
    if to_errors:
        errors["to"] = to_errors
    if cc_errors:
        errors["cc"] = cc_errors
    if not message.strip():
        errors["message"] = ["Write the message of the e-mail."]
    elif len(message) > QUOTE_MESSAGE_MAX_CHARS:
        errors["message"] = [
            f"Ensure the message has at most {QUOTE_MESSAGE_MAX_CHARS:,} characters "
            f"(it has {len(message):,})."
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def quote_send(
    *,
    quote: Quote,
    by: User | None,
    to: Sequence[Contact] | None = None,
    cc: Sequence[Contact] = (),
    message: str | None = None,
    language: str | None = None,
) -> QuoteDelivery:
    """Send a draft or approved quote: freeze it as sent, freeze its document, queue its
    e-mail (sent once the PDF is stored) and the PDF's render (on commit).

    ``to`` and ``cc``: the customer's contacts to address (default: the quote's contact;
    the rep is copied in either way); ``message``: the e-mail's message for this send
    (default: ``emails/quote-message.txt``); ``language``: the rep's choice of language for
    the PDF and the e-mail (default: the quote's contact's, ``quote_send_language``).
    Raises ``ValidationError`` (``to``, ``cc``, ``message``, ``language``) for recipients, a
    message or a language that cannot be used, ``StateConflict`` if the quote cannot be
    sent now."""
    try:
        language = quote_send_language(quote, override=language)
    except ValueError:
        raise ValidationError(
            {"language": [f"{language!r} is not a language we send documents in."]}
        ) from None
    if to is None:
        to = [quote.contact] if quote.contact is not None else []
    if message is None:
        message = quote_send_message_default(quote, language)
    to, cc = list(to), list(cc)
    quote_check_sendable(quote)  # the quote's state first (409), then this send's fields (400)
    quote_send_check(quote=quote, to=to, cc=cc, message=message)
    quote = quote_mark_sent(quote=quote, by=by)  # locks, checks sendable, freezes
    quote = Quote.objects.select_related("customer", "contact", "owner").get(pk=quote.pk)
    # The frozen document's words (breakdown labels, terms clauses) and the subject are
    # written in the buyer's language, explicitly: never the request's ambient language.
    with translation.override(language):
        context = quote_pdf_context(quote, draft=False, language=language)
        subject = email_subject("quote", _quote_email_context(quote, context))
    delivery = QuoteDelivery.objects.create(
        quote=quote, document=document_freeze(context), created_by=by, language=language
    )
    owner = quote.owner
    to_emails = list(dict.fromkeys(c.email for c in to))
    cc_emails = [e for e in dict.fromkeys(c.email for c in cc) if e not in to_emails]
    if owner.email and owner.email not in to_emails and owner.email not in cc_emails:
        cc_emails.append(owner.email)
    QuoteEmail.objects.create(
        quote=quote,
        delivery=delivery,
        kind=QuoteEmail.Kind.QUOTE,
        subject=subject,
        to=to_emails,
        cc=cc_emails,
        reply_to=[owner.email] if owner.email else [],
        context={"message": message.strip()},
        language=language,
    )
    transaction.on_commit(lambda: enqueue.render_pdf(delivery.pk, language))
    return delivery


def _claim(
    model: SideEffect, pk: int, *, statuses: Iterable[str], to: str, field: str = "status"
) -> str | None:
    """Take the row (``statuses`` → ``to``) with a fresh token, or ``None`` if not claimable."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = model.objects.filter(pk=pk, **{f"{field}__in": statuses}).update(
        **{field: to},
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        next_attempt_at=None,
        updated_at=now,
    )
    return token if claimed == 1 else None


def _status_field(model: SideEffect) -> str:
    return "render_status" if model is QuoteDelivery else "status"


def _retry_or_fail(
    model: SideEffect, row: QuoteDelivery | QuoteEmail, token: str, exc: BaseException, *, step: str
) -> str:
    """After a transient error: ``retrying`` (raising TransientDeliveryError) or, at the last
    attempt, ``failed``."""
    text = _error_text(exc)
    now = timezone.now()
    field = _status_field(model)
    if row.attempts >= max_attempts():
        message = f"{step}: {text} (gave up after {row.attempts} attempts)"
        model.objects.filter(pk=row.pk, claim_token=token).update(
            **{field: "failed"}, last_error=message, claim_token="", claimed_at=None, updated_at=now
        )
        logger.warning("%s %s failed for good: %s", model.__name__, row.pk, message)
        return FAILED
    countdown = backoff_seconds(row.attempts)
    model.objects.filter(pk=row.pk, claim_token=token).update(
        **{field: "retrying"},
        last_error=f"{step}: {text}",
        next_attempt_at=now + timedelta(seconds=countdown),
        claim_token="",
        claimed_at=None,
        updated_at=now,
    )
    logger.info("%s %s: %s; retry in %s s", model.__name__, row.pk, text, countdown)
    raise TransientDeliveryError(text, countdown=countdown)


def _fail(model: SideEffect, row: QuoteDelivery | QuoteEmail, token: str, message: str) -> str:
    model.objects.filter(pk=row.pk, claim_token=token).update(
        **{_status_field(model): "failed"},
        last_error=message[:2000],
        claim_token="",
        claimed_at=None,
        updated_at=timezone.now(),
    )
    return FAILED


def _store_pdf(delivery: QuoteDelivery, data: bytes, digest: str) -> str:
    """Save the PDF under ``quotes/pdf/<number>-v<version>.pdf``; if that file already holds
    exactly these bytes (a render whose row update was lost), reuse it."""
    storage = delivery.pdf.storage
    name = delivery.pdf.field.generate_filename(delivery, delivery_filename(delivery))
    if storage.exists(name):
        with storage.open(name, "rb") as existing:
            if pdf_sha256(existing.read()) == digest:
                return name
    return storage.save(name, ContentFile(data))


def delivery_filename(delivery: QuoteDelivery) -> str:
    """The PDF's file name: ``Q-2026-00042-v2.pdf`` for a quote, the stored name otherwise."""
    if delivery.filename:
        return delivery.filename
    # The check constraint ``delivery_quote_or_document``: no filename means a quote.
    assert delivery.quote is not None
    return quote_pdf_filename(delivery.quote)


def _current_quote_email(delivery_id: int) -> QuoteEmail | None:
    """The delivery's e-mail to the buyer (the quote, or the other document it carries): the
    newest (a retry after a failure and a "send again" each queue a new one; the earlier
    rows stay as the record)."""
    return QuoteEmail.objects.filter(delivery_id=delivery_id).order_by("-id").first()


def delivery_render(*, delivery_id: int, language: str | None = None) -> str:
    """Render and store the PDF of a delivery, once, in ``language`` (the task's argument;
    ``None``, from a message queued before languages existed: the row's). Returns
    ``RENDERED`` when the e-mail step may follow, ``SKIPPED``/``GONE`` when there is nothing
    to do, ``FAILED``; raises ``TransientDeliveryError`` when the task should retry."""
    token = _claim(
        QuoteDelivery,
        delivery_id,
        statuses=(R.QUEUED, R.RETRYING),
        to=R.RENDERING,
        field="render_status",
    )
    if token is None:
        row = QuoteDelivery.objects.filter(pk=delivery_id).first()
        if row is None:
            return GONE
        email = _current_quote_email(delivery_id) if row.is_rendered else None
        if email is not None and email.status in (E.QUEUED, E.RETRYING):
            return RENDERED  # rendered before; the e-mail step may not have been queued
        return SKIPPED
    delivery = QuoteDelivery.objects.select_related("quote").get(pk=delivery_id)
    try:
        data = document_render(
            delivery.document, delivery.template, language=language or delivery.language
        )
        digest = pdf_sha256(data)
        name = _store_pdf(delivery, data, digest)
    except (OSError, SoftTimeLimitExceeded) as exc:
        return _retry_or_fail(QuoteDelivery, delivery, token, exc, step="Rendering the PDF")
    except Exception as exc:  # a template or data error: rendering again will not help
        logger.exception("Rendering delivery %s failed", delivery_id)
        return _fail(QuoteDelivery, delivery, token, f"Rendering the PDF: {_error_text(exc)}")
    now = timezone.now()
    done = QuoteDelivery.objects.filter(
        pk=delivery_id, claim_token=token, render_status=R.RENDERING
    ).update(
        render_status=R.RENDERED,
        pdf=name,
        pdf_sha256=digest,
        pdf_size=len(data),
        rendered_at=now,
        attempts=0,
        last_error="",
        claim_token="",
        claimed_at=None,
        updated_at=now,
    )
    if done != 1:
        # Our claim was taken back as stale; the run that holds it reuses the stored file.
        logger.warning(
            "Delivery %s: render claim lost; PDF %s left for the next run", delivery_id, name
        )
        return SKIPPED
    return RENDERED


def delivery_email(*, delivery_id: int, language: str | None = None) -> str:
    """E-mail the stored PDF to the buyer (CC the rep), once: ``email_send`` on the
    delivery's current e-mail, in ``language`` (``None``: the e-mail row's)."""
    email = _current_quote_email(delivery_id)
    if email is None:
        return GONE
    return email_send(email_id=email.pk, language=language)


# ------------------------------------------------------------------ one send path


class _PdfChanged(Exception):
    """The stored PDF no longer matches its checksum."""


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "mgtrade.local"
    return make_msgid(domain=domain)


def _build_message(email: QuoteEmail, message_id: str) -> EmailMultiAlternatives:
    """The message of an e-mail row: subject and addresses from the row, bodies from the
    delivery's frozen document (the quote) or the row's context (notices, other documents),
    with the delivery's stored PDF attached when it has one."""
    delivery = email.delivery
    if email.kind == QuoteEmail.Kind.QUOTE and delivery is not None:
        context = _quote_email_context(email.quote, document_thaw(delivery.document))
        if (email.context or {}).get("message"):
            context["message"] = email.context["message"]  # as written for this send
        text, html = email_bodies("quote", context)
    else:
        text, html = email_bodies(f"quote-{email.kind}", email.context)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        cc=email.cc,
        reply_to=email.reply_to,
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(html, "text/html")
    if delivery is not None:
        with delivery.pdf.open("rb") as pdf:
            data = pdf.read()
        if pdf_sha256(data) != delivery.pdf_sha256:
            raise _PdfChanged("The stored PDF does not match its checksum.")
        message.attach(delivery_filename(delivery), data, "application/pdf")
    return message


def _send(message: EmailMultiAlternatives) -> None:
    """Hand the message to the configured backend; Django's SMTP backend is replaced by one
    that raises ``OutcomeUnknown`` for a failure after the message was transmitted."""
    connection = get_connection(
        backend_for(settings.EMAIL_BACKEND), fail_silently=False, timeout=SMTP_TIMEOUT_SECONDS
    )
    message.connection = connection
    message.send(fail_silently=False)


def email_send(*, email_id: int, language: str | None = None) -> str:
    """Send one queued e-mail (a quote with its PDF, or a notice) once, its bodies written
    inside ``translation.override(language)`` (the task's argument; ``None``: the row's
    ``language``, for a message queued before languages existed). Returns ``SENT``,
    ``SKIPPED`` (not claimable, or a quote e-mail whose PDF is not stored yet), ``GONE``,
    ``FAILED`` or ``UNDECIDED`` (transmitted, but the server's reply never came: the row
    needs a decision); raises ``TransientDeliveryError`` when the task should retry."""
    row = (
        QuoteEmail.objects.filter(pk=email_id).values("delivery_id", "delivery__pdf_sha256").first()
    )
    if row is None:
        return GONE
    if row["delivery_id"] is not None and not row["delivery__pdf_sha256"]:
        return SKIPPED  # the render task queues it once the PDF is stored
    token = _claim(QuoteEmail, email_id, statuses=(E.QUEUED, E.RETRYING), to=E.IN_FLIGHT)
    if token is None:
        return SKIPPED
    email = QuoteEmail.objects.select_related("quote", "delivery").get(pk=email_id)
    message_id = _message_id()
    QuoteEmail.objects.filter(pk=email_id, claim_token=token).update(message_id=message_id)
    try:
        with translation.override(language or email.language or ENGLISH):
            message = _build_message(email, message_id)
    except _PdfChanged as exc:
        return _fail(QuoteEmail, email, token, str(exc))
    except OSError as exc:
        return _retry_or_fail(QuoteEmail, email, token, exc, step="Reading the PDF")
    except Exception as exc:
        logger.exception("Building e-mail %s failed", email_id)
        return _fail(QuoteEmail, email, token, f"Building the email: {_error_text(exc)}")

    # From here on the message may reach the server: only a clear refusal is an error.
    try:
        _send(message)
    except OutcomeUnknown as exc:
        # The server may have stored it (its reply came too late or not at all): sending
        # again could deliver a second copy, so a person decides.
        _needs_decision(email, token, f"Unknown whether it was delivered: {exc}")
        logger.warning("E-mail %s needs a decision: %s", email_id, exc)
        return UNDECIDED
    except Exception as exc:
        if smtp_error_is_permanent(exc):
            return _fail(
                QuoteEmail, email, token, f"Refused by the mail server: {_error_text(exc)}"
            )
        if smtp_error_is_transient(exc) and not isinstance(exc, SoftTimeLimitExceeded):
            return _retry_or_fail(QuoteEmail, email, token, exc, step="Sending")
        # Unknown outcome (time limit mid-DATA, unexpected error): a person decides.
        _needs_decision(email, token, f"Sending stopped: {_error_text(exc)}")
        raise
    now = timezone.now()
    # Matched on the Message-ID, not the claim: a send that completes after its claim was
    # declared stale (needs_decision) still records that it went out.
    QuoteEmail.objects.filter(
        pk=email_id, message_id=message_id, status__in=(E.IN_FLIGHT, E.NEEDS_DECISION)
    ).update(
        status=E.SENT,
        sent_at=now,
        last_error="",
        claim_token="",
        claimed_at=None,
        next_attempt_at=None,
        updated_at=now,
    )
    logger.info("E-mail %s (%s) sent to %s (%s)", email_id, email.kind, email.to, message_id)
    return SENT


def _needs_decision(email: QuoteEmail, token: str | None, message: str) -> bool:
    qs = QuoteEmail.objects.filter(pk=email.pk, status=E.IN_FLIGHT)
    if token is not None:
        qs = qs.filter(claim_token=token)
    changed = qs.update(
        status=E.NEEDS_DECISION,
        last_error=message,
        claim_token="",
        claimed_at=None,
        updated_at=timezone.now(),
    )
    if changed and email.kind == QuoteEmail.Kind.QUOTE:
        Notification.objects.create(
            user_id=email.quote.owner_id,
            quote_id=email.quote_id,
            text=f"Delivery of {email.quote.reference} needs your decision: "
            "it may not have been sent.",
        )
    return bool(changed)


# ------------------------------------------------------------------ the rep's actions


def _requeue_email(email: QuoteEmail, *, note: str = "") -> QuoteEmail:
    """Queue the e-mail again: a ``retrying`` one as it is (it was never given up); a
    ``failed`` or undecided one as a new row, so the earlier one stays as the record."""
    if email.status == E.RETRYING:
        email.status, email.attempts, email.next_attempt_at = E.QUEUED, 0, None
        email.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        return email
    return QuoteEmail.objects.create(
        quote_id=email.quote_id,
        delivery_id=email.delivery_id,
        kind=email.kind,
        subject=email.subject,
        to=email.to,
        cc=email.cc,
        reply_to=email.reply_to,
        context=email.context,
        language=email.language,
        last_error=note,
    )


@transaction.atomic
def delivery_retry(*, delivery: QuoteDelivery, by: User | None) -> QuoteDelivery:
    """Start a failed (or still retrying) delivery again from its current step: the render,
    or its e-mail."""
    delivery = QuoteDelivery.objects.select_for_update().get(pk=delivery.pk)
    if not delivery.is_rendered:
        if delivery.render_status not in (R.FAILED, R.RETRYING):
            raise StateConflict("The PDF is being rendered: there is nothing to retry.")
        delivery.render_status = R.QUEUED
        delivery.attempts = 0
        delivery.next_attempt_at = None
        delivery.save(update_fields=["render_status", "attempts", "next_attempt_at", "updated_at"])
        transaction.on_commit(lambda: enqueue.render_pdf(delivery.pk, delivery.language))
        return delivery
    email = _current_quote_email(delivery.pk)
    if email is None or email.status not in (E.FAILED, E.RETRYING):
        label = email.get_status_display().lower() if email else "rendered"
        raise StateConflict(f"A {label} delivery cannot be retried.")
    email = QuoteEmail.objects.select_for_update().get(pk=email.pk)
    if email.status not in (E.FAILED, E.RETRYING):
        raise StateConflict(f"A {email.get_status_display().lower()} delivery cannot be retried.")
    retried = _requeue_email(email)
    transaction.on_commit(lambda: enqueue.email(retried))
    return delivery


@transaction.atomic
def delivery_resolve(*, delivery: QuoteDelivery, by: User, send_again: bool) -> QuoteDelivery:
    """The rep's decision on a quote e-mail whose worker stopped mid-send: send it again (a
    new e-mail), or record that it did go out (e.g. the buyer confirmed receipt)."""
    current = _current_quote_email(delivery.pk)
    email = QuoteEmail.objects.select_for_update().get(pk=current.pk) if current else None
    if email is None or email.status != E.NEEDS_DECISION:
        raise StateConflict("This delivery needs no decision.")
    now = timezone.now()
    who = by.get_full_name() or by.username
    if send_again:
        email.last_error = f"Unknown whether it went out; sent again by {who}."
        email.save(update_fields=["last_error", "updated_at"])
        again = _requeue_email(email, note=f"Sent again by {who}.")
        transaction.on_commit(lambda: enqueue.email(again))
    else:
        email.status = E.SENT
        email.sent_at = email.claimed_at or email.updated_at or now
        email.last_error = f"Marked as sent by {who}."
        email.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
    return delivery


# ------------------------------------------------------------------ other documents of a deal


@transaction.atomic
def document_send(
    *,
    quote: Quote,
    kind: str,
    template: str,
    filename: str,
    document: dict,
    to: list[str],
    context: dict,
    by: User | None,
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    language: str | None = None,
) -> QuoteDelivery:
    """Send another document of ``quote``'s deal (a contract, a proforma) through this
    pipeline: its frozen ``document`` rendered once with ``template`` and stored as
    ``filename``, then e-mailed once (``emails/quote-<kind>-*`` with ``context``), both in
    ``language`` (default: the quote's contact's, ``quote_send_language``). The caller
    keeps the returned delivery (its state: ``selectors.delivery_state``)."""
    if not to or not all(to):
        raise StateConflict("The buyer's contact has no e-mail address.")
    language = quote_send_language(quote, override=language)
    delivery = QuoteDelivery.objects.create(
        quote=None,
        template=template,
        filename=filename,
        document=document_freeze(document),
        created_by=by,
        language=language,
    )
    with translation.override(language):
        subject = email_subject(f"quote-{kind}", context)
    QuoteEmail.objects.create(
        quote=quote,
        delivery=delivery,
        kind=kind,
        subject=subject,
        to=list(to),
        cc=list(cc or []),
        reply_to=list(reply_to or []),
        context=document_freeze(context),
        language=language,
    )
    transaction.on_commit(lambda: enqueue.render_pdf(delivery.pk, language))
    return delivery


def buyer_email_queue(
    *,
    quote: Quote,
    kind: str,
    to: list[str],
    context: dict,
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    language: str | None = None,
) -> QuoteEmail:
    """An e-mail without attachment to the buyer about ``quote`` (e.g. the confirmation of
    an acceptance) in ``language`` (default: the language the quote was sent in, else the
    quote's contact's), queued as its own row and sent once on commit. Call inside the
    transaction of the change."""
    language = quote_send_language(quote, override=language or quote_sent_language(quote=quote))
    with translation.override(language):
        subject = email_subject(f"quote-{kind}", context)
    email = QuoteEmail.objects.create(
        quote=quote,
        kind=kind,
        subject=subject,
        to=list(to),
        cc=list(cc or []),
        reply_to=list(reply_to or []),
        context=document_freeze(context),
        language=language,
    )
    emails_queue_on_commit([email])
    return email


# ------------------------------------------------------------------ recovery (beat)


def _idle(status_field: str, cutoff: datetime) -> Q:
    """Queued, or retrying past its time, and untouched since ``cutoff``: its task message
    was lost (a duplicate message is harmless: the claim takes the row once)."""
    return (
        Q(**{status_field: "queued"})
        | Q(**{status_field: "retrying", "next_attempt_at__lt": cutoff})
        | Q(**{status_field: "retrying", "next_attempt_at__isnull": True})
    ) & Q(updated_at__lt=cutoff)


def relay_after() -> timedelta:
    return timedelta(seconds=int(settings.MGTRADE.get("DELIVERY_RELAY_SECONDS", 60)))


def _relayed(model: SideEffect, pk: int, status_field: str) -> None:
    """After a publish that went through: drop the outage note and restart the row's clock,
    so a row still waiting in a long queue is not published again at the next run."""
    now = timezone.now()
    model.objects.filter(pk=pk, **{status_field: "queued"}, attempts=0).update(
        last_error=Case(
            When(last_error=enqueue.OUTAGE_NOTE, then=Value("")),
            default=F("last_error"),
            output_field=TextField(),
        ),
        updated_at=now,
    )


def deliveries_relay(*, older_than: timedelta | None = None) -> dict[str, int]:
    """The outbox relay (beat, every minute; also when a worker starts): publish again the
    task of every render and e-mail that never started (``queued``, no attempt yet) and has
    waited longer than ``older_than`` (``MGTRADE["DELIVERY_RELAY_SECONDS"]``, 60 s): its
    publish after the commit failed (the broker was down) or its message was lost. A quote
    e-mail only once its PDF is stored (the render step queues it otherwise). A duplicate
    message is harmless: the claim takes the row once. Rows a worker had claimed are the
    stale sweep's (``deliveries_recover_stale``, after ``DELIVERY_STALE_SECONDS``). Stops
    at the first publish that fails (``unreachable``: 1), oldest rows first next time."""
    older_than = relay_after() if older_than is None else older_than
    cutoff = timezone.now() - older_than
    counts = {"renders": 0, "emails": 0, "unreachable": 0}
    renders = (
        QuoteDelivery.objects.filter(render_status=R.QUEUED, attempts=0, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("pk", "language")
    )
    for pk, language in renders:
        if not enqueue.render_pdf(pk, language):
            # The broker is still down: stop here (each try waits for it); the next run
            # starts again from the oldest row.
            counts["unreachable"] = 1
            logger.warning("Relay: the broker is still unreachable after %s", counts)
            return counts
        counts["renders"] += 1
        _relayed(QuoteDelivery, pk, "render_status")
    emails = QuoteEmail.objects.filter(status=E.QUEUED, attempts=0, updated_at__lt=cutoff).filter(
        Q(delivery__isnull=True) | ~Q(delivery__pdf_sha256="")
    )
    for email in emails.order_by("updated_at").only("pk", "delivery_id", "language"):
        if not enqueue.email(email):
            counts["unreachable"] = 1
            logger.warning("Relay: the broker is still unreachable after %s", counts)
            return counts
        counts["emails"] += 1
        _relayed(QuoteEmail, email.pk, "status")
    if counts["renders"] or counts["emails"]:
        logger.info("Relay: queued again %s", counts)
    return counts


def deliveries_recover_stale(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Find work whose worker died or whose task was lost, and put it back on track:

    - ``rendering`` claims older than ``older_than``: ``retrying`` (rendering is safe to
      repeat: the stored file is reused by checksum) and queued again;
    - e-mails ``in_flight`` for longer than that: ``needs_decision`` (the e-mail may have
      gone out; a person chooses), never sent again automatically;
    - renders and e-mails queued (or retrying past their time) and untouched for that long:
      queued again; a quote e-mail only once its PDF is stored.

    Safe to run twice and concurrently: every move is a conditional UPDATE.
    """
    older_than = stale_after() if older_than is None else older_than
    cutoff = timezone.now() - older_than
    counts = {"rendering": 0, "sending": 0, "requeued": 0, "notices": 0}

    for row in QuoteDelivery.objects.filter(render_status=R.RENDERING, claimed_at__lt=cutoff):
        again = row.attempts < max_attempts()
        changed = QuoteDelivery.objects.filter(
            pk=row.pk, render_status=R.RENDERING, claim_token=row.claim_token
        ).update(
            render_status=R.RETRYING if again else R.FAILED,
            last_error="Rendering: the worker stopped (stale claim); rendering again.",
            claim_token="",
            claimed_at=None,
            updated_at=timezone.now(),
        )
        if changed and again:
            counts["rendering"] += 1
            enqueue.render_pdf(row.pk, row.language)

    for email in QuoteEmail.objects.filter(
        status=E.IN_FLIGHT, claimed_at__lt=cutoff
    ).select_related("quote"):
        if _needs_decision(
            email,
            email.claim_token,
            f"The worker stopped while sending (claimed {email.claimed_at:%Y-%m-%d %H:%M:%S %Z}): "
            "the email may or may not have reached "
            + ("the buyer." if email.kind in BUYER_KINDS else "the rep."),
        ):
            counts["sending"] += 1

    for pk, language in QuoteDelivery.objects.filter(_idle("render_status", cutoff)).values_list(
        "pk", "language"
    ):
        counts["requeued"] += 1
        enqueue.render_pdf(pk, language)

    idle_emails = QuoteEmail.objects.filter(_idle("status", cutoff)).filter(
        Q(delivery__isnull=True) | ~Q(delivery__pdf_sha256="")
    )
    for email in idle_emails.only("pk", "delivery_id", "language"):
        counts["requeued" if email.delivery_id else "notices"] += 1
        enqueue.email(email)
    if any(counts.values()):
        logger.warning("Recovered deliveries: %s", counts)
    return counts


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
