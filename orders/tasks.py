"""Celery tasks of the orders app. Tasks take ids, call one service, and are idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    name="orders.tasks.proformas_flag_overdue_task",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def proformas_flag_overdue_task() -> int:
    """Daily (beat): flag proformas past due and unpaid for My day. Safe to run twice."""
    overdue = services.proformas_flag_overdue()
    logger.info("%d proformas overdue", overdue)
    return overdue


@shared_task(
    name="orders.tasks.export_document_render_task",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def export_document_render_task(document_id: int, language: str | None = None) -> str:
    """Render and store an issued export document's PDF, once (idempotent), in
    ``language`` (the buyer's, passed by whoever queued it: never the worker's ambient
    language; ``None`` from a message queued before languages existed: the document's)."""
    from .export_documents import export_document_render

    return export_document_render(document_id=document_id, language=language)
