"""Celery tasks of the quotes app. Tasks take ids, call one service, and are idempotent."""

import logging

from celery import current_app, shared_task
from celery.signals import worker_process_init

from . import services
from .documents.pdf import warm_up
from .sending import enqueue
from .sending import services as sending
from .sending.services import TransientDeliveryError

logger = logging.getLogger(__name__)


@shared_task(
    name="quotes.tasks.quotes_expire_due_task",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def quotes_expire_due_task() -> int:
    """Daily (beat): expire sent quotes past their validity. Safe to run twice."""
    expired = services.quotes_expire_due()
    logger.info("Expired %d quotes", expired)
    return expired


# ------------------------------------------------------------------ sending
# Time limits far below the broker's visibility timeout (3600 s) and below the stale-claim
# timeout (MGTRADE["DELIVERY_STALE_SECONDS"], 600 s), so a claim older than that is dead.
# The delivery row counts attempts (it survives redeliveries and manual retries), so the
# service decides when to give up; max_retries is only a backstop.


def _retrying(task, step):
    try:
        return step()
    except TransientDeliveryError as exc:
        if task.request.is_eager:
            # Eager (tests, CELERY_TASK_ALWAYS_EAGER): apply() re-runs a returned Retry.
            return task.retry(countdown=exc.countdown, exc=exc, throw=False)
        raise task.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(
    name="quotes.tasks.quote_render_pdf_task",
    bind=True,
    acks_late=True,
    soft_time_limit=90,
    time_limit=120,
    max_retries=10,
)
def quote_render_pdf_task(self, delivery_id: int, language: str | None = None) -> str:
    """Render and store a sent quote's PDF in ``language``, then queue its email in the same
    language. ``language`` is always given since languages exist; ``None`` (a message queued
    before) renders in the row's."""
    outcome = _retrying(
        self, lambda: sending.delivery_render(delivery_id=delivery_id, language=language)
    )
    if outcome == sending.RENDERED:
        # Through enqueue: if the broker is gone now, the relay sends the e-mail step later.
        enqueue.quote_email(delivery_id, language)
    return outcome


@shared_task(
    name="quotes.tasks.quote_email_task",
    bind=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=10,
)
def quote_email_task(self, delivery_id: int, language: str | None = None) -> str:
    """Email a rendered quote PDF to the buyer, once, written in ``language`` (``None``: the
    e-mail row's, for a message queued before languages existed)."""
    return _retrying(
        self, lambda: sending.delivery_email(delivery_id=delivery_id, language=language)
    )


@shared_task(
    name="quotes.tasks.quote_notice_email_task",
    bind=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=10,
)
def quote_notice_email_task(self, email_id: int, language: str | None = None) -> str:
    """Email a notice (buyer accepted or declined) to the rep, or an e-mail without
    attachment to the buyer (the confirmation), once, in ``language`` (``None``: the row's)."""
    return _retrying(self, lambda: sending.email_send(email_id=email_id, language=language))


@shared_task(
    name="quotes.tasks.deliveries_recover_stale_task",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliveries_recover_stale_task() -> dict:
    """Every minute (beat): stale claims and lost task messages, put back on track."""
    return sending.deliveries_recover_stale()


@shared_task(
    name="quotes.tasks.deliveries_relay_task",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliveries_relay_task() -> dict:
    """Every minute (beat): publish again renders and e-mails that never started (their
    publish failed while the broker was down, or the message was lost)."""
    return sending.deliveries_relay()


@worker_process_init.connect
def pdf_renderer_warm_up(**kwargs) -> None:
    """Each child of a worker that reads the render queue (or every queue, as ``make run``'s)
    renders a one-page PDF as it starts, so the first PDF of a burst is not a cold one."""
    selected = current_app.amqp.queues.consume_from  # the -Q selection; empty: every queue
    if selected and "render" not in selected:
        return
    try:
        logger.info("PDF renderer warmed up in %.2f s", warm_up())
    except Exception:  # never keep a worker child from starting
        logger.exception("PDF renderer warm-up failed")
