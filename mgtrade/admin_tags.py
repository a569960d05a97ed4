"""Template filters for the Django admin's template overrides (``{% load admin_a11y %}``;
docs/accessibility.md, "The admin and the API docs").

Django's tabular inlines label their inputs only by a column header, which assistive
technology does not tie to an input in a table of forms (axe: ``label``, ``select-name``):
``labelled`` renders the input with an ``aria-label`` naming its column and row.
"""

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def labelled(bound: forms.BoundField, row: int | str) -> SafeString | forms.BoundField:
    """``{{ field.field|labelled:2 }}``: the input with ``aria-label="Element, row 2"``
    (``""``: the blank row Django copies for "Add another": "new row")."""
    if not isinstance(bound, forms.BoundField) or bound.is_hidden:
        return bound
    where = f"row {row}" if row else "new row"
    return bound.as_widget(attrs={"aria-label": f"{bound.label}, {where}"})
