"""Reads for sending: a quote's delivery and email log, a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from mgtrade.accounts.models import User
from quotes.models import Notification, Quote, QuoteDelivery, QuoteEmail


def delivery_for_quote(*, quote: Quote) -> QuoteDelivery | None:
    return QuoteDelivery.objects.filter(quote=quote).first()


def quote_email_log(*, quote: Quote) -> QuerySet[QuoteEmail]:
    """Every email sent (or being sent) about this quote, newest first."""
    return QuoteEmail.objects.filter(quote=quote).order_by("-created_at", "-id")


def notifications_for(*, user: User, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user)
        .select_related("quote")
        .order_by("-created_at", "-id")[:limit]
    )


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
