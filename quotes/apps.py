from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = "Quotes and pricing"

    def ready(self) -> None:
        # Register the tasks in the Celery app under their pinned names:
        # quotes.sending.enqueue queues them by name, never by importing this module.
        from . import tasks  # noqa: F401
        from .tariff_watch import receivers  # noqa: F401
