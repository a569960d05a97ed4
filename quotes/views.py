from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors
from .forms import PricingLineFormSet, PricingTermsForm
from .pricing import total_composition

LINES_PREFIX = "lines"
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


def _rows(data: QueryDict, drop: int | None = None, add: bool = False) -> QueryDict:
    """The posted data with line ``drop`` removed and/or a blank line added, renumbered."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", 0)), 50)
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


def _forms(data, choices):
    terms = PricingTermsForm(data, choices=choices)
    lines = PricingLineFormSet(data, prefix=LINES_PREFIX, form_kwargs={"choices": choices})
    return terms, lines


def _price(terms, lines):
    """Run the preview; errors land on the forms' fields. Returns the result or None."""
    terms_ok = terms.is_valid()
    lines_ok = lines.is_valid()
    filled = [form for form in lines.forms if form.has_changed()]
    if not filled:
        terms.add_error(None, "Add at least one line: a grade and a quantity.")
        return None
    if not (terms_ok and lines_ok):
        return None
    request = {name: terms.cleaned_data[name] for name in TERMS}
    request["lines"] = [form.cleaned_data for form in filled]
    try:
        return selectors.pricing_preview(**request)
    except selectors.PricingValidationError as exc:
        for name, messages in exc.nested.items():
            if name == "lines" and messages and isinstance(messages[0], dict):
                for form, line_errors in zip(filled, messages, strict=True):
                    for field, field_messages in line_errors.items():
                        for message in field_messages:
                            form.add_error(field if field in form.fields else None, message)
            else:
                for message in messages:
                    terms.add_error(name if name in terms.fields else None, message)
        return None


# component, label, whether the buyer's landed cost includes it
COMPONENT_LABELS = (
    ("goods_value", "Goods value (FOB)", True),
    ("origin_deduction", "Origin deduction (EXW)", False),
    ("freight", "Freight", True),
    ("insurance", "Insurance", True),
    ("duties", "Duties", True),
    ("destination_charges", "Destination charges (seller's)", False),
    ("tariff_absorption", "Tariff absorption", True),
)


def _components(result):
    if result is None:
        return []
    signs = total_composition(result.incoterm)
    return [
        {
            "label": label,
            "usd": getattr(result.usd, key),
            "cur": getattr(result.quote_currency, key),
            "sign": signs[key],
            "landed": landed,
        }
        for key, label, landed in COMPONENT_LABELS
    ]


def _context(terms, lines, result):
    return {
        "terms": terms,
        "lines": lines,
        "result": result,
        "components": _components(result),
        "has_errors": bool(terms.errors or lines.total_error_count()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request):
    """The price calculator: a quote's full breakdown before any quote exists.

    Works without JavaScript (submit buttons); with htmx, typing re-prices through
    ``calculator_preview`` and the add/remove buttons re-render the form.
    """
    choices = selectors.pricing_choices()
    result = None
    if request.method == "POST":
        drop = request.POST.get("remove_line")
        data = _rows(
            request.POST,
            drop=int(drop) if drop and drop.isdigit() else None,
            add="add_line" in request.POST,
        )
        terms, lines = _forms(data, choices)
        result = _price(terms, lines)
    else:
        terms = PricingTermsForm(choices=choices)
        lines = PricingLineFormSet(
            prefix=LINES_PREFIX, form_kwargs={"choices": choices}, initial=[{}]
        )
    return render(request, "quotes/calculator.html", _context(terms, lines, result))


@login_required
@require_POST
def calculator_preview(request):
    """htmx partial: the breakdown (or the errors) for the posted form, plus each field's
    error slot swapped out-of-band so errors show next to their fields."""
    choices = selectors.pricing_choices()
    terms, lines = _forms(_rows(request.POST), choices)
    result = _price(terms, lines)
    return render(request, "quotes/_calculator_result.html", _context(terms, lines, result))
