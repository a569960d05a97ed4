from django import template

from orders import selectors

register = template.Library()


@register.inclusion_tag("orders/_due.html", takes_context=True)
def orders_due(context):
    """What is due on contracts for the home page (My day): a rep's own, a manager's all."""
    user = context["request"].user
    return {"due": selectors.orders_due(user=user), "is_manager": user.is_manager}
