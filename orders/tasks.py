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
