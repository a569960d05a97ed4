"""Filters for the buyer's documents (``{% load documents %}``): the groupings of
``quotes.documents.presentation``, applied when the PDF is rendered."""

from django import template

from quotes.documents import presentation

register = template.Library()

register.filter("duty_groups", presentation.duty_groups)
register.filter("spec_tables", presentation.spec_tables)
register.filter("packing_groups", presentation.packing_groups)
