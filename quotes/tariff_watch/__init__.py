"""Tariff watch (docs/tariff-watch.md): what a tariff rule change does to every
open quote (change events, their impact, the quote page banner), the tariff calendar and
what-if scenarios. The rules themselves (versions, verification, CSV) live in ``products``.
"""
