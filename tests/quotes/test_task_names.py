"""Celery task names are part of the wire format: the beat schedule and messages already in
the broker name tasks by string, so moving a module must not rename its tasks."""

from django.conf import settings

from mgtrade.celery import app
from quotes import tasks

PINNED = {
    "quotes.tasks.quotes_expire_due_task": tasks.quotes_expire_due_task,
    "quotes.tasks.quote_render_pdf_task": tasks.quote_render_pdf_task,
    "quotes.tasks.quote_email_task": tasks.quote_email_task,
    "quotes.tasks.quote_notice_email_task": tasks.quote_notice_email_task,
    "quotes.tasks.deliveries_recover_stale_task": tasks.deliveries_recover_stale_task,
}


def test_tasks_keep_the_names_they_were_registered_under():
    for name, task in PINNED.items():
        assert task.name == name
        assert app.tasks[name] == task._get_current_object()


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
