"""Connects ``quotes.signals.quote_accepted`` to the sales contract (thin)."""

from django.dispatch import receiver

from quotes.signals import quote_accepted

from . import services


@receiver(quote_accepted, dispatch_uid="orders_contract_from_accepted_quote")
def on_quote_accepted(sender, *, quote, by, po_number, **kwargs):
    services.contract_create_from_quote(quote=quote, by=by, po_number=po_number)
