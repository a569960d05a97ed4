"""Contracts, proformas, payments and letters of credit in the API.

Same conventions as quotes: paginated lists, 400 field errors, 404 for what the caller may
not see (``orders.selectors`` visibility), 409 for an illegal transition; every write is
one service call.
"""

import django_filters
from django import forms
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from customers.selectors import customer_list_visible
from orders import selectors, services
from orders.models import ContractStatus, LetterOfCredit, Payment, Proforma, SalesContract

from .serializers import (
    AmendmentRequestSerializer,
    BalanceProformaSerializer,
    CancelSerializer,
    ContractEventSerializer,
    ContractListSerializer,
    ContractSerializer,
    ContractUpdateSerializer,
    CountersignSerializer,
    LCAcceptSerializer,
    LetterOfCreditAmendSerializer,
    LetterOfCreditCreateSerializer,
    LetterOfCreditSerializer,
    OrderDocumentSendSerializer,
    PaymentAllocateSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    ProformaSendSerializer,
    ProformaSerializer,
    WriteOffSerializer,
    _delivery_status,
)


class OrdersPermissions(permissions.DjangoModelPermissions):
    """Reading needs the model's view permission (every sales role has it); writes and
    actions add/change. Which rows: the selectors' visibility (others' → 404)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }


class _IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ContractFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    customer = _IntegerFilter(help_text="Customer id")
    owner = _IntegerFilter(help_text="User id of the contract's rep")
    overdue = django_filters.BooleanFilter(help_text="With a proforma past its due date")
    ready = django_filters.BooleanFilter(help_text="Ready to ship (advance or L/C in)")
    search = django_filters.CharFilter(help_text="Contract number, customer or PO contains")

    class Meta:
        model = SalesContract
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return queryset  # the selector applies every filter (the page and the API share it)


def _valid(request, serializer_class, **kw):
    serializer = serializer_class(data=request.data, **kw)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


_CONTRACT = OpenApiResponse(ContractSerializer)
_CONFLICT = OpenApiResponse(description='The state forbids it: {"detail": "..."}')
_FIELD_ERRORS = OpenApiResponse(description='Field errors: {"language": ["..."]}')


@extend_schema_view(
    list=extend_schema(description="Visible contracts, newest first (reps: their customers')."),
    retrieve=extend_schema(description="A contract with lines and proformas; 404 if not yours."),
    partial_update=extend_schema(
        request=ContractUpdateSerializer,
        responses={200: _CONTRACT, 409: _CONFLICT},
        description="Change a draft contract's terms; confirmed contracts are fixed (409).",
    ),
)
class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Sales contracts (made by accepting a quote: ``POST quotes/{id}/accept/``)."""

    permission_classes = [OrdersPermissions]
    filterset_class = ContractFilter
    queryset = SalesContract.objects.none()
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            filterset = ContractFilter(self.request.query_params)
            if not filterset.is_valid():
                raise ValidationError(filterset.errors)
            filters = {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
            return selectors.contract_list(user=user, **filters)
        return (
            selectors.contract_list_visible(user=user)
            .select_related("customer", "owner", "quote", "letter_of_credit")
            .prefetch_related("lines", "proformas")
        )

    def get_serializer_class(self):
        if self.action == "list":
            return ContractListSerializer
        if self.action == "partial_update":
            return ContractUpdateSerializer
        return ContractSerializer

    def _out(self, contract: SalesContract, code: int = status.HTTP_200_OK) -> Response:
        contract = self.get_queryset().get(pk=contract.pk)
        return Response(ContractSerializer(contract).data, code)

    def partial_update(self, request, *args, **kwargs):
        contract = self.get_object()
        data = _valid(request, ContractUpdateSerializer, partial=True)
        return self._out(services.contract_update(contract=contract, by=request.user, **data))

    @extend_schema(request=None, responses={200: _CONTRACT, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm a draft: the deposit proforma is issued from the payment terms."""
        return self._out(services.contract_confirm(contract=self.get_object(), by=request.user))

    @extend_schema(
        request=OrderDocumentSendSerializer,
        responses={202: _CONTRACT, 400: _FIELD_ERRORS, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """E-mail the contract PDF to the buyer (rendered and sent in the background, once)
        in ``language`` (default: the buyer's); ``delivery_status`` follows it."""
        data = _valid(request, OrderDocumentSendSerializer)
        contract = services.contract_send(
            contract=self.get_object(), by=request.user, language=data.get("language")
        )
        return self._out(contract, status.HTTP_202_ACCEPTED)

    @extend_schema(request=CountersignSerializer, responses={200: _CONTRACT, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def countersign(self, request, pk=None):
        """Record the buyer's countersignature (name, title, date)."""
        contract = self.get_object()
        data = _valid(request, CountersignSerializer)
        return self._out(
            services.contract_record_countersignature(contract=contract, by=request.user, **data)
        )

    @extend_schema(request=None, responses={200: _CONTRACT, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Confirmed → in progress."""
        return self._out(services.contract_start(contract=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={200: _CONTRACT, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """In progress → completed (every proforma settled)."""
        return self._out(services.contract_complete(contract=self.get_object(), by=request.user))

    @extend_schema(request=CancelSerializer, responses={200: _CONTRACT, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel with a reason; unpaid proformas are cancelled with it."""
        contract = self.get_object()
        data = _valid(request, CancelSerializer)
        return self._out(
            services.contract_cancel(contract=contract, by=request.user, reason=data["reason"])
        )

    @extend_schema(
        request=BalanceProformaSerializer,
        responses={201: OpenApiResponse(ProformaSerializer), 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="balance-proforma")
    def balance_proforma(self, request, pk=None):
        """Issue the balance proforma (contract value less the other proformas)."""
        contract = self.get_object()
        data = _valid(request, BalanceProformaSerializer)
        proforma = services.proforma_create_balance(
            contract=contract, by=request.user, due_date=data["due_date"]
        )
        return Response(ProformaSerializer(proforma).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ContractEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as documented
    def events(self, request, pk=None):
        """The contract's log, oldest first."""
        events = selectors.contract_events(contract=self.get_object())
        return Response(ContractEventSerializer(events, many=True).data)


@extend_schema_view(
    list=extend_schema(description="Proformas of the visible contracts."),
    retrieve=extend_schema(description="A proforma; 404 if not yours."),
)
class ProformaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proforma invoices (issued by confirming a contract or ``balance-proforma``)."""

    permission_classes = [OrdersPermissions]
    serializer_class = ProformaSerializer
    queryset = Proforma.objects.none()

    def get_queryset(self):
        return (
            selectors.proforma_list_visible(user=self.request.user)
            .select_related("contract")
            .order_by("-issue_date", "-id")
        )

    @extend_schema(
        request=OrderDocumentSendSerializer,
        responses={202: ProformaSendSerializer, 400: _FIELD_ERRORS, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """E-mail the proforma PDF to the buyer (rendered and sent in the background, once)
        in ``language`` (default: the buyer's)."""
        data = _valid(request, OrderDocumentSendSerializer)
        proforma = services.proforma_send(
            proforma=self.get_object(), by=request.user, language=data.get("language")
        )
        return Response(
            {
                "proforma": proforma.number,
                "delivery_status": _delivery_status(proforma.delivery_id),
            },
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        request=WriteOffSerializer,
        responses={200: ProformaSerializer, 403: None, 409: _CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, pk=None):
        """Managers: write off the outstanding difference (bank charges) within the
        tolerance (``MGTRADE_PAYMENT_WRITE_OFF_TOLERANCE_USD``)."""
        proforma = self.get_object()
        data = _valid(request, WriteOffSerializer)
        proforma = services.proforma_write_off(
            proforma=proforma, by=request.user, reason=data["reason"]
        )
        return Response(ProformaSerializer(proforma).data)


def _allocations(user, rows) -> list:
    visible = selectors.proforma_list_visible(user=user)
    found = {p.pk: p for p in visible.filter(pk__in=[row["proforma"] for row in rows])}
    missing = [row["proforma"] for row in rows if row["proforma"] not in found]
    if missing:
        raise ValidationError({"allocations": [f"Unknown proforma id(s): {missing}"]})
    return [(found[row["proforma"]], row["amount"]) for row in rows]


@extend_schema_view(
    list=extend_schema(description="Payments of the visible customers, newest first."),
    retrieve=extend_schema(description="A payment with its allocations; 404 if not yours."),
    create=extend_schema(
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer, 400: OpenApiResponse(description="Field errors")},
        description="Record money received and allocate it to proformas (optional).",
    ),
)
class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments received."""

    permission_classes = [OrdersPermissions]
    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()

    def get_queryset(self):
        return (
            selectors.payment_list_visible(user=self.request.user)
            .prefetch_related("allocations__proforma")
            .order_by("-value_date", "-id")
        )

    def create(self, request, *args, **kwargs):
        data = dict(_valid(request, PaymentCreateSerializer))
        customer = customer_list_visible(user=request.user).filter(pk=data.pop("customer")).first()
        if customer is None:
            raise ValidationError({"customer": ["Unknown customer id."]})
        allocations = _allocations(request.user, data.pop("allocations"))
        payment = services.payment_record(
            customer=customer, by=request.user, allocations=allocations, **data
        )
        return Response(
            PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PaymentAllocateSerializer, responses={200: PaymentSerializer})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Allocate what is still unallocated on the payment."""
        payment = self.get_object()
        data = _valid(request, PaymentAllocateSerializer)
        services.payment_allocate(
            payment=payment,
            by=request.user,
            allocations=_allocations(request.user, data["allocations"]),
        )
        return Response(PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data)


_LC = OpenApiResponse(LetterOfCreditSerializer)


@extend_schema_view(
    list=extend_schema(description="L/Cs of the visible contracts."),
    retrieve=extend_schema(description="An L/C with its check and amendments; 404 if not yours."),
    create=extend_schema(
        request=LetterOfCreditCreateSerializer,
        responses={201: _LC, 400: OpenApiResponse(description="Field errors"), 409: _CONFLICT},
        description="Enter the L/C of a contract under L/C at sight; it is checked against "
        "the contract at once (``discrepancies``).",
    ),
)
class LetterOfCreditViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Letters of credit, their consistency check, amendments and acceptance."""

    permission_classes = [OrdersPermissions]
    serializer_class = LetterOfCreditSerializer
    queryset = LetterOfCredit.objects.none()

    def get_queryset(self):
        return (
            selectors.lc_list_visible(user=self.request.user)
            .select_related("contract")
            .prefetch_related("amendments")
            .order_by("-created_at", "-id")
        )

    def _out(self, lc, code=status.HTTP_200_OK) -> Response:
        return Response(LetterOfCreditSerializer(self.get_queryset().get(pk=lc.pk)).data, code)

    def create(self, request, *args, **kwargs):
        data = dict(_valid(request, LetterOfCreditCreateSerializer))
        try:
            contract = selectors.contract_get_visible(user=request.user, pk=data.pop("contract"))
        except SalesContract.DoesNotExist:
            raise ValidationError({"contract": ["Unknown contract id."]}) from None
        lc = services.lc_record(contract=contract, by=request.user, **data)
        return self._out(lc, status.HTTP_201_CREATED)

    @extend_schema(request=LetterOfCreditAmendSerializer, responses={200: _LC, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Record an amendment (the changed fields, dated); the L/C is checked again."""
        lc = self.get_object()
        data = dict(_valid(request, LetterOfCreditAmendSerializer, partial=True))
        if "date" not in data:
            raise ValidationError({"date": ["This field is required."]})
        services.lc_amend(lc=lc, by=request.user, **data)
        return self._out(lc)

    @extend_schema(request=AmendmentRequestSerializer, responses={200: _LC, 409: _CONFLICT})
    @action(detail=True, methods=["post"], url_path="request-amendment")
    def request_amendment(self, request, pk=None):
        """Record that the buyer was asked to amend the L/C, and what to change."""
        lc = self.get_object()
        data = _valid(request, AmendmentRequestSerializer)
        return self._out(services.lc_request_amendment(lc=lc, by=request.user, text=data["text"]))

    @extend_schema(request=LCAcceptSerializer, responses={200: _LC, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the L/C explicitly (a note is required when it has discrepancies)."""
        lc = self.get_object()
        data = _valid(request, LCAcceptSerializer)
        return self._out(services.lc_accept(lc=lc, by=request.user, note=data["note"]))
