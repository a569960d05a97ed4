from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers (CRM)"

    def ready(self) -> None:
        # Register the tasks in the Celery app under their pinned names: the services queue
        # them by name, never by importing this module.
        from . import tasks  # noqa: F401
