"""Lots (with their analysis and the CSV import), customer specifications and shipments in
the API. Lots are everyone's to read and QC's or an admin's to write; shipments follow their
contract's visibility (others' → 404). Every write is one ``orders.shipping`` call."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from customers.csvio import decode_upload
from customers.selectors import customer_list_visible
from orders import export_documents, selectors, shipping
from orders.models import (
    Container,
    CustomerSpecLimit,
    ExportDocument,
    Lot,
    LotAllocation,
    LotAnalysis,
    SalesContract,
    Shipment,
    ShipmentStatus,
)
from products.models import Product

from .views import OrdersPermissions

_CONFLICT = OpenApiResponse(description='The state forbids it: {"detail": "..."}')


class LotAnalysisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LotAnalysis
        fields = ["element", "measured_percent"]


class LotSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all())
    analyses = LotAnalysisSerializer(many=True, required=False)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "product",
            "production_date",
            "net_weight_mt",
            "ingots",
            "bundles",
            "notes",
            "analyses",
            "findings",
            "created_at",
        ]
        read_only_fields = ["id", "findings", "created_at"]
        extra_kwargs = {"number": {"validators": []}}

    def get_findings(self, obj) -> list[dict]:
        """The analysis against the grade's limits (``passed`` per limit)."""
        return [{**f.as_dict(), "passed": f.passed} for f in shipping.lot_check(lot=obj)]


class AnalysesSetSerializer(serializers.Serializer):
    analyses = LotAnalysisSerializer(many=True)


class AnalysisImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="CSV lot,element,measured_percent")
    text = serializers.CharField(required=False, help_text="The same CSV as text")


class AnalysisImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class LotViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Lots with their analysis; ``findings`` is the check against the grade."""

    permission_classes = [OrdersPermissions]
    serializer_class = LotSerializer
    queryset = Lot.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.lot_list().prefetch_related("analyses", "product__spec_limits")

    def create(self, request, *args, **kwargs):
        serializer = LotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        analyses = {a["element"]: a["measured_percent"] for a in data.pop("analyses", [])}
        lot = shipping.lot_create(by=request.user, analyses=analyses, **data)
        return Response(LotSerializer(selectors.lot_get(pk=lot.pk)).data, status.HTTP_201_CREATED)

    @extend_schema(request=AnalysesSetSerializer, responses={200: LotSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def analyses(self, request, pk=None):
        """Add or correct measured values (refused once the lot is on board)."""
        lot = self.get_object()
        serializer = AnalysesSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {
            a["element"]: a["measured_percent"] for a in serializer.validated_data["analyses"]
        }
        shipping.lot_set_analyses(lot=lot, by=request.user, analyses=values)
        return Response(LotSerializer(selectors.lot_get(pk=lot.pk)).data)

    @extend_schema(
        request=AnalysisImportSerializer,
        responses={
            200: AnalysisImportResultSerializer,
            400: OpenApiResponse(
                description='Nothing imported: field errors ({"file": ["..."]}) or the rows\' '
                'errors ({"created": 0, "updated": 0, "errors": ["line 3: ..."]}).'
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="import-analyses")
    def import_analyses(self, request):
        """Import analyses from a CSV: every row checked first; any error and nothing is
        imported (400 with the errors by line)."""
        serializer = AnalysisImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        if upload is not None:
            text = decode_upload(upload.read())
        elif serializer.validated_data.get("text"):
            text = serializer.validated_data["text"]
        else:
            raise ValidationError({"file": ["Send a CSV file or its text."]})
        result = shipping.analyses_import_csv(by=request.user, text=text)
        body = {"created": result.created, "updated": result.updated, "errors": result.errors}
        return Response(body, status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK)


class CustomerSpecLimitSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all())

    class Meta:
        model = CustomerSpecLimit
        fields = ["id", "customer", "contract", "product", "element", "min_percent", "max_percent"]
        read_only_fields = ["id"]


class CustomerSpecLimitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A buyer's own limits, stricter than the grade (for one contract when ``contract`` is
    set); checked with the grade's when a lot is allocated."""

    permission_classes = [OrdersPermissions]
    serializer_class = CustomerSpecLimitSerializer
    queryset = CustomerSpecLimit.objects.none()

    def get_queryset(self):
        customers = customer_list_visible(user=self.request.user)
        return (
            CustomerSpecLimit.objects.filter(customer__in=customers)
            .select_related("product")
            .order_by("customer_id", "product__code", "element")
        )

    def create(self, request, *args, **kwargs):
        serializer = CustomerSpecLimitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not customer_list_visible(user=request.user).filter(pk=data["customer"].pk).exists():
            raise ValidationError({"customer": ["Unknown customer id."]})
        limit = shipping.customer_spec_limit_set(by=request.user, **data)
        return Response(CustomerSpecLimitSerializer(limit).data, status.HTTP_201_CREATED)


class LotAllocationSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(source="lot.number", read_only=True)
    override_by = serializers.CharField(read_only=True, allow_null=True)  # the manager, if any

    class Meta:
        model = LotAllocation
        fields = [
            "id",
            "contract_line",
            "lot",
            "lot_number",
            "quantity_mt",
            "findings",
            "override_reason",
            "override_by",
        ]


class ContainerSerializer(serializers.ModelSerializer):
    lots = serializers.PrimaryKeyRelatedField(many=True, queryset=Lot.objects.all(), required=False)

    class Meta:
        model = Container
        fields = [
            "id",
            "number",
            "seal",
            "type",
            "net_weight_mt",
            "gross_weight_mt",
            "bundles",
            "lots",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"number": {"validators": []}}


class ShipmentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    allocations = LotAllocationSerializer(many=True, read_only=True)
    containers = ContainerSerializer(many=True, read_only=True)
    balance_proforma = serializers.SlugRelatedField(slug_field="number", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = [
            "id",
            "contract",
            "reference",
            "sequence",
            "status",
            *shipping.SHIPMENT_FIELDS,
            "bl_number",
            "on_board_date",
            "arrived_on",
            "deposit_applied",
            "balance_proforma",
            "presentation_discrepancies",
            "discrepancies_acknowledged_at",
            "discrepancies_note",
            "documents_status",
            "allocations",
            "containers",
            "warnings",
        ]
        read_only_fields = [
            "id",
            "sequence",
            "status",
            "bl_number",
            "on_board_date",
            "arrived_on",
            "deposit_applied",
        ]

    documents_status = serializers.SerializerMethodField()

    def get_documents_status(self, obj) -> str | None:
        """Where the e-mailed document set stands (null: not sent)."""
        from .serializers import _delivery_status

        return _delivery_status(obj.documents_delivery_id)

    def get_warnings(self, obj) -> list[str]:
        return shipping.shipment_warnings(obj)


class ShipmentWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = list(shipping.SHIPMENT_FIELDS)
        extra_kwargs = {
            "port_of_loading": {"required": False},
            "port_of_discharge": {"required": False},
        }


class ShipmentCreateSerializer(ShipmentWriteSerializer):
    contract = serializers.IntegerField()

    class Meta(ShipmentWriteSerializer.Meta):
        fields = ["contract", *shipping.SHIPMENT_FIELDS]


class AllocateSerializer(serializers.Serializer):
    contract_line = serializers.IntegerField()
    lot = serializers.IntegerField()
    quantity_mt = serializers.DecimalField(
        max_digits=12, decimal_places=3, required=False, allow_null=True
    )
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class LoadSerializer(serializers.Serializer):
    bl_number = serializers.CharField(max_length=40)
    on_board_date = serializers.DateField()


class ArriveSerializer(serializers.Serializer):
    arrived_on = serializers.DateField(required=False)


def _valid(request, serializer_class, **kw):
    serializer = serializer_class(data=request.data, **kw)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ExportDocumentSerializer(serializers.ModelSerializer):
    lot_number = serializers.CharField(
        source="lot.number", read_only=True, default=None, allow_null=True
    )
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportDocument
        fields = [
            "id",
            "kind",
            "number",
            "revision",
            "lot",
            "lot_number",
            "issued_at",
            "pdf_sha256",
            "pdf_size",
            "superseded_at",
            "correction_reason",
            "pdf_url",
        ]

    def get_pdf_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("orders:export_pdf", args=[obj.pk])


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000)


class SendDocumentsSerializer(serializers.Serializer):
    bank_email = serializers.EmailField(required=False, allow_blank=True, default="")


class CorrectionSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    reason = serializers.CharField(max_length=500)


class ShipmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Shipments of the contracts you see: lots, containers, booking, B/L, arrival."""

    permission_classes = [OrdersPermissions]
    serializer_class = ShipmentSerializer
    queryset = Shipment.objects.none()
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        qs = selectors.shipment_list_visible(user=self.request.user).select_related(
            "contract", "contract__letter_of_credit", "balance_proforma"
        )
        state = self.request.query_params.get("status")
        if self.action == "list" and state:
            if state not in ShipmentStatus.values:
                raise ValidationError({"status": [f"One of {', '.join(ShipmentStatus.values)}."]})
            qs = qs.filter(status=state)
        return qs.prefetch_related(
            "allocations__lot", "allocations__override_by", "containers__lots"
        ).order_by("-created_at", "-id")

    def _out(self, shipment, code=status.HTTP_200_OK) -> Response:
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data, code)

    @extend_schema(
        request=ShipmentCreateSerializer, responses={201: ShipmentSerializer, 409: _CONFLICT}
    )
    def create(self, request, *args, **kwargs):
        data = _valid(request, ShipmentCreateSerializer)
        try:
            contract = selectors.contract_get_visible(user=request.user, pk=data.pop("contract"))
        except SalesContract.DoesNotExist:
            raise ValidationError({"contract": ["Unknown contract id."]}) from None
        shipment = shipping.shipment_create(contract=contract, by=request.user, **data)
        return self._out(shipment, status.HTTP_201_CREATED)

    @extend_schema(
        request=ShipmentWriteSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT}
    )
    def partial_update(self, request, *args, **kwargs):
        shipment = self.get_object()
        data = _valid(request, ShipmentWriteSerializer, partial=True)
        return self._out(shipping.shipment_update(shipment=shipment, by=request.user, **data))

    @extend_schema(request=AllocateSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Allocate a lot to a contract line; an out-of-spec lot needs a manager's
        ``override_reason``."""
        shipment = self.get_object()
        data = _valid(request, AllocateSerializer)
        line = shipment.contract.lines.filter(pk=data.pop("contract_line")).first()
        lot = Lot.objects.filter(pk=data.pop("lot")).first()
        if line is None:
            raise ValidationError({"contract_line": ["Not a line of this shipment's contract."]})
        if lot is None:
            raise ValidationError({"lot": ["Unknown lot id."]})
        shipping.lot_allocate(
            shipment=shipment, by=request.user, contract_line=line, lot=lot, **data
        )
        return self._out(shipment)

    @extend_schema(request=ContainerSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def containers(self, request, pk=None):
        """Add a container (ISO 6346 number, seal, weights, bundles, the lots in it)."""
        shipment = self.get_object()
        data = _valid(request, ContainerSerializer)
        shipping.container_add(
            shipment=shipment, by=request.user, **{**data, "lots": list(data.get("lots", []))}
        )
        return self._out(shipment)

    @extend_schema(
        request=ShipmentWriteSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        """Planned → booked (booking number and vessel required)."""
        shipment = self.get_object()
        data = _valid(request, ShipmentWriteSerializer, partial=True)
        return self._out(shipping.shipment_book(shipment=shipment, by=request.user, **data))

    @extend_schema(request=LoadSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def load(self, request, pk=None):
        """Booked → loaded: B/L number and on-board date (the balance proforma follows the
        payment terms)."""
        shipment = self.get_object()
        data = _valid(request, LoadSerializer)
        return self._out(shipping.shipment_load(shipment=shipment, by=request.user, **data))

    @extend_schema(request=ArriveSerializer, responses={200: ShipmentSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        shipment = self.get_object()
        data = _valid(request, ArriveSerializer)
        return self._out(shipping.shipment_arrive(shipment=shipment, by=request.user, **data))

    @extend_schema(request=None, responses={200: ShipmentSerializer, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Arrived → completed once its balance is paid (the contract completes with its last)."""
        shipment = self.get_object()
        return self._out(shipping.shipment_complete(shipment=shipment, by=request.user))

    @extend_schema(request=None, responses={200: ExportDocumentSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as documented
    def documents(self, request, pk=None):
        """The shipment's export documents, every revision (``superseded_at`` set on old ones)."""
        shipment = self.get_object()
        docs = shipment.documents.select_related("lot").order_by("kind", "number", "revision")
        return Response(ExportDocumentSerializer(docs, many=True).data)

    @extend_schema(
        request=None, responses={201: ExportDocumentSerializer(many=True), 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="issue-documents", pagination_class=None)
    def issue_documents(self, request, pk=None):
        """Issue what is missing: commercial invoice, packing list, a certificate per lot."""
        docs = export_documents.shipment_documents_issue(
            shipment=self.get_object(), by=request.user
        )
        return Response(ExportDocumentSerializer(docs, many=True).data, status.HTTP_201_CREATED)

    @extend_schema(request=CorrectionSerializer, responses={201: ExportDocumentSerializer})
    @action(detail=True, methods=["post"], url_path="correct-document")
    def correct_document(self, request, pk=None):
        """A correction: a new revision of one document (the old one is superseded)."""
        shipment = self.get_object()
        data = _valid(request, CorrectionSerializer)
        doc = shipment.documents.filter(pk=data["document"]).first()
        if doc is None:
            raise ValidationError({"document": ["Not a document of this shipment."]})
        new = export_documents.export_document_revise(
            document=doc, by=request.user, reason=data["reason"]
        )
        return Response(ExportDocumentSerializer(new).data, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ShipmentSerializer})
    @action(detail=True, methods=["post"], url_path="presentation-check")
    def presentation_check(self, request, pk=None):
        """Check the current documents against the L/C (``presentation_discrepancies``)."""
        shipment = self.get_object()
        export_documents.presentation_check(shipment=shipment, by=request.user)
        return self._out(shipment)

    @extend_schema(request=AcknowledgeSerializer, responses={200: ShipmentSerializer, 403: None})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Managers: let the documents go despite the presentation discrepancies."""
        shipment = self.get_object()
        data = _valid(request, AcknowledgeSerializer)
        export_documents.discrepancies_acknowledge(shipment=shipment, by=request.user, **data)
        return self._out(shipment)

    @extend_schema(
        request=SendDocumentsSerializer, responses={202: ShipmentSerializer, 409: _CONFLICT}
    )
    @action(detail=True, methods=["post"], url_path="send-documents")
    def send_documents(self, request, pk=None):
        """E-mail the set (one PDF) to the buyer, and the bank contact under an L/C, once."""
        shipment = self.get_object()
        data = _valid(request, SendDocumentsSerializer)
        export_documents.shipment_documents_send(shipment=shipment, by=request.user, **data)
        return self._out(shipment, status.HTTP_202_ACCEPTED)
