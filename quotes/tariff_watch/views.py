"""Tariff watch pages: change events with their impact (progress while computing), the
tariff calendar, the quote banner's action, and what-if scenarios. Thin: selectors read,
services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from customers.csvio import csv_lines
from mgtrade.errors import StateConflict
from mgtrade.web import add_service_errors

from ..models import Quote
from ..selectors import quote_list_visible
from . import scenarios, selectors, services
from .forms import ScenarioForm, ScenarioRuleFormSet
from .models import RunStatus, TariffChangeEvent, TariffChangeImpact, TariffScenario


def _manager_only(request):
    if not request.user.is_manager:
        raise PermissionDenied("Only managers and admins do this.")


@login_required
def change_list(request):
    show_all = request.GET.get("all") == "1"
    events = selectors.tariff_change_list(affecting_only=not show_all)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "quotes/tariff_watch/changes.html",
        {"page_obj": page, "events": page.object_list, "show_all": show_all},
    )


def _event_or_404(pk: int) -> TariffChangeEvent:
    try:
        return TariffChangeEvent.objects.select_related("raised_by").get(pk=pk)
    except TariffChangeEvent.DoesNotExist:
        raise Http404("No such tariff change") from None


@login_required
def change_detail(request, pk: int):
    event = _event_or_404(pk)
    impacts = selectors.tariff_change_impacts(event=event, user=request.user)
    page = Paginator(impacts, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "quotes/tariff_watch/change.html",
        {"event": event, "page_obj": page, "impacts": page.object_list},
    )


@login_required
def change_progress(request, pk: int):
    """The computation's state (htmx polls it while the task runs)."""
    event = _event_or_404(pk)
    response = render(request, "quotes/tariff_watch/_progress.html", {"event": event})
    if event.status == RunStatus.DONE and request.htmx and request.GET.get("polling"):
        response["HX-Refresh"] = "true"  # show the affected quotes
    return response


@login_required
@require_POST
def change_recompute(request, pk: int):
    _manager_only(request)
    event = _event_or_404(pk)
    try:
        services.tariff_change_recompute(event=event)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The impact is being computed again.")
    return redirect("tariff_watch:change", pk=event.pk)


@login_required
def calendar(request):
    today = timezone.localdate()
    return render(
        request,
        "quotes/tariff_watch/calendar.html",
        {"entries": selectors.tariff_calendar(today=today), "today": today, "days": 90},
    )


@login_required
@require_POST
def impact_apply(request, pk: int, impact_pk: int):
    """The banner's action: reprice a draft or revise a sent quote under the new rules."""
    try:
        quote = quote_list_visible(user=request.user).get(pk=pk)
        impact = TariffChangeImpact.objects.select_related("event", "quote").get(
            pk=impact_pk, quote=quote
        )
    except (Quote.DoesNotExist, TariffChangeImpact.DoesNotExist):
        raise Http404("No such quote or tariff change") from None
    try:
        result = services.tariff_impact_apply(impact=impact, by=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("quotes:detail", pk=quote.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quotes:detail", pk=quote.pk)
    if result.pk != quote.pk:
        messages.success(
            request,
            f"New version {result.reference} priced under the rules from "
            f"{impact.event.effective_on}: check it, then send it through the usual flow.",
        )
    else:
        messages.success(request, f"Repriced {result.reference} under the new tariff rules.")
    return redirect("quotes:detail", pk=result.pk)


# ------------------------------------------------------------------ what-if scenarios


@login_required
def scenario_list(request):
    _manager_only(request)
    return render(
        request,
        "quotes/tariff_watch/scenarios.html",
        {"scenarios": TariffScenario.objects.select_related("created_by").order_by("-updated_at")},
    )


@login_required
def scenario_create(request):
    _manager_only(request)
    form = ScenarioForm(request.POST or None)
    rules = ScenarioRuleFormSet(request.POST or None, prefix="rules")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        data = [r for r in rules.cleaned_data if r]
        try:
            scenario = scenarios.scenario_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                rules=data,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Scenario saved; it is being run.")
            return redirect("tariff_watch:scenario", pk=scenario.pk)
    return render(request, "quotes/tariff_watch/scenario_form.html", {"form": form, "rules": rules})


def _scenario_or_404(request, pk: int) -> TariffScenario:
    _manager_only(request)
    try:
        return TariffScenario.objects.select_related("created_by").get(pk=pk)
    except TariffScenario.DoesNotExist:
        raise Http404("No such scenario") from None


@login_required
def scenario_detail(request, pk: int):
    scenario = _scenario_or_404(request, pk)
    result = scenario.result or {}
    return render(
        request,
        "quotes/tariff_watch/scenario.html",
        {
            "scenario": scenario,
            "result": result,
            "groups": [
                ("destination", "By destination"),
                ("customer", "By customer"),
                ("grade", "By grade (duties of that grade's lines)"),
                ("rep", "By rep"),
            ],
            "rows": result.get("rows", [])[:100],
        },
    )


@login_required
def scenario_progress(request, pk: int):
    scenario = _scenario_or_404(request, pk)
    response = render(
        request, "quotes/tariff_watch/_scenario_progress.html", {"scenario": scenario}
    )
    if scenario.status == RunStatus.DONE and request.htmx and request.GET.get("polling"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def scenario_rerun(request, pk: int):
    scenario = _scenario_or_404(request, pk)
    try:
        scenarios.scenario_rerun(scenario=scenario, by=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The scenario is being run again on today's quotes.")
    return redirect("tariff_watch:scenario", pk=scenario.pk)


@login_required
def scenario_export(request, pk: int):
    scenario = _scenario_or_404(request, pk)
    response = StreamingHttpResponse(
        csv_lines(scenarios.scenario_export_rows(scenario=scenario)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.csv"'
    return response
