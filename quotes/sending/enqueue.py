"""Queue the sending tasks by the names ``quotes/tasks.py`` pins; survive a broker outage.

The services queue their next step through here instead of importing ``quotes.tasks``
(which imports the services): a task is looked up in the Celery app's registry by its
name. ``QuotesConfig.ready`` imports ``quotes.tasks``, so every process (web, worker,
shell) has the tasks registered before anything is queued.

The rows are the outbox: a delivery or e-mail is committed as ``queued`` before its task
is published (``transaction.on_commit``). If the broker cannot be reached then, the
failure is logged and swallowed, the row keeps ``OUTAGE_NOTE`` as its ``last_error`` (the
page and the API show it) and the relay (``services.deliveries_relay``, every minute)
publishes it again; the user's request answers normally. Callers that want to tell the
user wrap their call in :func:`watch`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from celery import current_app
from kombu.exceptions import OperationalError

from quotes.models import QuoteDelivery, QuoteEmail

logger = logging.getLogger(__name__)

RENDER_PDF = "quotes.tasks.quote_render_pdf_task"
EMAIL_QUOTE = "quotes.tasks.quote_email_task"
EMAIL_NOTICE = "quotes.tasks.quote_notice_email_task"

# What the rep (page, API ``last_error``) reads on a row whose task could not be published.
OUTAGE_NOTE = "Queued; it will go out when the sending service is back."
# "The broker is unreachable": kombu raises OperationalError for a refused, reset or
# timed-out connection once Celery's publish retries (CELERY_TASK_PUBLISH_RETRY_POLICY) are
# used up. Nothing broader: an eager task's own error (tests) must still propagate.
BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError,)


@dataclass
class Watch:
    """The publishes that failed while the ``watch()`` block ran (task name, args)."""

    failed: list[tuple[str, tuple[int | str, ...]]] = field(default_factory=list)

    @property
    def broker_down(self) -> bool:
        return bool(self.failed)


_watch: ContextVar[Watch | None] = ContextVar("quotes_sending_enqueue_watch", default=None)


@contextmanager
def watch() -> Iterator[Watch]:
    """Collect the publish failures of the code inside (its ``on_commit`` callbacks run
    there when it commits), so a view can say "queued; it will go out when … back"."""
    current = Watch()
    token = _watch.set(current)
    try:
        yield current
    finally:
        _watch.reset(token)


def queue_task(task_name: str, *args: int | str) -> bool:
    """Queue ``task_name(*args)``; ``False`` if the broker could not be reached (logged; the
    row stays queued for the relay). Services call it from ``transaction.on_commit`` (so
    the worker never looks for a row that is not committed yet) or outside any
    transaction."""
    try:
        current_app.tasks[task_name].delay(*args)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not queue %s%s (broker unreachable: %s); the relay will queue it again",
            task_name,
            args,
            exc,
        )
        current = _watch.get()
        if current is not None:
            current.failed.append((task_name, args))
        return False
    return True


def _mark_waiting(model, pk: int, status_field: str) -> None:
    """Note on a never-started row that its task is waiting for the broker (the update
    leaves ``updated_at`` alone: the relay's clock keeps running)."""
    model.objects.filter(pk=pk, **{status_field: "queued"}, attempts=0).update(
        last_error=OUTAGE_NOTE
    )


def _delivery_language(delivery_id: int) -> str:
    row = QuoteDelivery.objects.filter(pk=delivery_id).values_list("language", flat=True)
    return row.first() or "en"


def render_pdf(delivery_id: int, language: str | None = None) -> bool:
    """Queue the render of a delivery in ``language`` (the row's ``language``: callers pass
    it; ``None`` reads it), so the worker never renders in its own ambient language."""
    if queue_task(RENDER_PDF, delivery_id, language or _delivery_language(delivery_id)):
        return True
    _mark_waiting(QuoteDelivery, delivery_id, "render_status")
    return False


def quote_email(delivery_id: int, language: str | None = None) -> bool:
    """Queue the e-mail step of a rendered delivery in its language (the render task's)."""
    return queue_task(EMAIL_QUOTE, delivery_id, language or _delivery_language(delivery_id))


def email(row) -> bool:
    """Queue one ``QuoteEmail``: a quote e-mail by its delivery (the task sends the
    delivery's current e-mail), any other by its own id; both end in ``email_send``, in the
    row's ``language`` (a task argument: the worker never uses its ambient language)."""
    if row.delivery_id is not None:
        queued = queue_task(EMAIL_QUOTE, row.delivery_id, row.language)
    else:
        queued = queue_task(EMAIL_NOTICE, row.pk, row.language)
    if not queued:
        _mark_waiting(QuoteEmail, row.pk, "status")
    return queued
