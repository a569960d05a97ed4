"""E-mails as rows: the templates they are written from, and notices queued to a person.

Every e-mail is a ``QuoteEmail`` row written from ``templates/emails/<name>-subject.txt``,
``-body.txt`` and ``-body.html``; the subject is rendered when the row is queued, the body
when it is sent (``quotes.sending.services.email_send``). Any service may notify a person
about a quote with ``notify_user``: an in-app notification and, with an e-mail kind, a
notice e-mail queued after the commit. This module imports no service, so every service
(quote approval, the buyer's link, tariff watch, sending) may use it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from mgtrade.accounts.models import User
from mgtrade.i18n import ENGLISH
from quotes.models import Notification, Quote, QuoteEmail
from quotes.public.links import site_url

from . import enqueue


def email_subject(name: str, context: dict) -> str:
    """``templates/emails/<name>-subject.txt`` on one line, at most 250 characters."""
    return " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())[:250]


QUOTE_MESSAGE_MAX_CHARS = 5000


def quote_message_default(
    *, contact_name: str, number: str, version: int, buyer_name: str, buyer_reference: str = ""
) -> str:
    """The quote e-mail's message as ``templates/emails/quote-message.txt`` writes it in the
    active language: what the Send dialog offers, editable for one send (the figures, the
    link and the signature around it are not). A revised version (v2, …) says it replaces
    the earlier one; a first version thanks for the enquiry only when the buyer's reference
    tells there was one."""
    context = {
        "contact_name": contact_name,
        "number": number,
        "version": version,
        "revised": int(version) > 1,
        "buyer_name": buyer_name,
        "buyer_reference": buyer_reference,
    }
    return render_to_string("emails/quote-message.txt", context).strip()


def email_bodies(name: str, context: dict) -> tuple[str, str]:
    """Text and HTML of ``templates/emails/<name>-body.txt|html``."""
    return (
        render_to_string(f"emails/{name}-body.txt", context),
        render_to_string(f"emails/{name}-body.html", context),
    )


def emails_queue_on_commit(emails: Iterable[QuoteEmail]) -> None:
    """Queue saved e-mail rows once the current transaction commits."""
    rows = list(emails)
    transaction.on_commit(lambda: [enqueue.email(row) for row in rows])


def notify_rep(*, quote: Quote, text: str, email_kind: str | None = None, context=None) -> None:
    """An in-app notification for the quote's owner and, with ``email_kind``, an e-mail
    queued as its own row (sent on commit). Call inside the transaction of the change."""
    notify_user(user=quote.owner, quote=quote, text=text, email_kind=email_kind, context=context)


def notify_user(
    *, user: User, quote: Quote, text: str, email_kind: str | None = None, context=None
) -> None:
    """An in-app notification for ``user`` about ``quote`` and, with ``email_kind`` and an
    address, an e-mail queued as its own row (sent on commit, ``emails/quote-<kind>-*``).
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
    with translation.override(ENGLISH):  # notices to the team: the app's language
        subject = email_subject(f"quote-{email_kind}", ctx)
    email = QuoteEmail.objects.create(
        quote=quote,
        kind=email_kind,
        subject=subject,
        to=[user.email],
        context=ctx,
        language=ENGLISH,
    )
    emails_queue_on_commit([email])
