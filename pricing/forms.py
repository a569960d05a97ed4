"""The pricing forms (the price calculator's, reused by the quote builder) and the helpers
that bind them, edit their lines and price them.

The forms parse (types, choices); the rules are checked once, by ``pricing.inputs``, whose
errors ``pricing_forms_price`` puts on the forms' fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from mgtrade.web import IsoDateField
from products.customs import INCOTERMS

from .engine import PricingResult
from .inputs import PricingValidationError, pricing_preview

INCOTERM_CHOICES = [(t, t) for t in INCOTERMS]
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}

LINES_PREFIX = "lines"
# The terms fields, named as ``pricing.inputs.pricing_inputs_gather`` takes them.
TERMS = (
    "quote_date",
    "incoterm",
    "origin_port",
    "destination_port",
    "currency",
    "insurance_rate_percent",
    "tariff_absorption_percent",
)
LINE_FIELDS = ("product", "quantity_mt", "unit_price_usd_per_mt", "discount_percent")
MAX_LINES = 50

# pricing.inputs.pricing_choices(): ports, grades and currencies as (value, label) pairs
Choices = dict[str, list[tuple[str, str]]]


class PricingTermsForm(forms.Form):
    destination_port = forms.ChoiceField(label="Destination port")
    incoterm = forms.ChoiceField(choices=INCOTERM_CHOICES, initial="CIF", label="Incoterm")
    currency = forms.ChoiceField(label="Currency", initial="USD")
    origin_port = forms.ChoiceField(label="Origin port")
    quote_date = IsoDateField(label="Quote date", help_text="YYYY-MM-DD")
    insurance_rate_percent = forms.DecimalField(
        label="Insurance %", max_digits=9, decimal_places=4, widget=forms.TextInput(attrs=NUMBER)
    )
    tariff_absorption_percent = forms.DecimalField(
        label="Tariff absorption %",
        max_digits=7,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.TextInput(attrs=NUMBER),
        help_text="Share of the buyer's duties the seller absorbs (not under DDP).",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        blank = [("", "— choose —")]
        cast(forms.ChoiceField, self.fields["destination_port"]).choices = blank + choices["ports"]
        cast(forms.ChoiceField, self.fields["origin_port"]).choices = choices["ports"]
        cast(forms.ChoiceField, self.fields["currency"]).choices = choices["currencies"]
        self.fields["origin_port"].initial = settings.MGTRADE["DEFAULT_ORIGIN_PORT"]
        self.fields["quote_date"].initial = timezone.localdate
        self.fields["insurance_rate_percent"].initial = settings.MGTRADE[
            "DEFAULT_INSURANCE_RATE_PERCENT"
        ]


class PricingLineForm(forms.Form):
    product = forms.ChoiceField(label="Grade")
    quantity_mt = forms.DecimalField(
        label="Quantity (MT)", max_digits=12, decimal_places=3, widget=forms.TextInput(attrs=NUMBER)
    )
    unit_price_usd_per_mt = forms.DecimalField(
        label="Unit price (USD/MT FOB)",
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=NUMBER | {"placeholder": "list price"}),
    )
    discount_percent = forms.DecimalField(
        label="Discount %",
        max_digits=7,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs=NUMBER | {"placeholder": "0"}),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product"]).choices = [
            ("", "— grade —"),
            *choices["products"],
        ]
        for field in self.fields.values():  # shown in a table: the header is the label
            field.widget.attrs["aria-label"] = field.label


PricingLineFormSet = forms.formset_factory(
    PricingLineForm, extra=0, max_num=MAX_LINES, absolute_max=MAX_LINES
)


def pricing_data_edited(
    data: QueryDict, *, drop: int | None = None, add: bool = False
) -> QueryDict:
    """The posted terms and lines with line ``drop`` removed and/or a blank line added,
    renumbered (the Add line / Remove buttons, which work without JavaScript)."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", 0)), MAX_LINES)
    except ValueError:
        total = 0
    rows = [
        {name: data.get(f"{LINES_PREFIX}-{i}-{name}", "") for name in LINE_FIELDS}
        for i in range(total)
        if i != drop
    ]
    if add or not rows:
        rows.append(dict.fromkeys(LINE_FIELDS, ""))
    out = QueryDict(mutable=True)
    for name in TERMS:
        out[name] = data.get(name, "")
    out[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(len(rows))
    out[f"{LINES_PREFIX}-INITIAL_FORMS"] = "0"
    for i, row in enumerate(rows):
        for name, value in row.items():
            out[f"{LINES_PREFIX}-{i}-{name}"] = value
    return out


def pricing_data_carried(query: QueryDict) -> QueryDict | None:
    """The calculator's terms and lines carried in a URL to the quote builder ("Make a
    quote from this"): only the pricing fields, blank rows dropped, renumbered; ``None``
    when ``query`` carries no lines."""
    if f"{LINES_PREFIX}-TOTAL_FORMS" not in query:
        return None
    data = pricing_data_edited(query)
    total = int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0"))
    blank = [
        i
        for i in range(total)
        if not any(data.get(f"{LINES_PREFIX}-{i}-{name}", "").strip() for name in LINE_FIELDS)
    ]
    for drop in reversed(blank if len(blank) < total else blank[1:]):  # keep one row
        data = pricing_data_edited(data, drop=drop)
    return data


def pricing_data_from_post(post: QueryDict) -> QueryDict:
    """``pricing_data_edited`` as the posted Add line / Remove buttons ask."""
    drop = post.get("remove_line")
    return pricing_data_edited(
        post, drop=int(drop) if drop and drop.isdigit() else None, add="add_line" in post
    )


def pricing_forms_bind(
    data: QueryDict | None, choices: Choices
) -> tuple[PricingTermsForm, forms.BaseFormSet]:
    """The terms form and the lines formset, bound to ``data`` (unbound when ``None``)."""
    terms = PricingTermsForm(data, choices=choices)
    lines = PricingLineFormSet(data, prefix=LINES_PREFIX, form_kwargs={"choices": choices})
    return terms, lines


def pricing_forms_blank(
    choices: Choices,
    *,
    terms_initial: dict[str, Any] | None = None,
    lines_initial: list[dict[str, Any]] | None = None,
) -> tuple[PricingTermsForm, forms.BaseFormSet]:
    """Unbound forms: the terms (``terms_initial`` over the settings' defaults) and the lines
    (one blank line unless ``lines_initial`` gives them)."""
    terms = PricingTermsForm(choices=choices, initial=terms_initial or {})
    lines = PricingLineFormSet(
        prefix=LINES_PREFIX, form_kwargs={"choices": choices}, initial=lines_initial or [{}]
    )
    return terms, lines


def pricing_lines_filled(lines: forms.BaseFormSet) -> list[forms.Form]:
    """The line forms that hold something (blank rows are ignored)."""
    return [form for form in lines.forms if form.has_changed()]


def pricing_forms_price(terms: PricingTermsForm, lines: forms.BaseFormSet) -> PricingResult | None:
    """Price the bound forms (``pricing.inputs.pricing_preview``). Every error, the forms'
    own and the pricing input's, lands on its field; returns the result or ``None``."""
    terms_ok = terms.is_valid()
    lines_ok = lines.is_valid()
    filled = pricing_lines_filled(lines)
    if not filled:
        terms.add_error(None, "Add at least one line: a grade and a quantity.")
        return None
    if not (terms_ok and lines_ok):
        return None
    request = {name: terms.cleaned_data[name] for name in TERMS}
    request["lines"] = [form.cleaned_data for form in filled]
    try:
        return pricing_preview(**request)
    except PricingValidationError as exc:
        _errors_on_fields(exc, terms, filled)
        return None


def _errors_on_fields(
    exc: PricingValidationError, terms: PricingTermsForm, filled: list[forms.Form]
) -> None:
    for name, messages in exc.nested.items():
        if name == "lines" and messages and isinstance(messages[0], dict):
            for form, line_errors in zip(filled, messages, strict=True):
                for field, field_messages in line_errors.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, message)
        else:
            for message in messages:
                terms.add_error(name if name in terms.fields else None, message)
