"""Shapes of contracts, proformas, payments and L/Cs in the API (docs/api.md conventions:
amounts as strings, dates ISO; writes validated here for shape, by the services for rules)."""

from django.conf import settings
from rest_framework import serializers

from orders.models import (
    BalanceTerms,
    ContractEvent,
    ContractLine,
    LCAmendment,
    LetterOfCredit,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    Proforma,
    SalesContract,
)


def _delivery_status(delivery_id: int | None) -> str | None:
    if delivery_id is None:
        return None
    from quotes.models import QuoteDelivery
    from quotes.sending.selectors import delivery_state

    return str(delivery_state(delivery=QuoteDelivery.objects.get(pk=delivery_id)).status)


class ProformaSendSerializer(serializers.Serializer):
    proforma = serializers.CharField(help_text="Proforma number")
    delivery_status = serializers.CharField()


class ContractLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractLine
        fields = [
            "position",
            "product_code",
            "product_name",
            "hs_code",
            "standard",
            "quantity_mt",
            "unit_price",
            "amount",
        ]


class ProformaSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    is_overdue = serializers.SerializerMethodField()
    sent_to_buyer = serializers.SerializerMethodField()

    class Meta:
        model = Proforma
        fields = [
            "id",
            "number",
            "contract",
            "contract_number",
            "kind",
            "status",
            "percent",
            "currency",
            "amount",
            "issue_date",
            "due_date",
            "bank",
            "received_amount",
            "written_off_amount",
            "written_off_reason",
            "outstanding",
            "is_overdue",
            "overdue_since",
            "paid_at",
            "sent_to_buyer",
        ]
        read_only_fields = fields

    def get_sent_to_buyer(self, obj) -> bool:
        return obj.delivery_id is not None

    def get_is_overdue(self, obj) -> bool:
        from django.utils import timezone

        return obj.status == "issued" and obj.due_date < timezone.localdate()


class ContractListSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, default=False)
    ready_to_ship = serializers.BooleanField(source="is_ready_to_ship", read_only=True)

    class Meta:
        model = SalesContract
        fields = [
            "id",
            "number",
            "status",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
            "contract_date",
            "buyer_po_number",
            "currency",
            "total_amount",
            "total_quantity_mt",
            "incoterm",
            "named_place",
            "payment_method",
            "latest_shipment_date",
            "ready_to_ship",
            "is_overdue",
        ]
        read_only_fields = fields


class ContractSerializer(ContractListSerializer):
    lines = ContractLineSerializer(many=True, read_only=True)
    proformas = ProformaSerializer(many=True, read_only=True)
    quote = serializers.PrimaryKeyRelatedField(read_only=True)
    quote_reference = serializers.CharField(source="quote.reference", read_only=True)
    payment_terms = serializers.CharField(source="payment_terms_label", read_only=True)
    letter_of_credit = serializers.SerializerMethodField()
    delivery_status = serializers.SerializerMethodField(
        help_text="The contract PDF's e-mail to the buyer: null (not sent), queued, "
        "rendering, sending, sent, retrying, failed or needs_decision."
    )

    class Meta(ContractListSerializer.Meta):
        fields = [
            *ContractListSerializer.Meta.fields,
            "quote",
            "quote_reference",
            "buyer",
            "consignee",
            "accepted_via",
            "accepted_by_name",
            "accepted_at",
            "port_of_loading",
            "port_of_discharge",
            "payment_terms",
            "advance_percent",
            "balance_terms",
            "payment_terms_text",
            "shipment_from",
            "tolerance_percent",
            "partial_shipments",
            "transhipment",
            "documents",
            "terms_text",
            "confirmed_at",
            "countersigned_on",
            "countersigned_by_name",
            "countersigned_by_title",
            "ready_to_ship_at",
            "cancel_reason",
            "lines",
            "proformas",
            "letter_of_credit",
            "delivery_status",
        ]
        read_only_fields = fields

    def get_delivery_status(self, obj) -> str | None:
        return _delivery_status(obj.delivery_id)

    def get_letter_of_credit(self, obj) -> int | None:
        lc = getattr(obj, "letter_of_credit", None)
        return lc.pk if lc else None


class ContractUpdateSerializer(serializers.Serializer):
    """The terms of a draft contract (a confirmed contract is fixed: 409)."""

    consignee = serializers.CharField(required=False, allow_blank=True)
    buyer_po_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    advance_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )
    balance_terms = serializers.ChoiceField(choices=BalanceTerms.choices, required=False)
    shipment_from = serializers.DateField(required=False)
    latest_shipment_date = serializers.DateField(required=False)
    tolerance_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, min_value=0, max_value=20
    )
    partial_shipments = serializers.BooleanField(required=False)
    transhipment = serializers.BooleanField(required=False)
    documents = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    terms_text = serializers.CharField(required=False, allow_blank=True)


class ContractEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = ContractEvent
        fields = ["at", "by", "action", "from_status", "to_status", "comment", "data"]


class OrderDocumentSendSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language of the PDF (one of settings.LANGUAGES). Default: the language "
        "the accepted quote was sent in, else the buyer contact's (English for a language we "
        "do not ship).",
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CountersignSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    signed_on = serializers.DateField()


class BalanceProformaSerializer(serializers.Serializer):
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class WriteOffSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AllocationSerializer(serializers.Serializer):
    proforma = serializers.IntegerField(help_text="Proforma id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class AllocationOutSerializer(serializers.ModelSerializer):
    proforma_number = serializers.CharField(source="proforma.number", read_only=True)

    class Meta:
        model = PaymentAllocation
        fields = ["proforma", "proforma_number", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    allocations = AllocationOutSerializer(many=True, read_only=True)
    unallocated = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "customer",
            "amount",
            "currency",
            "value_date",
            "bank_reference",
            "payer",
            "note",
            "allocations",
            "unallocated",
            "created_at",
        ]
        read_only_fields = fields

    def get_unallocated(self, obj) -> str:
        allocated = sum((a.amount for a in obj.allocations.all()), 0)
        return f"{obj.amount - allocated:.2f}"


class PaymentCreateSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text="Customer id")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3)
    value_date = serializers.DateField()
    bank_reference = serializers.CharField(max_length=60)
    payer = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    allocations = AllocationSerializer(many=True, required=False, default=list)


class PaymentAllocateSerializer(serializers.Serializer):
    allocations = AllocationSerializer(many=True)


class LCAmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LCAmendment
        fields = ["sequence", "date", "changes", "note", "created_at"]


class DiscrepancySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    lc_value = serializers.CharField()
    contract_value = serializers.CharField()


LC_WRITE_FIELDS = [
    "number",
    "issue_date",
    "issuing_bank",
    "advising_bank",
    "applicant",
    "beneficiary",
    "currency",
    "amount",
    "tolerance_percent",
    "expiry_date",
    "expiry_place",
    "latest_shipment_date",
    "presentation_days",
    "partial_shipments_allowed",
    "transhipment_allowed",
    "port_of_loading",
    "port_of_discharge",
    "incoterm",
    "documents_required",
    "additional_conditions",
]


class LetterOfCreditSerializer(serializers.ModelSerializer):
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    amendments = LCAmendmentSerializer(many=True, read_only=True)
    discrepancies = DiscrepancySerializer(many=True, read_only=True)
    effective_presentation_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = LetterOfCredit
        fields = [
            "id",
            "contract",
            "contract_number",
            "status",
            *LC_WRITE_FIELDS,
            "effective_presentation_days",
            "discrepancies",
            "checked_at",
            "amendment_request",
            "accepted_at",
            "amendments",
        ]
        read_only_fields = fields


class LetterOfCreditCreateSerializer(serializers.ModelSerializer):
    contract = serializers.IntegerField(help_text="Contract id")
    documents_required = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list
    )

    class Meta:
        model = LetterOfCredit
        fields = ["contract", *LC_WRITE_FIELDS]


class LetterOfCreditAmendSerializer(serializers.ModelSerializer):
    date = serializers.DateField(help_text="The amendment's date")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    documents_required = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False
    )

    class Meta:
        model = LetterOfCredit
        fields = ["date", "note", *LC_WRITE_FIELDS]
        extra_kwargs = {name: {"required": False} for name in LC_WRITE_FIELDS}


class AmendmentRequestSerializer(serializers.Serializer):
    text = serializers.CharField()


class LCAcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
