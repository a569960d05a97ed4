"""Celery tasks of the CRM. Tasks take ids, call one service, and are idempotent."""

from celery import shared_task

from . import services


@shared_task(
    name="customers.tasks.customer_import_run_task",
    acks_late=True,
    soft_time_limit=1500,
    time_limit=1800,
)
def customer_import_run_task(import_id: int) -> str:
    """Create the pending rows of a confirmed CSV import (a redelivery skips done rows)."""
    job = services.customer_import_run(import_id=import_id)
    return job.status if job else "gone"


@shared_task(
    name="customers.tasks.customer_imports_resume_task",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
)
def customer_imports_resume_task() -> int:
    """Every minute (beat): queue again imports that never started or whose worker died."""
    return len(services.customer_imports_resume())
