"""Signals the reference data sends, so other apps can react without ``products`` importing
them (``products`` never imports ``quotes`` or ``pricing``).

``tariff_rules_changed`` is sent by ``products.services`` after a tariff rule was added,
replaced by a new version, or given an end date, inside the transaction that wrote it:

- ``kind``: ``"added"``, ``"changed"`` or ``"ended"``;
- ``effective_on``: the first day the new situation applies (a new rule's valid-from, a
  new version's valid-from, the day after an ended rule's last day);
- ``added``: the rules now in force from ``effective_on`` (a list, maybe empty);
- ``removed``: the rules no longer in force from ``effective_on`` (a list, maybe empty);
- ``by``: the user who made the change, or ``None`` (the daily look-ahead).
"""

from django.dispatch import Signal

tariff_rules_changed = Signal()
