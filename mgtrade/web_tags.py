"""Template tags shared by every page (``{% load web %}``; docs/accessibility.md).

``{% error_summary form other_form formset %}`` lists every error of the given forms and
formsets at the top of a page that came back from a failed submit, each linked to its field;
``static/js/app.js`` moves focus to it when the page loads.
"""

from dataclasses import dataclass

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    message: str
    label: str = ""
    target: str = ""  # the id of the field to jump to ("" for a form-wide error)


def _form_errors(form: forms.BaseForm, row: str = "") -> list[SummaryError]:
    errors = [SummaryError(message=str(m), label=row) for m in form.non_field_errors()]
    for name, messages in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        label = f"{row} · {bound.label}" if row else str(bound.label)
        # Checkbox and radio lists have no one control to label: their group's id instead.
        target = (bound.id_for_label or bound.auto_id or "") if not bound.is_hidden else ""
        errors.extend(SummaryError(message=str(m), label=label, target=target) for m in messages)
    return errors


def summary_errors(*forms_or_formsets) -> list[SummaryError]:
    """Every error of the given bound forms and formsets, in page order."""
    errors: list[SummaryError] = []
    for item in forms_or_formsets:
        if item is None or not getattr(item, "is_bound", False):
            continue
        if isinstance(item, forms.BaseFormSet):
            errors.extend(SummaryError(message=str(m)) for m in item.non_form_errors())
            row_label = getattr(item, "error_row_label", "Line")
            for index, form in enumerate(item.forms, start=1):
                errors.extend(_form_errors(form, f"{row_label} {index}"))
        else:
            errors.extend(_form_errors(item))
    return errors


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_or_formsets):
    return {"errors": summary_errors(*forms_or_formsets)}
