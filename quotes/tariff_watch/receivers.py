"""Connects ``products.signals.tariff_rules_changed`` to the change events (thin)."""

from django.dispatch import receiver

from products.signals import tariff_rules_changed

from . import services


@receiver(tariff_rules_changed, dispatch_uid="tariff_watch_raise")
def on_tariff_rules_changed(sender, *, kind, effective_on, added, removed, by, **kwargs):
    services.tariff_change_raise(
        kind=kind, effective_on=effective_on, added=added, removed=removed, by=by
    )
