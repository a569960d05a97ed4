"""Queue the sending tasks by the names ``quotes/tasks.py`` pins.

The services queue their next step through here instead of importing ``quotes.tasks``
(which imports the services): a task is looked up in the Celery app's registry by its
name. ``QuotesConfig.ready`` imports ``quotes.tasks``, so every process (web, worker,
shell) has the tasks registered before anything is queued.
"""

from __future__ import annotations

from celery import current_app

RENDER_PDF = "quotes.tasks.quote_render_pdf_task"
EMAIL_QUOTE = "quotes.tasks.quote_email_task"
EMAIL_NOTICE = "quotes.tasks.quote_notice_email_task"


def queue_task(task_name: str, *args: int) -> None:
    """Queue ``task_name(*args)``. Services call it from ``transaction.on_commit`` (so the
    worker never looks for a row that is not committed yet) or outside any transaction."""
    current_app.tasks[task_name].delay(*args)


def render_pdf(delivery_id: int) -> None:
    queue_task(RENDER_PDF, delivery_id)


def email(row) -> None:
    """Queue one ``QuoteEmail``: a quote e-mail by its delivery (the task sends the
    delivery's current e-mail), any other by its own id; both end in ``email_send``."""
    if row.delivery_id is not None:
        queue_task(EMAIL_QUOTE, row.delivery_id)
    else:
        queue_task(EMAIL_NOTICE, row.pk)
