from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders (contracts, proformas, payments, L/Cs)"

    def ready(self) -> None:
        # An accepted quote becomes a draft contract (quotes sends the signal, never
        # importing orders).
        from . import (
            receivers,  # noqa: F401
            tasks,  # noqa: F401  (registered by name before anything is queued)
        )
