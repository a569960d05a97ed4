"""``{% load clock %}{{ quote.sent_at|when }}`` → "2026-11-30 23:13 China Standard Time (UTC+8)"."""

from django import template

from mgtrade.accounts.clock import when as _when

register = template.Library()


@register.filter
def when(value) -> str:
    return _when(value)


@register.filter
def when_seconds(value) -> str:
    return _when(value, fmt="%Y-%m-%d %H:%M:%S")
