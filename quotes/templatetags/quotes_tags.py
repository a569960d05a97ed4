"""Quote panels for other apps' pages (the customer page, My day), so those apps need not
import quotes: each tag reads through a quotes selector."""

from django import template

from quotes import selectors

register = template.Library()


@register.inclusion_tag("quotes/_customer_quotes.html", takes_context=True)
def customer_quotes(context, customer, limit: int = 20):
    user = context["request"].user
    return {
        "customer": customer,
        "quotes": selectors.quotes_for_customer(user=user, customer=customer, limit=limit),
        "perms": context.get("perms"),
    }


@register.inclusion_tag("quotes/_expiring_soon.html", takes_context=True)
def my_expiring_quotes(context, days: int = 7):
    user = context["request"].user
    return {"quotes": selectors.quotes_expiring_soon(user=user, days=days), "days": days}
