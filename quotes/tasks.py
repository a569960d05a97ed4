"""Celery tasks of the quotes app. Tasks take ids, call one service, and are idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def quotes_expire_due_task() -> int:
    """Daily (beat): expire sent quotes past their validity. Safe to run twice."""
    expired = services.quotes_expire_due()
    logger.info("Expired %d quotes", expired)
    return expired
