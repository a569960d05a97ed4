"""Lot and shipment pages: lots with their analysis and the CSV import, the shipments board,
a shipment with its lots, containers and steps. Each POST calls one ``orders.shipping``
service; bad input re-renders the page with the form's errors (400), a conflict becomes a
message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from customers.csvio import decode_upload
from mgtrade.errors import StateConflict
from mgtrade.web import add_service_errors

from . import export_documents, selectors, shipping
from .models import ExportDocument, Lot, Shipment, ShipmentStatus
from .shipping_forms import (
    AcknowledgeForm,
    AllocateForm,
    AnalysesForm,
    AnalysisImportForm,
    ArriveForm,
    ContainerForm,
    CorrectionForm,
    CustomerSpecForm,
    LoadForm,
    LotForm,
    SendDocumentsForm,
    ShipmentForm,
)
from .views import _contract_or_404, _delivery_state, _error_text, _pdf_response


def _shipment_or_404(request, pk: int) -> Shipment:
    try:
        return selectors.shipment_get_visible(user=request.user, pk=pk)
    except Shipment.DoesNotExist:
        raise Http404("No such shipment.") from None


def _lot_or_404(pk: int) -> Lot:
    try:
        return selectors.lot_get(pk=pk)
    except Lot.DoesNotExist:
        raise Http404("No such lot.") from None


def _may_enter_lots(user) -> bool:
    return user.is_admin or user.is_qc


# ------------------------------------------------------------------ lots


@login_required
@require_http_methods(["GET", "POST"])
def lot_list(request):
    """Lots, newest first, with a form for a new lot (QC, admin) and the CSV import."""
    may_enter = _may_enter_lots(request.user)
    form = LotForm(request.POST if request.method == "POST" else None, prefix="lot")
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                lot = shipping.lot_create(by=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Lot {lot.number} is saved.")
                return redirect("orders:lot", pk=lot.pk)
    lots = list(selectors.lot_list(search=request.GET.get("q") or None)[:200])
    return render(
        request,
        "orders/lots.html",
        {
            "lots": lots,
            "form": form if may_enter else None,
            "import_form": AnalysisImportForm(prefix="csv") if may_enter else None,
            "query": request.GET.get("q", ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def analyses_import(request):
    if not _may_enter_lots(request.user):
        raise PermissionDenied
    form = AnalysisImportForm(request.POST, request.FILES, prefix="csv")
    errors: list[str] = []
    if form.is_valid():
        try:
            result = shipping.analyses_import_csv(
                by=request.user, text=decode_upload(form.cleaned_data["file"].read())
            )
        except ValidationError as exc:
            errors = [_error_text(exc)]
        else:
            errors = result.errors
            if not errors:
                messages.success(
                    request,
                    f"Analyses imported: {result.created} new values, {result.updated} corrected.",
                )
                return redirect("orders:lots")
    return render(
        request,
        "orders/lots.html",
        {
            "lots": list(selectors.lot_list()[:200]),
            "form": LotForm(prefix="lot"),
            "import_form": form,
            "import_errors": errors,
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def lot_detail(request, pk: int):
    lot = _lot_or_404(pk)
    may_enter = _may_enter_lots(request.user)
    form = AnalysesForm(request.POST if request.method == "POST" else None, prefix="analysis")
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        if form.is_valid():
            try:
                shipping.lot_set_analyses(
                    lot=lot, by=request.user, analyses=form.cleaned_data["analyses"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except StateConflict as exc:
                messages.error(request, exc.message)
                return redirect("orders:lot", pk=pk)
            else:
                messages.success(request, f"The analysis of {lot.number} is saved.")
                return redirect("orders:lot", pk=pk)
    allocations = lot.allocations.select_related(
        "shipment", "shipment__contract", "override_by"
    ).order_by("id")
    return render(
        request,
        "orders/lot.html",
        {
            "lot": lot,
            "findings": shipping.lot_check(lot=lot),
            "allocations": allocations,
            "form": form if may_enter else None,
        },
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------ shipments


@login_required
def shipment_board(request):
    """Open shipments by state: booked, on the water (with ETA), arrived (planned too)."""
    shipments = list(selectors.shipment_board(user=request.user))
    columns = [
        (state, label, [s for s in shipments if s.status == state])
        for state, label in (
            (ShipmentStatus.PLANNED, "Planned"),
            (ShipmentStatus.BOOKED, "Booked"),
            (ShipmentStatus.LOADED, "On the water"),
            (ShipmentStatus.ARRIVED, "Arrived"),
        )
    ]
    return render(request, "orders/shipments.html", {"columns": columns})


@login_required
@require_http_methods(["GET", "POST"])
def shipment_create(request, pk: int):
    contract = _contract_or_404(request, pk)
    form = ShipmentForm(
        request.POST if request.method == "POST" else None,
        prefix="shipment",
        initial={
            "port_of_loading": contract.port_of_loading,
            "port_of_discharge": contract.port_of_discharge,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            shipment = shipping.shipment_create(
                contract=contract, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (StateConflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("orders:detail", pk=pk)
        else:
            messages.success(request, f"Shipment {shipment.reference} is planned.")
            return redirect("orders:shipment", pk=shipment.pk)
    return render(
        request,
        "orders/form.html",
        {"contract": contract, "form": form, "title": f"New shipment of {contract.number}"},
        status=400 if form.errors else 200,
    )


def _shipment_page(request, shipment: Shipment, *, status: int = 200, **forms):
    contract = shipment.contract
    shipped = shipping.line_shipped(contract=contract)
    lines = []
    for line in contract.lines.all():
        low, high = shipping.line_bounds(line, contract.tolerance_percent)
        total = shipped.get(line.pk, 0)
        line.shipped = total
        line.low, line.high = low, high
        line.within = low <= total <= high
        lines.append(line)
    editable = shipment.status in (ShipmentStatus.PLANNED, ShipmentStatus.BOOKED)
    documents = list(
        shipment.documents.select_related("lot", "issued_by").order_by("kind", "number", "revision")
    )
    for doc in documents:
        doc.correction_form = CorrectionForm(prefix=f"correct-{doc.pk}")
    context = {
        "documents": documents,
        "may_issue": not editable
        and {(d.kind, d.lot_id) for d in documents if d.superseded_at is None}
        != {("commercial_invoice", None), ("packing_list", None)}
        | {("certificate_of_analysis", a.lot_id) for a in shipment.allocations.all()},
        "uses_lc": contract.uses_lc,
        "documents_delivery": _delivery_state(shipment.documents_delivery_id),
        "acknowledge_form": forms.get("acknowledge_form") or AcknowledgeForm(prefix="acknowledge"),
        "send_form": forms.get("send_form") or SendDocumentsForm(prefix="send"),
        "shipment": shipment,
        "contract": contract,
        "lines": lines,
        "allocations": list(shipment.allocations.all()),
        "containers": list(shipment.containers.all()),
        "warnings": shipping.shipment_warnings(shipment),
        "value": shipping.shipment_value(shipment),
        "editable": editable,
        "manager": request.user.is_manager,
        "details_form": forms.get("details_form")
        or ShipmentForm(instance=shipment, prefix="details"),
        "allocate_form": forms.get("allocate_form")
        or AllocateForm(shipment=shipment, prefix="allocate"),
        "container_form": forms.get("container_form")
        or ContainerForm(shipment=shipment, prefix="container"),
        "load_form": forms.get("load_form") or LoadForm(prefix="load"),
        "arrive_form": forms.get("arrive_form") or ArriveForm(prefix="arrive"),
    }
    return render(request, "orders/shipment.html", context, status=status)


@login_required
def shipment_detail(request, pk: int):
    return _shipment_page(request, _shipment_or_404(request, pk))


def _shipment_form_action(form_class, name: str, run, success: str, *, needs_shipment=False):
    """POST a form to one service; its errors re-render the shipment page (400)."""

    @login_required
    @require_POST
    def view(request, pk: int):
        shipment = _shipment_or_404(request, pk)
        kwargs = {"shipment": shipment} if needs_shipment else {}
        form = form_class(request.POST, prefix=name.removesuffix("_form"), **kwargs)
        if form.is_valid():
            try:
                run(request, shipment, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except (StateConflict, PermissionDenied) as exc:
                messages.error(request, getattr(exc, "message", str(exc)))
                return redirect("orders:shipment", pk=pk)
            else:
                messages.success(request, success.format(shipment=shipment))
                return redirect("orders:shipment", pk=pk)
        shipment = _shipment_or_404(request, pk)
        return _shipment_page(request, shipment, status=400, **{name: form})

    return view


def _details(request, shipment, data):
    ports = ("port_of_loading", "port_of_discharge")
    data = {k: v for k, v in data.items() if v or k not in ports}
    if shipment.status == ShipmentStatus.PLANNED and request.POST.get("book"):
        shipping.shipment_book(shipment=shipment, by=request.user, **data)
    else:
        shipping.shipment_update(shipment=shipment, by=request.user, **data)


shipment_details = _shipment_form_action(
    ShipmentForm,
    "details_form",
    _details,
    "Shipment {shipment.reference} is saved.",
)
shipment_allocate = _shipment_form_action(
    AllocateForm,
    "allocate_form",
    lambda request, s, data: shipping.lot_allocate(shipment=s, by=request.user, **data),
    "The lot is allocated to {shipment.reference}.",
    needs_shipment=True,
)
shipment_container = _shipment_form_action(
    ContainerForm,
    "container_form",
    lambda request, s, data: shipping.container_add(
        shipment=s, by=request.user, **{**data, "lots": list(data["lots"])}
    ),
    "The container is added to {shipment.reference}.",
    needs_shipment=True,
)
shipment_load = _shipment_form_action(
    LoadForm,
    "load_form",
    lambda request, s, data: shipping.shipment_load(shipment=s, by=request.user, **data),
    "Shipment {shipment.reference} is on board.",
)
shipment_arrive = _shipment_form_action(
    ArriveForm,
    "arrive_form",
    lambda request, s, data: shipping.shipment_arrive(shipment=s, by=request.user, **data),
    "Shipment {shipment.reference} has arrived.",
)


@login_required
@require_POST
def shipment_complete(request, pk: int):
    shipment = _shipment_or_404(request, pk)
    try:
        shipping.shipment_complete(shipment=shipment, by=request.user)
    except (StateConflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"Shipment {shipment.reference} is completed.")
    return redirect("orders:shipment", pk=pk)


@login_required
@require_POST
def allocation_remove(request, pk: int, allocation_pk: int):
    shipment = _shipment_or_404(request, pk)
    allocation = next((a for a in shipment.allocations.all() if a.pk == allocation_pk), None)
    if allocation is None:
        raise Http404("No such allocation.")
    try:
        shipping.allocation_remove(allocation=allocation, by=request.user)
    except (StateConflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"Lot {allocation.lot.number} is taken off the shipment.")
    return redirect("orders:shipment", pk=pk)


# ------------------------------------------------------------------ export documents


def _simple_shipment_action(run, success: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        shipment = _shipment_or_404(request, pk)
        try:
            run(request, shipment)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        except (StateConflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, success.format(shipment=shipment))
        return redirect("orders:shipment", pk=pk)

    return view


shipment_documents_issue = _simple_shipment_action(
    lambda request, s: export_documents.shipment_documents_issue(shipment=s, by=request.user),
    "The documents of {shipment.reference} are issued; their PDFs are stored in a moment.",
)
shipment_presentation_check = _simple_shipment_action(
    lambda request, s: export_documents.presentation_check(shipment=s, by=request.user),
    "The documents of {shipment.reference} are checked against the L/C.",
)
shipment_acknowledge = _shipment_form_action(
    AcknowledgeForm,
    "acknowledge_form",
    lambda request, s, data: export_documents.discrepancies_acknowledge(
        shipment=s, by=request.user, **data
    ),
    "The discrepancies of {shipment.reference} are acknowledged.",
)
shipment_documents_send = _shipment_form_action(
    SendDocumentsForm,
    "send_form",
    lambda request, s, data: export_documents.shipment_documents_send(
        shipment=s, by=request.user, **data
    ),
    "The documents of {shipment.reference} are on their way: rendered and e-mailed in the "
    "background.",
)


def _document_or_404(request, pk: int) -> ExportDocument:
    doc = ExportDocument.objects.select_related("shipment").filter(pk=pk).first()
    if doc is None:
        raise Http404("No such document.")
    _shipment_or_404(request, doc.shipment_id)  # the contract's visibility
    return doc


@login_required
def export_document_pdf(request, pk: int):
    """The issued PDF (checksum verified); rendered from the frozen content until stored."""
    doc = _document_or_404(request, pk)
    try:
        data = export_documents.export_document_pdf(doc)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("orders:shipment", pk=doc.shipment_id)
    return _pdf_response(data, doc.filename)


@login_required
@require_POST
def export_document_revise(request, pk: int):
    doc = _document_or_404(request, pk)
    form = CorrectionForm(request.POST, prefix=f"correct-{doc.pk}")
    try:
        if not form.is_valid():
            raise ValidationError({"reason": "Say what the correction is."})
        new = export_documents.export_document_revise(
            document=doc, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except (StateConflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, f"{new} is issued; {doc} is superseded.")
    return redirect("orders:shipment", pk=doc.shipment_id)


@login_required
@require_POST
def customer_spec_add(request, pk: int):
    """The buyer's own limit for a grade of this contract (for the customer, or this
    contract only)."""
    contract = _contract_or_404(request, pk)
    form = CustomerSpecForm(request.POST, prefix="spec", contract=contract)
    if form.is_valid():
        data = form.cleaned_data
        try:
            shipping.customer_spec_limit_set(
                by=request.user,
                customer=contract.customer,
                contract=contract if data["this_contract_only"] else None,
                product=data["product"],
                element=data["element"],
                min_percent=data["min_percent"],
                max_percent=data["max_percent"],
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"{data['element']} limit saved for {contract.customer.name}."
            )
    else:
        messages.error(request, " ".join(m for msgs in form.errors.values() for m in msgs))
    return redirect(f"{reverse('orders:detail', args=[pk])}#buyer-spec")
