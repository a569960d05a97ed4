"""Sending quotes: freeze, render the PDF, email it; track every step as a row.

Flow (docs/sending.md)::

    quote_send ──on_commit──▶ quote_render_pdf_task ──▶ quote_email_task
       │ quote_mark_sent          delivery_render          delivery_email
       │ QuoteDelivery(queued)    queued→rendering→queued  queued→sending→sent
       ▼                          (PDF stored + SHA-256)   (Message-ID, sent_at)

Every step claims the row with a conditional UPDATE that must change exactly one row (the
status it expects, a fresh ``claim_token``), does its slow I/O outside any transaction, and
finishes with another conditional UPDATE on that token. So a repeated or redelivered task
finds nothing to claim and returns; a stored PDF is never rendered again; an email is never
sent twice. Transient errors (SMTP 4xx, connection, storage ``OSError``) put the row in
``retrying`` and raise :class:`TransientDeliveryError` (the task retries it with exponential
backoff and jitter); after ``DELIVERY_MAX_ATTEMPTS`` or on a permanent SMTP 5xx refusal the
row is ``failed`` with the error, and ``delivery_retry`` starts it again. A claim whose worker
died is found by ``deliveries_recover_stale``: rendering → retried; sending → ``needs_decision``
(the email may have gone out): ``delivery_resolve`` lets the rep send again or mark it sent.
"""

from __future__ import annotations

import logging
import random
import smtplib
import socket
import uuid
from collections.abc import Iterable
from datetime import timedelta
from email.utils import make_msgid
from typing import cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from customers.models import Contact
from mgtrade.accounts.models import User
from mgtrade.errors import StateConflict
from quotes.documents.context import (
    document_freeze,
    document_render,
    document_thaw,
    pdf_sha256,
    quote_pdf_context,
    quote_pdf_filename,
)
from quotes.models import DeliveryStatus, Notification, Quote, QuoteDelivery, QuoteEmail
from quotes.public.links import acceptance_url, site_url
from quotes.services import quote_mark_sent

from . import enqueue

logger = logging.getLogger(__name__)

D = DeliveryStatus
SMTP_TIMEOUT_SECONDS = 30
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 30 * 60

# What a step reports to its task.
RENDERED, SENT, SKIPPED, GONE, FAILED = "rendered", "sent", "skipped", "gone", "failed"

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
    """4xx replies, dropped connections, refused connections, timeouts, DNS failures."""
    if smtp_error_is_permanent(exc):
        return False
    return isinstance(exc, (smtplib.SMTPException, OSError, socket.timeout))


# ------------------------------------------------------------------ sending a quote


def _email_parts(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of ``templates/emails/<name>-{subject,body}.txt|html``."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def _quote_email_context(quote: Quote, document: dict) -> dict:
    doc = document_thaw(document)
    return {
        "quote": doc["quote"],
        "buyer": doc["buyer"],
        "contact": doc["contact"],
        "breakdown": doc["breakdown"],
        "company": doc["company"],
        "lines": doc["lines"],
        "accept_url": acceptance_url(quote),
        "pdf_filename": quote_pdf_filename(quote),
    }


@transaction.atomic
def quote_send(*, quote: Quote, by: User | None) -> QuoteDelivery:
    """Send a draft or approved quote: freeze it as sent, freeze its document, and queue the
    PDF and the email (on commit). Raises ``StateConflict`` if it cannot be sent now."""
    quote = quote_mark_sent(quote=quote, by=by)  # locks, checks sendable, freezes
    quote = Quote.objects.select_related("customer", "contact", "owner").get(pk=quote.pk)
    document = document_freeze(quote_pdf_context(quote, draft=False))
    owner = quote.owner
    buyer = cast(Contact, quote.contact).email  # quote_mark_sent refused a quote without one
    delivery = QuoteDelivery(
        quote=quote,
        to=[buyer],
        cc=[owner.email] if owner.email and owner.email != buyer else [],
        reply_to=[owner.email] if owner.email else [],
        document=document,
        created_by=by,
    )
    delivery.subject = _email_parts("quote", _quote_email_context(quote, document))[0][:250]
    delivery.save()
    transaction.on_commit(lambda: _enqueue_step(delivery.pk, rendered=False))
    return delivery


def _enqueue_step(delivery_id: int, *, rendered: bool) -> None:
    enqueue.queue_task(enqueue.EMAIL_QUOTE if rendered else enqueue.RENDER_PDF, delivery_id)


def _claim(
    model: SideEffect, pk: int, *, statuses: Iterable[str], to: str, extra: Q | None = None
) -> str | None:
    """Take the row (``statuses`` → ``to``) with a fresh token, or ``None`` if not claimable."""
    token = uuid.uuid4().hex
    now = timezone.now()
    qs = model.objects.filter(pk=pk, status__in=statuses)
    if extra is not None:
        qs = qs.filter(extra)
    claimed = qs.update(
        status=to,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
        **({"next_attempt_at": None} if model is QuoteDelivery else {}),
    )
    return token if claimed == 1 else None


def _retry_or_fail(
    model: SideEffect, row: QuoteDelivery | QuoteEmail, token: str, exc: BaseException, *, step: str
) -> str:
    """After a transient error: ``retrying`` (raising TransientDeliveryError) or, at the last
    attempt, ``failed``."""
    text = _error_text(exc)
    now = timezone.now()
    if row.attempts >= max_attempts():
        message = f"{step}: {text} (gave up after {row.attempts} attempts)"
        model.objects.filter(pk=row.pk, claim_token=token).update(
            status=D.FAILED, last_error=message, claim_token="", claimed_at=None, updated_at=now
        )
        _log_status(row, D.FAILED, message)
        logger.warning("%s %s failed for good: %s", model.__name__, row.pk, message)
        return FAILED
    countdown = backoff_seconds(row.attempts)
    fields = (
        {"next_attempt_at": now + timedelta(seconds=countdown)} if model is QuoteDelivery else {}
    )
    model.objects.filter(pk=row.pk, claim_token=token).update(
        status=D.RETRYING,
        last_error=f"{step}: {text}",
        claim_token="",
        claimed_at=None,
        updated_at=now,
        **fields,
    )
    _log_status(row, D.RETRYING, f"{step}: {text}")
    logger.info("%s %s: %s; retry in %s s", model.__name__, row.pk, text, countdown)
    raise TransientDeliveryError(text, countdown=countdown)


def _fail(model: SideEffect, row: QuoteDelivery | QuoteEmail, token: str, message: str) -> str:
    model.objects.filter(pk=row.pk, claim_token=token).update(
        status=D.FAILED,
        last_error=message[:2000],
        claim_token="",
        claimed_at=None,
        updated_at=timezone.now(),
    )
    _log_status(row, D.FAILED, message)
    return FAILED


def _log_status(row: QuoteDelivery | QuoteEmail, status: str, error: str = "") -> None:
    """Mirror a quote delivery's email state on its open log row."""
    if isinstance(row, QuoteDelivery):
        QuoteEmail.objects.filter(
            delivery=row, kind=QuoteEmail.Kind.QUOTE, status__in=(D.SENDING, D.RETRYING)
        ).update(status=status, last_error=error[:2000], updated_at=timezone.now())


def _store_pdf(delivery: QuoteDelivery, data: bytes, digest: str) -> str:
    """Save the PDF under ``quotes/pdf/<number>-v<version>.pdf``; if that file already holds
    exactly these bytes (a render whose row update was lost), reuse it."""
    storage = delivery.pdf.storage
    name = delivery.pdf.field.generate_filename(delivery, quote_pdf_filename(delivery.quote))
    if storage.exists(name):
        with storage.open(name, "rb") as existing:
            if pdf_sha256(existing.read()) == digest:
                return name
    return storage.save(name, ContentFile(data))


def delivery_render(*, delivery_id: int) -> str:
    """Render and store the PDF of a delivery, once. Returns ``RENDERED`` when the email step
    may follow, ``SKIPPED``/``GONE`` when there is nothing to do, ``FAILED``; raises
    ``TransientDeliveryError`` when the task should retry."""
    token = _claim(
        QuoteDelivery,
        delivery_id,
        statuses=(D.QUEUED, D.RETRYING),
        to=D.RENDERING,
        extra=Q(pdf_sha256=""),
    )
    if token is None:
        row = QuoteDelivery.objects.filter(pk=delivery_id).first()
        if row is None:
            return GONE
        if row.is_rendered and row.status in (D.QUEUED, D.RETRYING):
            return RENDERED  # rendered before; the email step may not have been queued
        return SKIPPED
    delivery = QuoteDelivery.objects.select_related("quote").get(pk=delivery_id)
    try:
        data = document_render(delivery.document)
        digest = pdf_sha256(data)
        name = _store_pdf(delivery, data, digest)
    except (OSError, SoftTimeLimitExceeded) as exc:
        return _retry_or_fail(QuoteDelivery, delivery, token, exc, step="Rendering the PDF")
    except Exception as exc:  # a template or data error: rendering again will not help
        logger.exception("Rendering delivery %s failed", delivery_id)
        return _fail(QuoteDelivery, delivery, token, f"Rendering the PDF: {_error_text(exc)}")
    now = timezone.now()
    done = QuoteDelivery.objects.filter(
        pk=delivery_id, claim_token=token, status=D.RENDERING
    ).update(
        status=D.QUEUED,
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


def _build_quote_message(delivery: QuoteDelivery, message_id: str) -> EmailMultiAlternatives:
    quote = delivery.quote
    context = _quote_email_context(quote, delivery.document)
    subject, text, html = _email_parts("quote", context)
    message = EmailMultiAlternatives(
        subject=delivery.subject or subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=delivery.to,
        cc=delivery.cc,
        reply_to=delivery.reply_to,
        headers={"Message-ID": message_id},
    )
    message.attach_alternative(html, "text/html")
    return message


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "mgtrade.local"
    return make_msgid(domain=domain)


def _send(message: EmailMultiAlternatives) -> None:
    connection = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT_SECONDS)
    message.connection = connection
    message.send(fail_silently=False)


def delivery_email(*, delivery_id: int) -> str:
    """Email the stored PDF to the buyer (CC the rep), once. Returns ``SENT``, ``SKIPPED``,
    ``GONE`` or ``FAILED``; raises ``TransientDeliveryError`` when the task should retry."""
    token = _claim(
        QuoteDelivery,
        delivery_id,
        statuses=(D.QUEUED, D.RETRYING),
        to=D.SENDING,
        extra=~Q(pdf_sha256=""),
    )
    if token is None:
        return GONE if not QuoteDelivery.objects.filter(pk=delivery_id).exists() else SKIPPED
    delivery = QuoteDelivery.objects.select_related("quote").get(pk=delivery_id)
    message_id = _message_id()
    QuoteDelivery.objects.filter(pk=delivery_id, claim_token=token).update(message_id=message_id)
    log = QuoteEmail.objects.filter(
        delivery=delivery, kind=QuoteEmail.Kind.QUOTE, status__in=(D.RETRYING, D.SENDING)
    ).first()
    if log is None:
        log = QuoteEmail.objects.create(
            quote=delivery.quote,
            delivery=delivery,
            kind=QuoteEmail.Kind.QUOTE,
            subject=delivery.subject,
            to=delivery.to,
            cc=delivery.cc,
        )
    QuoteEmail.objects.filter(pk=log.pk).update(
        status=D.SENDING,
        attempts=delivery.attempts,
        message_id=message_id,
        updated_at=timezone.now(),
    )
    try:
        message = _build_quote_message(delivery, message_id)
        with delivery.pdf.open("rb") as pdf:
            data = pdf.read()
        if pdf_sha256(data) != delivery.pdf_sha256:
            return _fail(
                QuoteDelivery, delivery, token, "The stored PDF does not match its checksum."
            )
        message.attach(quote_pdf_filename(delivery.quote), data, "application/pdf")
    except OSError as exc:
        return _retry_or_fail(QuoteDelivery, delivery, token, exc, step="Reading the PDF")
    except Exception as exc:
        logger.exception("Building the email of delivery %s failed", delivery_id)
        return _fail(QuoteDelivery, delivery, token, f"Building the email: {_error_text(exc)}")

    # From here on the message may reach the server: only a clear refusal is an error.
    try:
        _send(message)
    except Exception as exc:
        if smtp_error_is_permanent(exc):
            return _fail(
                QuoteDelivery, delivery, token, f"Refused by the mail server: {_error_text(exc)}"
            )
        if smtp_error_is_transient(exc) and not isinstance(exc, SoftTimeLimitExceeded):
            return _retry_or_fail(QuoteDelivery, delivery, token, exc, step="Sending")
        # Unknown outcome (time limit mid-DATA, unexpected error): a human decides.
        _needs_decision(delivery, token, f"Sending stopped: {_error_text(exc)}")
        raise
    now = timezone.now()
    QuoteDelivery.objects.filter(
        pk=delivery_id, message_id=message_id, status__in=(D.SENDING, D.NEEDS_DECISION)
    ).update(
        status=D.SENT, sent_at=now, last_error="", claim_token="", claimed_at=None, updated_at=now
    )
    QuoteEmail.objects.filter(pk=log.pk).update(
        status=D.SENT, sent_at=now, last_error="", updated_at=now
    )
    logger.info("Delivery %s sent to %s (%s)", delivery_id, delivery.to, message_id)
    return SENT


def _needs_decision(delivery: QuoteDelivery, token: str | None, message: str) -> bool:
    qs = QuoteDelivery.objects.filter(pk=delivery.pk, status=D.SENDING)
    if token is not None:
        qs = qs.filter(claim_token=token)
    now = timezone.now()
    changed = qs.update(
        status=D.NEEDS_DECISION, last_error=message, claim_token="", claimed_at=None, updated_at=now
    )
    if changed:
        QuoteEmail.objects.filter(delivery=delivery, status=D.SENDING).update(
            status=D.NEEDS_DECISION, last_error=message, updated_at=now
        )
        Notification.objects.create(
            user_id=delivery.quote.owner_id,
            quote_id=delivery.quote_id,
            text=f"Delivery of {delivery.quote.reference} needs your decision: it may not have been sent.",
        )
    return bool(changed)


# ------------------------------------------------------------------ the rep's actions


@transaction.atomic
def delivery_retry(*, delivery: QuoteDelivery, by: User | None) -> QuoteDelivery:
    """Start a failed (or still retrying) delivery again from its current step."""
    delivery = QuoteDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (D.FAILED, D.RETRYING):
        raise StateConflict(
            f"A {delivery.get_status_display().lower()} delivery cannot be retried."
        )
    delivery.status = D.QUEUED
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    rendered = delivery.is_rendered
    transaction.on_commit(lambda: _enqueue_step(delivery.pk, rendered=rendered))
    return delivery


@transaction.atomic
def delivery_resolve(*, delivery: QuoteDelivery, by: User, send_again: bool) -> QuoteDelivery:
    """The rep's decision on a delivery whose worker stopped mid-send: send the email again,
    or record that it did go out (e.g. the buyer confirmed receipt)."""
    delivery = QuoteDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != D.NEEDS_DECISION:
        raise StateConflict("This delivery needs no decision.")
    now = timezone.now()
    who = by.get_full_name() or by.username
    if send_again:
        delivery.status = D.QUEUED
        delivery.attempts = 0
        delivery.last_error = f"Sent again by {who}."
        delivery.save(update_fields=["status", "attempts", "last_error", "updated_at"])
        QuoteEmail.objects.filter(delivery=delivery, status=D.NEEDS_DECISION).update(
            last_error=f"Unknown; sent again by {who}", updated_at=now
        )
        transaction.on_commit(lambda: _enqueue_step(delivery.pk, rendered=True))
    else:
        delivery.status = D.SENT
        delivery.sent_at = delivery.claimed_at or delivery.updated_at or now
        delivery.last_error = f"Marked as sent by {who}."
        delivery.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
        QuoteEmail.objects.filter(delivery=delivery, status=D.NEEDS_DECISION).update(
            status=D.SENT,
            sent_at=delivery.sent_at,
            last_error=f"Marked as sent by {who}",
            updated_at=now,
        )
    return delivery


# ------------------------------------------------------------------ notices to the rep


def notify_rep(
    *, quote: Quote, text: str, email_kind: str | None = None, context: dict | None = None
) -> None:
    """An in-app notification for the quote's owner and, with ``email_kind``, an email
    queued as its own row (sent on commit). Call inside the transaction of the change."""
    notify_user(user=quote.owner, quote=quote, text=text, email_kind=email_kind, context=context)


def notify_user(
    *,
    user: User,
    quote: Quote,
    text: str,
    email_kind: str | None = None,
    context: dict | None = None,
) -> None:
    """An in-app notification for ``user`` about ``quote`` and, with ``email_kind`` and an
    address, an email queued as its own row (sent on commit, ``emails/quote-<kind>-*``).
    Call inside the transaction of the change."""
    Notification.objects.create(user=user, quote=quote, text=text[:300])
    if email_kind is None or not user.email:
        return
    owner = quote.owner
    ctx = {
        "quote": {"number": quote.number, "version": quote.version, "reference": quote.reference},
        "customer": quote.customer.name,
        "rep": owner.get_full_name() or owner.username,
        "recipient": user.get_full_name() or user.username,
        "url": site_url() + f"/quotes/{quote.pk}/",
        **(context or {}),
    }
    subject = _email_parts(f"quote-{email_kind}", ctx)[0]
    email = QuoteEmail.objects.create(
        quote=quote, kind=email_kind, subject=subject[:250], to=[user.email], context=ctx
    )
    transaction.on_commit(lambda: _enqueue_notice(email.pk))


def _enqueue_notice(email_id: int) -> None:
    enqueue.queue_task(enqueue.EMAIL_NOTICE, email_id)


def notice_email_send(*, email_id: int) -> str:
    """Send a queued notice email (acceptance, decline) once; same rules as quote emails."""
    token = _claim(QuoteEmail, email_id, statuses=(D.QUEUED, D.RETRYING), to=D.SENDING)
    if token is None:
        return GONE if not QuoteEmail.objects.filter(pk=email_id).exists() else SKIPPED
    email = QuoteEmail.objects.get(pk=email_id)
    message_id = _message_id()
    QuoteEmail.objects.filter(pk=email_id, claim_token=token).update(message_id=message_id)
    try:
        _subject, text, html = _email_parts(f"quote-{email.kind}", email.context)
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
            cc=email.cc,
            headers={"Message-ID": message_id},
        )
        message.attach_alternative(html, "text/html")
    except Exception as exc:
        logger.exception("Building notice email %s failed", email_id)
        return _fail(QuoteEmail, email, token, f"Building the email: {_error_text(exc)}")
    try:
        _send(message)
    except Exception as exc:
        if smtp_error_is_permanent(exc):
            return _fail(QuoteEmail, email, token, f"Refused: {_error_text(exc)}")
        if smtp_error_is_transient(exc) and not isinstance(exc, SoftTimeLimitExceeded):
            return _retry_or_fail(QuoteEmail, email, token, exc, step="Sending")
        QuoteEmail.objects.filter(pk=email_id, claim_token=token).update(
            status=D.NEEDS_DECISION, last_error=f"Sending stopped: {_error_text(exc)}"
        )
        raise
    now = timezone.now()
    QuoteEmail.objects.filter(pk=email_id, message_id=message_id).update(
        status=D.SENT, sent_at=now, last_error="", claim_token="", claimed_at=None, updated_at=now
    )
    return SENT


# ------------------------------------------------------------------ recovery (beat)


def deliveries_recover_stale(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Find work whose worker died or whose task was lost, and put it back on track:

    - ``rendering`` claims older than ``older_than``: ``retrying`` (rendering is safe to
      repeat: the stored file is reused by checksum) and queued again;
    - ``sending`` claims older than that: ``needs_decision`` (the email may have gone out;
      the rep chooses), never sent again automatically;
    - ``queued``/``retrying`` rows untouched for that long (their task message was lost):
      queued again (the claim makes a duplicate message harmless).

    Safe to run twice and concurrently: every move is a conditional UPDATE.
    """
    older_than = stale_after() if older_than is None else older_than
    cutoff = timezone.now() - older_than
    counts = {"rendering": 0, "sending": 0, "requeued": 0, "notices": 0}

    for row in QuoteDelivery.objects.filter(
        status=D.RENDERING, claimed_at__lt=cutoff
    ).select_related("quote"):
        changed = QuoteDelivery.objects.filter(
            pk=row.pk, status=D.RENDERING, claim_token=row.claim_token
        ).update(
            status=D.RETRYING if row.attempts < max_attempts() else D.FAILED,
            last_error="Rendering: the worker stopped (stale claim); rendering again.",
            claim_token="",
            claimed_at=None,
            updated_at=timezone.now(),
        )
        if changed and row.attempts < max_attempts():
            counts["rendering"] += 1
            _enqueue_step(row.pk, rendered=False)

    for row in QuoteDelivery.objects.filter(status=D.SENDING, claimed_at__lt=cutoff).select_related(
        "quote"
    ):
        if _needs_decision(
            row,
            row.claim_token,
            f"The worker stopped while sending (claimed {row.claimed_at:%Y-%m-%d %H:%M:%S %Z}): "
            "the email may or may not have reached the buyer.",
        ):
            counts["sending"] += 1

    idle = QuoteDelivery.objects.filter(
        Q(status=D.QUEUED)
        | Q(status=D.RETRYING, next_attempt_at__lt=cutoff)
        | Q(status=D.RETRYING, next_attempt_at__isnull=True),
        updated_at__lt=cutoff,
    )
    for row in idle.only("pk", "pdf_sha256"):
        counts["requeued"] += 1
        _enqueue_step(row.pk, rendered=bool(row.pdf_sha256))

    notices = QuoteEmail.objects.exclude(kind=QuoteEmail.Kind.QUOTE)
    for pk in notices.filter(status=D.SENDING, claimed_at__lt=cutoff).values_list("pk", flat=True):
        QuoteEmail.objects.filter(pk=pk, status=D.SENDING, claimed_at__lt=cutoff).update(
            status=D.NEEDS_DECISION,
            last_error="The worker stopped while sending; it may or may not have gone out.",
        )
    for pk in notices.filter(status__in=(D.QUEUED, D.RETRYING), updated_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        counts["notices"] += 1
        _enqueue_notice(pk)
    if any(counts.values()):
        logger.warning("Recovered deliveries: %s", counts)
    return counts


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
