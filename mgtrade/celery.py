"""The Celery app, configured from Django settings under the ``CELERY_`` namespace."""

import logging
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_ready

from mgtrade.startup import require_settings_module

require_settings_module()

app = Celery("mgtrade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def broker_folders_create(sender: Celery, **kwargs: Any) -> None:
    """Create the filesystem broker's folders (the embedded run without Redis) and the beat
        schedule's folder the first time the app is configured, in the web process before it
        queues a task as in the worker; kombu's transport expects them to exist. With Redis
    (production) nothing is created: beat gets its schedule file on its command line."""
    if not str(sender.conf.broker_url).startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    Path(sender.conf.beat_schedule_filename).parent.mkdir(parents=True, exist_ok=True)


@worker_ready.connect
def relay_on_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that starts (after an outage, a deploy) asks for the outbox relay at once
    instead of at beat's next minute: renders and e-mails whose publish failed go out."""
    try:
        app.send_task("quotes.tasks.deliveries_relay_task")
    except Exception:  # the broker is gone again: beat's next run does it
        logging.getLogger(__name__).warning("Could not queue the relay at worker start")
