"""Tariff rule pages: the list every signed-in user reads (stale rules flagged), one rule
with its versions and history, one-click "verified today" and CSV import/export (admins)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from customers.csvio import csv_lines
from mgtrade.web import add_service_errors

from . import selectors, services
from .models import TariffRule, _destination_choices
from .tariff_csv import decode_upload, export_rows, tariff_rules_import


class RuleFilterForm(forms.Form):
    destination = forms.ChoiceField(required=False, label="Destination")
    stale = forms.BooleanField(required=False, label="Only stale rules")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = set(TariffRule.objects.values_list("destination", flat=True).distinct())
        self.fields["destination"].choices = [("", "All")] + [
            (code, label) for code, label in _destination_choices() if code in used
        ]


class RuleImportForm(forms.Form):
    file = forms.FileField(label="CSV file (UTF-8)")


class RuleImportConfirmForm(forms.Form):
    csv_text = forms.CharField(widget=forms.HiddenInput)


def _admin_only(request):
    if not request.user.has_perm("products.change_tariffrule"):
        raise PermissionDenied("Only admins change tariff rules.")


@login_required
def rule_list(request):
    filters = RuleFilterForm(request.GET or None)
    rules = selectors.tariff_rule_list()
    if filters.is_valid():
        if filters.cleaned_data["destination"]:
            rules = rules.filter(destination=filters.cleaned_data["destination"])
        if filters.cleaned_data["stale"]:
            rules = rules.filter(is_stale=True)
    return render(
        request,
        "products/tariffs/rules.html",
        {
            "filters": filters,
            "rules": rules,
            "verify_days": selectors.tariff_verify_days(),
            "today": timezone.localdate(),
        },
    )


@login_required
def rule_detail(request, pk: int):
    try:
        rule = selectors.tariff_rule_list().get(pk=pk)
    except TariffRule.DoesNotExist:
        raise Http404("No such tariff rule") from None
    return render(
        request,
        "products/tariffs/rule.html",
        {
            "rule": rule,
            "versions": selectors.tariff_rule_versions(rule=rule),
            "history": selectors.tariff_rule_history(rule=rule),
            "verify_days": selectors.tariff_verify_days(),
        },
    )


@login_required
@require_POST
def rule_verify(request, pk: int):
    """One click: "verified today" by the signed-in admin. htmx gets the row back."""
    _admin_only(request)
    try:
        rule = TariffRule.objects.get(pk=pk)
    except TariffRule.DoesNotExist:
        raise Http404("No such tariff rule") from None
    rule = services.tariff_rule_verify(rule=rule, by=request.user)
    if request.htmx:
        return render(request, "products/tariffs/_verified.html", {"rule": rule})
    messages.success(request, f"Rule #{rule.pk} marked as verified today.")
    target = request.POST.get("next") or "tariffs:rules"
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else "tariffs:rules"
    )


@login_required
def rule_export(request):
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        csv_lines(export_rows(rules=selectors.tariff_rule_list())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="tariff-rules-{stamp}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rule_import(request):
    """Upload → preview of every row (what it would do, its errors) → import all (only
    when no row has an error)."""
    _admin_only(request)
    result, text = None, ""
    upload = RuleImportForm()
    if request.method == "POST" and "csv_text" in request.POST:
        confirm = RuleImportConfirmForm(request.POST)
        if confirm.is_valid():
            text = confirm.cleaned_data["csv_text"]
            result = tariff_rules_import(text=text, by=request.user, commit=True)
            if result.applied:
                messages.success(request, f"Imported {len(result.rows)} tariff rule rows.")
                return redirect("tariffs:rules")
    elif request.method == "POST":
        upload = RuleImportForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                text = decode_upload(upload.cleaned_data["file"].read())
            except ValidationError as exc:
                add_service_errors(upload, exc)
            else:
                result = tariff_rules_import(text=text, by=request.user, commit=False)
    return render(
        request,
        "products/tariffs/import.html",
        {
            "upload": upload,
            "result": result,
            "confirm": RuleImportConfirmForm(initial={"csv_text": text}),
        },
    )
