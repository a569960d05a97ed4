"""The Celery app, configured from Django settings under the ``CELERY_`` namespace."""

from pathlib import Path
from typing import Any

from celery import Celery

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
