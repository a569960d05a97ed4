"""Signals quotes send, so the apps built on quotes can react without ``quotes`` importing
them (``orders`` imports ``quotes``, never the other way round).

``quote_accepted`` is sent by ``quotes.services.quote_accept`` inside the transaction that
accepts the quote, so what a receiver writes commits or rolls back with the acceptance:

- ``quote``: the accepted version (locked);
- ``by``: the rep who recorded the acceptance, or ``None`` when the buyer accepted online;
- ``po_number``: the buyer's purchase-order number ("" when none was given).
"""

from django.dispatch import Signal

quote_accepted = Signal()
