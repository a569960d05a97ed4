"""Report pages and their downloads. Thin: the form reads the filters, the selectors the
figures; a rep's figures are their own (``quotes.selectors.quote_list_visible``)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from . import services
from .charts import chart_spec
from .exports import table_csv, table_xlsx
from .forms import DigestPreferenceForm, ReportFilterForm
from .models import DigestPreference
from .selectors import REPORT_TITLES, REPORTS, Table, report_tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_or_404(name: str) -> str:
    if name not in REPORTS:
        raise Http404("No such report")
    return name


EMPTY_CELL = mark_safe('<td><span class="muted">—</span></td>')


def _tbody(table: Table) -> str:
    """The table's rows as HTML (escaped), built here rather than by template loops: a
    report page has a few thousand cells."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}" class="muted">No quotes match.</td></tr>', len(table.columns)
        )
    keys = [key for key, _ in table.columns]
    out = []
    for row in table.rows:
        cells: list[str] = []
        for key in keys:
            value = row.get(key)
            if value is None:
                cells.append(EMPTY_CELL)
            elif isinstance(value, (int, Decimal)):
                cells.append(f'<td class="num">{value}</td>')
            else:
                cells.append(f"<td>{escape(value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The first page: the pipeline with links to the other reports."""
    return report_page(request, name="pipeline")


@login_required
def report_page(request: HttpRequest, name: str) -> HttpResponse:
    name = _report_or_404(name)
    form = ReportFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()
    tables = report_tables(name=name, user=request.user, filters=form.filters())
    for table in tables:
        spec = chart_spec(table, responsive=True)
        table.spec_json = json.dumps(spec) if spec else ""
        table.body_html = _tbody(table)
    return render(
        request,
        "reports/report.html",
        {
            "form": form,
            "name": name,
            "title": REPORT_TITLES[name],
            "reports": [(key, REPORT_TITLES[key]) for key in REPORTS],
            "tables": tables,
            "query": request.GET.urlencode(),
            "digest_form": DigestPreferenceForm(
                initial={
                    "weekly_digest": not DigestPreference.objects.filter(
                        user=request.user, weekly_digest=False
                    ).exists()
                }
            ),
        },
    )


@login_required
def report_download(request: HttpRequest, name: str, table: str, fmt: str) -> HttpResponse:
    """One table of a report as CSV or XLSX, with the page's filters."""
    name = _report_or_404(name)
    form = ReportFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    found = next(
        (
            t
            for t in report_tables(name=name, user=request.user, filters=filters)
            if t.name == table
        ),
        None,
    )
    if found is None:
        raise Http404("No such table")
    filename = f"{name}-{table}-{filters.date_from}-{filters.date_to}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(table_csv(found), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(found), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    """Opt in or out of the Monday digest."""
    form = DigestPreferenceForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    on = bool(form.cleaned_data.get("weekly_digest"))
    services.digest_preference_set(user=request.user, weekly_digest=on)
    messages.success(
        request, "You will get the weekly digest." if on else "No more weekly digest e-mails."
    )
    return redirect("reports:dashboard")
