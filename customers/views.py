"""Pages. Thin: read through selectors, write through services, 404 for the invisible."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mgtrade.errors import StateConflict
from mgtrade.web import add_service_errors

from . import selectors, services
from .csvio import COLUMNS, csv_lines, decode_upload, export_rows, import_parse
from .forms import (
    ActivityForm,
    ContactForm,
    CustomerCreateForm,
    CustomerFilterForm,
    CustomerForm,
    ImportConfirmForm,
    ImportUploadForm,
    QuickLogForm,
    ReassignForm,
)
from .models import Activity, Contact, Customer, CustomerImport

PAGE_SIZE = 50


def _customer_or_404(request, pk: int) -> Customer:
    try:
        return selectors.customer_get_visible(user=request.user, pk=pk)
    except Customer.DoesNotExist:
        raise Http404("No such customer") from None


def _contact_or_404(customer: Customer, pk: int) -> Contact:
    try:
        return customer.contacts.get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404("No such contact") from None


def _manager_only(request) -> None:
    if not request.user.is_manager:
        raise PermissionDenied("Managers only.")


def _with_duplicate_warning(form, exc: ValidationError) -> None:
    add_service_errors(form, exc)
    if isinstance(exc, services.DuplicateError):
        form.duplicates = exc.existing
        form.fields["confirm_duplicate"].widget.attrs["autofocus"] = True


@login_required
def my_day(request):
    day = selectors.my_day(user=request.user)
    return render(request, "customers/my_day.html", {"day": day, "quick_form": QuickLogForm()})


@login_required
def customer_list(request):
    filters = CustomerFilterForm(request.GET or None, user=request.user)
    customers = selectors.customer_list(user=request.user, **filters.selector_kwargs())
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    current_sort = (
        filters.cleaned_data.get("sort") if filters.is_bound and filters.is_valid() else ""
    ) or "name"
    return render(
        request,
        "customers/list.html",
        {"filters": filters, "page_obj": page, "customers": page.object_list, "sort": current_sort},
    )


@login_required
def customer_export(request):
    filters = CustomerFilterForm(request.GET or None, user=request.user)
    customers = selectors.customer_list(user=request.user, **filters.selector_kwargs())
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(
        csv_lines(export_rows(customers=customers)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


@login_required
def customer_detail(request, pk: int):
    customer = _customer_or_404(request, pk)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "contacts": selectors.customer_contacts(customer=customer),
            "timeline": selectors.customer_timeline(customer=customer),
            "activity_form": ActivityForm(
                customer=customer, initial={"date": timezone.localdate()}
            ),
        },
    )


@login_required
def customer_create(request):
    if not request.user.has_perm("customers.add_customer"):
        raise PermissionDenied
    form = CustomerCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            customer = services.customer_create(by=request.user, **data)
        except ValidationError as exc:
            _with_duplicate_warning(form, exc)
        else:
            messages.success(request, f"Customer {customer} created.")
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, pk: int):
    customer = _customer_or_404(request, pk)
    form = CustomerForm(request.POST or None, instance=_customer_or_404(request, pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _with_duplicate_warning(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
def customer_reassign(request, pk: int):
    _manager_only(request)
    customer = _customer_or_404(request, pk)
    form = ReassignForm(request.POST or None, initial={"owner": customer.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_reassign(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{customer} now belongs to {form.cleaned_data['owner']}.")
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/reassign.html", {"form": form, "customer": customer})


@login_required
def customer_history(request, pk: int):
    _manager_only(request)
    customer = _customer_or_404(request, pk)
    entries = selectors.customer_history(customer=customer)
    return render(request, "customers/history.html", {"customer": customer, "entries": entries})


@login_required
def contact_form(request, pk: int, contact_pk: int | None = None):
    customer = _customer_or_404(request, pk)
    contact = _contact_or_404(customer, contact_pk) if contact_pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            if contact is None:
                services.contact_create(customer=customer, by=request.user, **form.cleaned_data)
            else:
                services.contact_update(
                    contact=_contact_or_404(customer, contact_pk),
                    by=request.user,
                    **form.cleaned_data,
                )
        except ValidationError as exc:
            _with_duplicate_warning(form, exc)
        else:
            messages.success(request, "Contact saved.")
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@login_required
@require_POST
def contact_delete(request, pk: int, contact_pk: int):
    if not request.user.has_perm("customers.delete_contact"):
        raise PermissionDenied
    customer = _customer_or_404(request, pk)
    try:
        services.contact_delete(contact=_contact_or_404(customer, contact_pk), by=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Contact removed.")
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def activity_create(request, pk: int):
    """Log an activity from the customer page (htmx: returns the refreshed timeline card)."""
    customer = _customer_or_404(request, pk)
    form = ActivityForm(request.POST, customer=customer)
    logged = None
    if form.is_valid():
        try:
            logged = services.activity_log(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Activity logged.")
                return redirect("customers:detail", pk=customer.pk)
            form = ActivityForm(customer=customer, initial={"date": timezone.localdate()})
    context = {
        "customer": customer,
        "timeline": selectors.customer_timeline(customer=customer),
        "activity_form": form,
        "logged": logged,  # announced in the page's status region
    }
    if request.htmx:
        return render(request, "customers/_timeline.html", context, status=200 if logged else 400)
    context["contacts"] = selectors.customer_contacts(customer=customer)
    return render(request, "customers/detail.html", context, status=400)


def _activity_or_404(request, activity_pk: int) -> Activity:
    try:
        return selectors.activity_get_visible(user=request.user, pk=activity_pk)
    except Activity.DoesNotExist:
        raise Http404("No such activity") from None


@login_required
@require_POST
def follow_up_done(request, activity_pk: int):
    """My day: mark a follow-up done and optionally log the next step (htmx partial)."""
    activity = _activity_or_404(request, activity_pk)
    form = QuickLogForm(request.POST)
    logged = None
    if form.is_valid():
        try:
            services.activity_mark_done(activity=activity, by=request.user)
            if form.cleaned_data["summary"]:
                logged = services.activity_log(
                    customer=activity.customer,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"],
                    follow_up_on=form.cleaned_data["follow_up_on"],
                    contact=activity.contact,
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not request.htmx:
        return redirect("customers:my_day")
    return render(
        request,
        "customers/_follow_up.html",
        {"activity": activity, "logged": logged, "quick_form": form, "today": timezone.localdate()},
        status=200 if not form.errors else 400,
    )


@login_required
@require_POST
def quick_log(request, pk: int):
    """My day: log an activity on a recently touched account (htmx partial)."""
    customer = _customer_or_404(request, pk)
    form = QuickLogForm(request.POST)
    logged = None
    if form.is_valid() and not form.cleaned_data["summary"]:
        form.add_error("summary", "Say what happened.")
    if form.is_valid():
        try:
            logged = services.activity_log(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not request.htmx:
        return redirect("customers:my_day")
    return render(
        request,
        "customers/_quick_log.html",
        {"customer": customer, "logged": logged, "quick_form": QuickLogForm() if logged else form},
        status=200 if logged else 400,
    )


@login_required
def customer_import(request):
    """Upload → preview of every row → import all (only when no row has an error)."""
    _manager_only(request)
    preview, text = None, ""
    upload = ImportUploadForm()
    if request.method == "POST" and "csv_text" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            text = confirm.cleaned_data["csv_text"]
            try:
                job = services.customer_import_start(text=text, by=request.user)
            except ValidationError:
                preview = import_parse(text=text, by=request.user)  # show what changed
            else:
                return redirect("customers:import_status", pk=job.pk)
    elif request.method == "POST":
        upload = ImportUploadForm(request.POST, request.FILES)
        if upload.is_valid():
            try:
                text = decode_upload(upload.cleaned_data["file"].read())
            except ValidationError as exc:
                add_service_errors(upload, exc)
            else:
                preview = import_parse(text=text, by=request.user)
    return render(
        request,
        "customers/import.html",
        {
            "upload": upload,
            "preview": preview,
            "confirm": ImportConfirmForm(initial={"csv_text": text}),
        },
    )


@login_required
def customer_import_status(request, pk: int):
    """A queued or running import: progress (htmx polls ``import_progress``), then failures."""
    _manager_only(request)
    try:
        progress = selectors.customer_import_progress(import_id=pk)
    except CustomerImport.DoesNotExist:
        raise Http404("No such import") from None
    template = "customers/_import_progress.html" if request.htmx else "customers/import_status.html"
    return render(request, template, {"progress": progress})


@login_required
def import_template(request):
    response = HttpResponse(",".join(COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers-import-template.csv"'
    return response
