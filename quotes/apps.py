from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = "Quotes and pricing"

    def ready(self) -> None:
        # Register the tasks in the Celery app under their pinned names: the services queue
        # them by name (quotes.sending.enqueue, tariff watch), never by importing them.
        from . import tasks  # noqa: F401
        from .tariff_watch import receivers  # noqa: F401
        from .tariff_watch import tasks as tariff_watch_tasks  # noqa: F401
