"""Contract pages: the list, a contract with its documents, payments and L/C, and the forms
that act on it. Each POST calls one service; conflicts and bad input become messages or
form errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from mgtrade.errors import StateConflict, validation_error_dict
from mgtrade.web import add_service_errors
from quotes.models import QuoteDelivery
from quotes.sending import selectors as delivery_selectors
from quotes.sending import services as delivery_services

from . import documents, selectors, services
from .forms import (
    AmendmentRequestForm,
    CancelForm,
    ContractFilterForm,
    ContractTermsForm,
    CountersignForm,
    LCAcceptForm,
    LCAmendmentForm,
    LetterOfCreditForm,
    PaymentForm,
    WriteOffForm,
)
from .models import ContractStatus, LetterOfCredit, PaymentMethod, Proforma, SalesContract
from .shipping_forms import CustomerSpecForm

PAGE_SIZE = 50


def _contract_or_404(request, pk: int) -> SalesContract:
    try:
        return selectors.contract_get_visible(user=request.user, pk=pk)
    except SalesContract.DoesNotExist:
        raise Http404("No such contract.") from None


def _error_text(exc: ValidationError) -> str:
    return " ".join(m for msgs in validation_error_dict(exc).values() for m in msgs)


@login_required
def contract_list(request):
    """Contracts the user sees, filtered (status, customer, rep, overdue): fixed queries."""
    filters = ContractFilterForm(request.GET or None, user=request.user)
    contracts = selectors.contract_list(user=request.user, **filters.selector_kwargs())
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/list.html",
        {"filters": filters, "page_obj": page, "contracts": page.object_list},
    )


def _allowed(contract: SalesContract, user) -> dict[str, bool]:
    active = contract.status in (ContractStatus.CONFIRMED, ContractStatus.IN_PROGRESS)
    lc = getattr(contract, "lc", None)
    return {
        "edit": contract.status == ContractStatus.DRAFT,
        "confirm": contract.status == ContractStatus.DRAFT,
        "countersign": active,
        "start": contract.status == ContractStatus.CONFIRMED,
        "complete": contract.status == ContractStatus.IN_PROGRESS,
        "cancel": contract.status in (ContractStatus.DRAFT, *services.ACTIVE_STATUSES),
        "balance": active
        and contract.payment_method != PaymentMethod.LC_SIGHT
        and sum((p.amount for p in contract.proformas.all() if p.status != "cancelled"), 0)
        < contract.total_amount,
        "payment": active and any(p.status == "issued" for p in contract.proformas.all()),
        "write_off": user.is_manager,
        "send_documents": active and bool(contract.buyer.get("contact_email")),
        "lc_enter": contract.uses_lc and lc is None and contract.status != "cancelled",
        "lc_act": lc is not None and lc.status != "accepted",
        "ship": active,
        "lc_amend": lc is not None and contract.status in ("draft", *services.ACTIVE_STATUSES),
    }


def _delivery_state(delivery_id: int | None):
    if delivery_id is None:
        return None
    delivery = QuoteDelivery.objects.get(pk=delivery_id)
    return delivery_selectors.delivery_state(delivery=delivery)


def _delivery_links(obj, contract, allowed, send_name: str, pk: int) -> None:
    """Where ``obj``'s (contract or proforma) delivery stands, and the send/retry URLs."""
    obj.delivery_state = _delivery_state(obj.delivery_id)
    may_send = allowed["send_documents"] and getattr(obj, "status", "issued") in (
        "issued",
        ContractStatus.CONFIRMED,
        ContractStatus.IN_PROGRESS,
    )
    obj.send_url = reverse(send_name, args=[pk]) if may_send else ""
    obj.retry_url = (
        reverse("orders:retry", args=[contract.pk, obj.delivery_id]) if obj.delivery_id else ""
    )


def _detail(request, contract: SalesContract, *, status: int = 200, **forms):
    contract.lc = selectors.letter_of_credit_for(contract=contract)
    proformas = list(contract.proformas.all())
    allowed = _allowed(contract, request.user)
    for proforma in proformas:
        proforma.write_off_form = WriteOffForm(prefix=f"proforma-{proforma.pk}")
        _delivery_links(proforma, contract, allowed, "orders:proforma_send", proforma.pk)
    _delivery_links(contract, contract, allowed, "orders:send", contract.pk)
    context = {
        "contract": contract,
        # The buyer's documents' language (the send forms' default; the rep may choose).
        "document_language": selectors.contract_language(contract),
        "document_languages": settings.LANGUAGES,
        "lines": list(contract.lines.all()),
        "proformas": proformas,
        "payments": selectors.contract_payments(contract=contract),
        "shipments": selectors.contract_shipments(contract=contract),
        "buyer_spec": selectors.customer_spec_limits(contract=contract),
        "spec_form": CustomerSpecForm(prefix="spec", contract=contract),
        "lc": contract.lc,
        "events": selectors.contract_events(contract=contract),
        "allowed": allowed,
        "countersign_form": forms.get("countersign_form") or CountersignForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "amendment_request_form": AmendmentRequestForm(),
        "lc_accept_form": LCAcceptForm(),
    }
    return render(request, "orders/detail.html", context, status=status)


@login_required
def contract_detail(request, pk: int):
    return _detail(request, _contract_or_404(request, pk))


def _contract_action(run, success: str):
    """A POST-only action on a contract: one service; errors become a message."""

    @login_required
    @require_POST
    def view(request, pk: int):
        contract = _contract_or_404(request, pk)
        try:
            run(request, contract)
        except StateConflict as exc:
            messages.error(request, exc.message)
        except (ValidationError, PermissionDenied) as exc:
            text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, success.format(contract=contract))
        return redirect("orders:detail", pk=contract.pk)

    return view


def _form_data(form):
    if not form.is_valid():
        raise ValidationError({k: v for k, v in form.errors.items()})
    return form.cleaned_data


contract_confirm = _contract_action(
    lambda request, c: services.contract_confirm(contract=c, by=request.user),
    "{contract.number} is confirmed.",
)
contract_start = _contract_action(
    lambda request, c: services.contract_start(contract=c, by=request.user),
    "{contract.number} is in progress.",
)
contract_complete = _contract_action(
    lambda request, c: services.contract_complete(contract=c, by=request.user),
    "{contract.number} is completed.",
)
contract_cancel = _contract_action(
    lambda request, c: services.contract_cancel(
        contract=c, by=request.user, **_form_data(CancelForm(request.POST))
    ),
    "{contract.number} is cancelled.",
)
contract_countersign = _contract_action(
    lambda request, c: services.contract_record_countersignature(
        contract=c, by=request.user, **_form_data(CountersignForm(request.POST))
    ),
    "The buyer's countersignature is recorded on {contract.number}.",
)
contract_send = _contract_action(
    lambda request, c: services.contract_send(
        contract=c, by=request.user, language=request.POST.get("language") or None
    ),
    "{contract.number} is on its way to the buyer: the PDF is rendered and e-mailed in the "
    "background.",
)
contract_balance_proforma = _contract_action(
    lambda request, c: services.proforma_create_balance(contract=c, by=request.user),
    "The balance proforma of {contract.number} is issued.",
)


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request, pk: int):
    """The terms of a draft contract."""
    contract = _contract_or_404(request, pk)
    if contract.status != ContractStatus.DRAFT:
        messages.error(request, "Only a draft contract can be edited.")
        return redirect("orders:detail", pk=pk)
    form = ContractTermsForm(request.POST or None, instance=SalesContract.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (StateConflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("orders:detail", pk=pk)
        else:
            messages.success(request, f"The terms of {contract.number} are saved.")
            return redirect("orders:detail", pk=pk)
    return render(
        request,
        "orders/form.html",
        {"contract": contract, "form": form, "title": f"Terms of {contract.number}"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request, pk: int):
    """Record a payment from the contract's buyer and allocate it to open proformas."""
    contract = _contract_or_404(request, pk)
    proformas = selectors.open_proformas_for_customer(
        customer_id=contract.customer_id, currency=contract.currency
    )
    form = PaymentForm(
        request.POST or None,
        proformas=proformas,
        initial={"currency": contract.currency, "payer": contract.buyer.get("name", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("amount", "currency", "value_date", "bank_reference", "payer", "note")
        }
        try:
            services.payment_record(
                customer=contract.customer,
                by=request.user,
                allocations=form.allocations(),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("orders:detail", pk=pk)
        else:
            messages.success(request, "The payment is recorded.")
            return redirect("orders:detail", pk=pk)
    return render(
        request,
        "orders/payment_form.html",
        {"contract": contract, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def proforma_write_off(request, pk: int):
    try:
        proforma = selectors.proforma_get_visible(user=request.user, pk=pk)
    except Proforma.DoesNotExist:
        raise Http404("No such proforma.") from None
    form = WriteOffForm(request.POST, prefix=f"proforma-{proforma.pk}")
    try:
        services.proforma_write_off(proforma=proforma, by=request.user, **_form_data(form))
    except StateConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The difference on {proforma.number} is written off.")
    return redirect("orders:detail", pk=proforma.contract_id)


@login_required
@require_http_methods(["GET", "POST"])
def lc_form(request, pk: int):
    """Enter the L/C of a contract, or record an amendment of it."""
    contract = _contract_or_404(request, pk)
    lc = selectors.letter_of_credit_for(contract=contract)
    if lc is None:
        initial = {
            "currency": contract.currency,
            "amount": contract.total_amount,
            "tolerance_percent": contract.tolerance_percent,
            "latest_shipment_date": contract.latest_shipment_date,
            "applicant": contract.buyer.get("name", ""),
            "port_of_loading": contract.port_of_loading,
            "port_of_discharge": contract.port_of_discharge,
            "incoterm": contract.incoterm,
        }
        form = LetterOfCreditForm(request.POST or None, initial=initial)
        title = f"Letter of credit for {contract.number}"
    else:
        form = LCAmendmentForm(request.POST or None, instance=LetterOfCredit.objects.get(pk=lc.pk))
        title = f"Amendment of L/C {lc.number}"
    if request.method == "POST" and form.is_valid():
        try:
            if lc is None:
                fields = {k: form.cleaned_data[k] for k in services.LC_FIELDS}
                services.lc_record(contract=contract, by=request.user, **fields)
            else:
                services.lc_amend(
                    lc=lc,
                    by=request.user,
                    date=form.cleaned_data["amendment_date"],
                    note=form.cleaned_data["amendment_note"],
                    **form.changes(),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (StateConflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            return redirect("orders:detail", pk=pk)
        else:
            messages.success(request, "The L/C is recorded and checked against the contract.")
            return redirect("orders:detail", pk=pk)
    return render(
        request,
        "orders/form.html",
        {"contract": contract, "form": form, "title": title},
        status=400 if form.errors else 200,
    )


def _lc_action(run, success: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        contract = _contract_or_404(request, pk)
        lc = selectors.letter_of_credit_for(contract=contract)
        if lc is None:
            raise Http404("This contract has no L/C.")
        try:
            run(request, lc)
        except StateConflict as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
        return redirect("orders:detail", pk=pk)

    return view


lc_request_amendment = _lc_action(
    lambda request, lc: services.lc_request_amendment(
        lc=lc, by=request.user, **_form_data(AmendmentRequestForm(request.POST))
    ),
    "The amendment request is recorded.",
)
lc_accept = _lc_action(
    lambda request, lc: services.lc_accept(
        lc=lc, by=request.user, **_form_data(LCAcceptForm(request.POST))
    ),
    "The L/C is accepted.",
)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _stored_pdf(delivery_id: int | None) -> bytes | None:
    """The PDF as sent (stored by the worker, checksum verified), if there is one."""
    if delivery_id is None:
        return None
    delivery = QuoteDelivery.objects.get(pk=delivery_id)
    if not delivery.is_rendered:
        return None
    try:
        with delivery.pdf.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return data if documents.pdf_checksum(data) == delivery.pdf_sha256 else None


@login_required
def contract_pdf(request, pk: int):
    """The contract as sent (stored), or as it stands now (a draft is watermarked),
    rendered for this request."""
    contract = _contract_or_404(request, pk)
    data = _stored_pdf(contract.delivery_id) or documents.document_pdf(
        documents.CONTRACT_TEMPLATE, documents.contract_document(contract)
    )
    return _pdf_response(data, documents.contract_pdf_filename(contract))


@login_required
def proforma_pdf(request, pk: int):
    try:
        proforma = selectors.proforma_get_visible(user=request.user, pk=pk)
    except Proforma.DoesNotExist:
        raise Http404("No such proforma.") from None
    data = _stored_pdf(proforma.delivery_id) or documents.document_pdf(
        documents.PROFORMA_TEMPLATE, documents.proforma_document(proforma)
    )
    return _pdf_response(data, documents.proforma_pdf_filename(proforma))


def _proforma_or_404(request, pk: int) -> Proforma:
    try:
        return selectors.proforma_get_visible(user=request.user, pk=pk)
    except Proforma.DoesNotExist:
        raise Http404("No such proforma.") from None


@login_required
@require_POST
def proforma_send(request, pk: int):
    proforma = _proforma_or_404(request, pk)
    try:
        services.proforma_send(
            proforma=proforma, by=request.user, language=request.POST.get("language") or None
        )
    except StateConflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{proforma.number} is on its way to the buyer: the PDF is rendered and e-mailed "
            "in the background.",
        )
    return redirect("orders:detail", pk=proforma.contract_id)


@login_required
@require_POST
def delivery_retry(request, pk: int, delivery_pk: int):
    """Start a failed contract or proforma delivery again (the quotes' retry)."""
    contract = _contract_or_404(request, pk)
    own = {contract.delivery_id, *contract.proformas.values_list("delivery_id", flat=True)}
    if delivery_pk not in own - {None}:
        raise Http404("No such delivery.")
    try:
        delivery_services.delivery_retry(
            delivery=QuoteDelivery.objects.get(pk=delivery_pk), by=request.user
        )
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Sending again.")
    return redirect("orders:detail", pk=pk)
