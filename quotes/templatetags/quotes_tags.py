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


@register.inclusion_tag("quotes/_approvals_waiting.html", takes_context=True)
def approvals_waiting(context, limit: int = 10):
    """My day for a manager: the quotes waiting for their approval, oldest first."""
    from quotes.approval import reason_dicts

    user = context["request"].user
    if not user.has_perm("quotes.approve_quote"):
        return {"show": False}
    waiting = (
        selectors.quotes_awaiting_approval(user=user).exclude(owner=user).exclude(created_by=user)
    )
    quotes = list(waiting[:limit])
    for quote in quotes:
        quote.reason_items = reason_dicts(quote.approval_reasons)
    return {
        "show": True,
        "quotes": quotes,
        "count": waiting.count() if len(quotes) == limit else len(quotes),
    }


@register.inclusion_tag("quotes/_expiring_soon.html", takes_context=True)
def my_expiring_quotes(context, days: int = 7):
    user = context["request"].user
    return {"quotes": selectors.quotes_expiring_soon(user=user, days=days), "days": days}


# The figures an approver reads, in this order, with their labels (quotes.approval).
REASON_FIGURE_LABELS = (
    ("quantity_mt", "MT"),
    ("list_price_usd_per_mt", "list USD/MT"),
    ("net_price_usd_per_mt", "net USD/MT"),
    ("floor_usd_per_mt", "floor USD/MT"),
    ("margin_over_floor_usd_per_mt", "margin over floor USD/MT"),
    ("margin_over_floor_usd", "margin over floor USD"),
    ("discount_percent", "discount %"),
    ("discount_usd", "discount USD"),
    ("absorption_percent", "absorption % of list"),
    ("absorption_usd", "absorption USD"),
    ("concession_percent", "concession %"),
    ("threshold_percent", "threshold %"),
    ("ad_cvd_lines", "AD/CVD lines"),
    ("min_order_qty_mt", "minimum MT"),
    ("date", "dated"),
    ("age_days", "days old"),
    ("limit_days", "limit days"),
)


@register.filter
def reason_list(stored) -> list[dict]:
    """A quote's stored approval reasons as dicts (old plain-text ones too)."""
    from quotes.approval import reason_dicts

    return reason_dicts(stored)


@register.filter
def reason_figures(reason) -> list[tuple[str, str]]:
    """(label, value) pairs of a reason's figures that the approver reads."""
    figures = (reason or {}).get("figures") or {}
    return [(label, figures[key]) for key, label in REASON_FIGURE_LABELS if figures.get(key)]


@register.filter
def stale_warnings(stored) -> list[dict]:
    """The reasons that are also warnings (stale reference data)."""
    from quotes.approval import reason_dicts

    return [r for r in reason_dicts(stored) if r.get("warning")]
