"""The price calculator: a quote's full breakdown before any quote exists.

``breakdown_context`` is also what the quote builder and the quote page render the
breakdown with (``templates/quotes/_breakdown.html``).
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .approval import reasons_as_dicts
from .engine import COMPONENT_LABELS, PricingResult, total_composition
from .forms import (
    PricingTermsForm,
    pricing_data_edited,
    pricing_data_from_post,
    pricing_forms_bind,
    pricing_forms_blank,
    pricing_forms_price,
)
from .inputs import approval_reasons_check, pricing_choices


def breakdown_components(result: PricingResult | None) -> list[dict]:
    """The breakdown table's rows: each component in USD and the quote currency, how it
    enters the quote total and the buyer's landed cost (+1, -1, 0), labelled from the one
    table of ``pricing.engine.COMPONENT_LABELS``."""
    if result is None:
        return []
    signs = total_composition(result.incoterm)
    return [
        {
            "key": key,
            "label": label,
            "usd": getattr(result.usd, key),
            "cur": getattr(result.quote_currency, key),
            "sign": signs[key],
            "landed": landed,
        }
        for key, label, landed in COMPONENT_LABELS
    ]


def breakdown_context(
    terms: PricingTermsForm,
    lines: BaseFormSet,
    result: PricingResult | None,
    reasons: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The calculator's and the quote builder's context. ``reasons``: the approval reasons
    (a saved quote's stored ones), else checked for the previewed result."""
    if reasons is None and result is not None:
        reasons = reasons_as_dicts(approval_reasons_check(result=result))
    return {
        "terms": terms,
        "lines": lines,
        "result": result,
        "reasons": reasons or [],
        "components": breakdown_components(result),
        "has_errors": bool(terms.errors or lines.total_error_count()),
    }


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request):
    """The calculator page. Works without JavaScript (submit buttons); with htmx, typing
    re-prices through ``calculator_preview`` and the add/remove buttons re-render the form.
    "Make a quote from this" (``make_quote``) carries the terms and lines to the builder."""
    choices = pricing_choices()
    result = None
    if request.method == "POST" and "make_quote" in request.POST:
        # "Make a quote from this": the terms and lines go to the new-quote page in its URL
        # (a redirect, so the CSRF token never lands in one), which asks for the customer.
        carried = pricing_data_edited(request.POST)
        return redirect(reverse("quotes:create") + "?" + carried.urlencode())
    if request.method == "POST":
        terms, lines = pricing_forms_bind(pricing_data_from_post(request.POST), choices)
        result = pricing_forms_price(terms, lines)
    else:
        terms, lines = pricing_forms_blank(choices)
    return render(request, "quotes/calculator.html", breakdown_context(terms, lines, result))


@login_required
@require_POST
def calculator_preview(request):
    """htmx partial: the breakdown (or the errors) for the posted form, plus each field's
    error slot swapped out-of-band so errors show next to their fields."""
    terms, lines = pricing_forms_bind(pricing_data_edited(request.POST), pricing_choices())
    result = pricing_forms_price(terms, lines)
    return render(
        request, "quotes/_calculator_result.html", breakdown_context(terms, lines, result)
    )
