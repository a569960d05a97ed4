"""Reads for sending: where a quote's delivery stands, its e-mail log, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from mgtrade.accounts.models import User
from quotes.models import (
    DELIVERY_FINAL_STATUSES,
    DeliveryStatus,
    EmailStatus,
    Notification,
    Quote,
    QuoteDelivery,
    QuoteEmail,
    RenderStatus,
)

from . import enqueue

_FROM_RENDER = {
    RenderStatus.QUEUED: DeliveryStatus.QUEUED,
    RenderStatus.RENDERING: DeliveryStatus.RENDERING,
    RenderStatus.RETRYING: DeliveryStatus.RETRYING,
    RenderStatus.FAILED: DeliveryStatus.FAILED,
}
_FROM_EMAIL = {
    EmailStatus.QUEUED: DeliveryStatus.QUEUED,
    EmailStatus.IN_FLIGHT: DeliveryStatus.SENDING,
    EmailStatus.SENT: DeliveryStatus.SENT,
    EmailStatus.RETRYING: DeliveryStatus.RETRYING,
    EmailStatus.FAILED: DeliveryStatus.FAILED,
    EmailStatus.NEEDS_DECISION: DeliveryStatus.NEEDS_DECISION,
}


@dataclass(frozen=True)
class DeliveryState:
    """A sent quote's delivery as the rep's page and the API show it: the PDF step until
    the PDF is stored, then the step of its e-mail to the buyer (the newest one)."""

    delivery: QuoteDelivery
    email: QuoteEmail | None

    @property
    def status(self) -> str:
        if not self.delivery.is_rendered or self.email is None:
            return _FROM_RENDER.get(self.delivery.render_status, DeliveryStatus.QUEUED)
        return _FROM_EMAIL[self.email.status]

    @property
    def status_label(self) -> str:
        return DeliveryStatus(self.status).label

    @property
    def is_final(self) -> bool:
        return self.status in DELIVERY_FINAL_STATUSES

    @property
    def _step(self):
        """The row of the current step: attempts, error and next attempt come from it."""
        return self.email if self.delivery.is_rendered and self.email else self.delivery

    @property
    def attempts(self) -> int:
        return self._step.attempts

    @property
    def last_error(self) -> str:
        return self._step.last_error

    @property
    def waiting_for_broker(self) -> bool:
        """Queued, but its task could not be published (the broker was down): the relay
        publishes it when the broker is back."""
        return self.status == DeliveryStatus.QUEUED and self.last_error == enqueue.OUTAGE_NOTE

    @property
    def next_attempt_at(self) -> datetime | None:
        return self._step.next_attempt_at

    @property
    def to(self) -> list[str]:
        return self.email.to if self.email else []

    @property
    def cc(self) -> list[str]:
        return self.email.cc if self.email else []

    @property
    def subject(self) -> str:
        return self.email.subject if self.email else ""

    @property
    def message_id(self) -> str:
        return self.email.message_id if self.email else ""

    @property
    def sent_at(self) -> datetime | None:
        return self.email.sent_at if self.email else None

    @property
    def updated_at(self) -> datetime:
        rows = [self.delivery, self.email] if self.email else [self.delivery]
        return max(row.updated_at for row in rows)


def delivery_for_quote(*, quote: Quote) -> QuoteDelivery | None:
    return QuoteDelivery.objects.filter(quote=quote).first()


def delivery_state(*, delivery: QuoteDelivery) -> DeliveryState:
    """The delivery with its current e-mail to the buyer (1 query): the quote's, or the
    other document's it carries."""
    email = QuoteEmail.objects.filter(delivery=delivery).order_by("-id").first()
    return DeliveryState(delivery, email)


def delivery_state_for_quote(*, quote: Quote) -> DeliveryState | None:
    """Where the quote's delivery stands; ``None`` if it was never sent from the app
    (2 queries)."""
    delivery = delivery_for_quote(quote=quote)
    return delivery_state(delivery=delivery) if delivery is not None else None


def quote_email_log(*, quote: Quote) -> QuerySet[QuoteEmail]:
    """Every e-mail sent (or being sent) about this quote, newest first."""
    return QuoteEmail.objects.filter(quote=quote).order_by("-created_at", "-id")


def notifications_for(*, user: User, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user)
        .select_related("quote")
        .order_by("-created_at", "-id")[:limit]
    )


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
