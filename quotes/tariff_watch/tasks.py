"""Tariff watch tasks: ids in, one service each, idempotent."""

import logging

from celery import shared_task
from django.db import OperationalError

from . import scenarios, services

logger = logging.getLogger(__name__)


@shared_task(
    name="quotes.tariff_watch.tasks.tariff_change_impact_task",
    bind=True,
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
    max_retries=5,
)
def tariff_change_impact_task(self, event_id: int) -> int | None:
    """Compute a tariff change's impact on every open quote (progress on the event row)."""
    try:
        event = services.tariff_change_impact_compute(event_id=event_id)
    except OperationalError as exc:  # a locked or restarting database: try again later
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries), exc=exc) from exc
    return None if event is None else event.affected_count


@shared_task(
    name="quotes.tariff_watch.tasks.tariff_scenario_run_task",
    bind=True,
    acks_late=True,
    soft_time_limit=900,
    time_limit=960,
    max_retries=5,
)
def tariff_scenario_run_task(self, scenario_id: int) -> int | None:
    """Re-price open and last year's accepted quotes under a scenario's rules."""
    try:
        scenario = scenarios.scenario_run(scenario_id=scenario_id)
    except OperationalError as exc:
        raise self.retry(countdown=min(600, 30 * 2**self.request.retries), exc=exc) from exc
    return None if scenario is None else scenario.result.get("affected_count")


@shared_task(
    name="quotes.tariff_watch.tasks.tariff_changes_look_ahead_task",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
)
def tariff_changes_look_ahead_task() -> int:
    """Daily (beat): raise the change events of rules starting or ending soon."""
    raised = services.tariff_changes_look_ahead()
    logger.info("Raised %d tariff change events", len(raised))
    return len(raised)
