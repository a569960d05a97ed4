"""The Monday digest: beat runs ``weekly_digests_task``; one ``weekly_digest_send_task`` per
user and week, each idempotent (``reports.services.digest_send``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services
from .refresh import report_lines_refresh


@shared_task(
    name="reports.tasks.weekly_digests_task", acks_late=True, soft_time_limit=120, time_limit=180
)
def weekly_digests_task() -> int:
    """Make this week's digest rows and queue each one's sending. Safe to run twice."""
    report_lines_refresh()  # the digest's figures as of now
    ids = services.digests_queue(week=timezone.localdate())
    for digest_id in ids:
        weekly_digest_send_task.delay(digest_id)
    return len(ids)


@shared_task(
    name="reports.tasks.weekly_digest_send_task",
    bind=True,
    acks_late=True,
    soft_time_limit=150,
    time_limit=180,
    max_retries=services.MAX_ATTEMPTS,
)
def weekly_digest_send_task(self, digest_id: int) -> str:
    try:
        return services.digest_send(digest_id=digest_id)
    except services.TransientDigestError as exc:
        if self.request.is_eager:
            return "retrying"
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(
    name="reports.tasks.report_lines_refresh_task",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def report_lines_refresh_task() -> int:
    """Every ten minutes (beat): rebuild the reports' flat table. Safe to run twice."""
    return report_lines_refresh()
