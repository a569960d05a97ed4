from django import template

from products import selectors

register = template.Library()


@register.inclusion_tag("products/tariffs/_stale.html", takes_context=True)
def tariff_rules_to_verify(context):
    """The admin's home-page list of stale tariff rules with one-click "verified today"."""
    return {
        "rules": list(selectors.tariff_rules_stale()),
        "verify_days": selectors.tariff_verify_days(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
