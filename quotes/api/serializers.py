"""Pricing preview and quotes: request and response shapes (docs/api.md, "Pricing preview",
"Quotes")."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from customers.models import Contact, Customer, Incoterm
from customers.selectors import contact_list_visible, customer_list_visible
from pricing.engine import BASES, TARIFF_KINDS
from quotes.models import Quote, QuoteEvent, QuoteLine, RejectionReason, TermsTemplate


class PreviewLineSerializer(serializers.Serializer):
    product = serializers.CharField(max_length=32, help_text="Grade code, e.g. MG9990.")
    quantity_mt = serializers.DecimalField(
        max_digits=12, decimal_places=3, help_text="Metric tonnes, more than 0, at most 100,000."
    )
    unit_price_usd_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="FOB origin port, USD/MT. Default: the list price in force on the quote date.",
    )
    discount_percent = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, help_text="0–100, default 0."
    )


class PreviewRequestSerializer(serializers.Serializer):
    quote_date = serializers.DateField(required=False, help_text="Default: today.")
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    origin_port = serializers.CharField(
        max_length=5, required=False, help_text="UN/LOCODE. Default from settings (CNTXG)."
    )
    destination_port = serializers.CharField(max_length=5, help_text="UN/LOCODE, e.g. DEHAM.")
    currency = serializers.CharField(
        max_length=3, required=False, help_text="ISO 4217. Default USD."
    )
    insurance_rate_percent = serializers.DecimalField(
        max_digits=9, decimal_places=4, required=False, help_text="Default from settings (0.15)."
    )
    tariff_absorption_percent = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        required=False,
        help_text="Share of the buyer's duties the seller absorbs (0–100; must be 0 under DDP).",
    )
    lines = PreviewLineSerializer(many=True, allow_empty=False)


# ---- response (documentation of PricingResult.to_dict(); the view returns that dict)


class DutySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TARIFF_KINDS)
    destination = serializers.CharField(help_text="Country code or EU.")
    origin_country = serializers.CharField()
    hs_prefix = serializers.CharField()
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    specific_usd_per_mt = serializers.DecimalField(max_digits=12, decimal_places=2)
    basis = serializers.ChoiceField(choices=BASES)
    customs_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField(help_text="Legal source of the rate.")
    rule_id = serializers.IntegerField(allow_null=True)


class LineResultSerializer(serializers.Serializer):
    product = serializers.CharField()
    name = serializers.CharField()
    hs_code = serializers.CharField()
    quantity_mt = serializers.DecimalField(max_digits=12, decimal_places=3)
    unit_price_usd_per_mt = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    goods_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="USD")
    duties = DutySerializer(many=True)
    duties_total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="USD")


class ComponentsSerializer(serializers.Serializer):
    goods_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    origin_deduction = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="EXW only; subtracted."
    )
    freight = serializers.DecimalField(max_digits=14, decimal_places=2)
    insurance = serializers.DecimalField(max_digits=14, decimal_places=2)
    duties = serializers.DecimalField(max_digits=14, decimal_places=2)
    destination_charges = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="The seller's (DAP/DPU/DDP only)."
    )
    tariff_absorption = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Subtracted."
    )
    quote_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    landed_cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="null: unknown (no freight rate).",
    )
    landed_cost_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="null: unknown (no freight rate).",
    )
    destination_port_charges = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="The destination port's charges, always in the landed cost.",
    )


class PreviewResponseSerializer(serializers.Serializer):
    quote_date = serializers.DateField()
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    origin_port = serializers.CharField()
    destination_port = serializers.CharField()
    origin_country = serializers.CharField()
    destination_country = serializers.CharField()
    currency = serializers.CharField()
    fx_rate = serializers.DecimalField(
        max_digits=20, decimal_places=8, help_text="Units of the currency per USD."
    )
    insurance_rate_percent = serializers.DecimalField(max_digits=9, decimal_places=4)
    tariff_absorption_percent = serializers.DecimalField(max_digits=7, decimal_places=2)
    containers = serializers.IntegerField()
    total_quantity_mt = serializers.DecimalField(max_digits=12, decimal_places=3)
    freight_usd_per_container = serializers.DecimalField(max_digits=12, decimal_places=2)
    mt_per_container = serializers.DecimalField(max_digits=7, decimal_places=3)
    lines = LineResultSerializer(many=True)
    usd = ComponentsSerializer()
    quote_currency = ComponentsSerializer(help_text="The same components, converted one by one.")
    warnings = serializers.ListField(child=serializers.CharField())


# ---- quotes (docs/api.md, "Quotes")


@extend_schema_field(PreviewResponseSerializer)
class PricingField(serializers.JSONField):
    """The engine's full result stored with the quote, in the preview's shape."""


class ApprovalReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. concession_above_threshold (docs/quotes.md)")
    message = serializers.CharField()
    figures = serializers.DictField(
        child=serializers.CharField(),
        help_text="The figures that matter: list/net price per MT, floor, discount and "
        "absorption in % and USD, margin over floor, stale dates…",
    )
    warning = serializers.BooleanField(help_text="Stale reference data, also a warning.")


@extend_schema_field(ApprovalReasonSerializer(many=True))
class ApprovalReasonsField(serializers.JSONField):
    """Why the quote needs a manager's approval (empty: it needs none)."""


_PLACES = {n: Decimal(1).scaleb(-n) for n in range(0, 9)}


def _decimal_converter(name: str, places: int):
    quantum = _PLACES[places]
    return lambda q: None if (v := getattr(q, name)) is None else str(v.quantize(quantum))


class QuoteLineSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product_code", help_text="Grade code.")
    name = serializers.CharField(source="product_name")
    goods_value = serializers.DecimalField(
        source="goods_value_usd", max_digits=14, decimal_places=2, help_text="USD"
    )

    class Meta:
        model = QuoteLine
        fields = [
            "position",
            "product",
            "name",
            "hs_code",
            "standard",
            "quantity_mt",
            "unit_price_usd_per_mt",
            "discount_percent",
            "goods_value",
        ]
        read_only_fields = fields

    @staticmethod
    def line_dict(line) -> dict:
        """``to_representation`` without DRF's per-field machinery (held equal by a test)."""
        return {
            "position": line.position,
            "product": line.product_code,
            "name": line.product_name,
            "hs_code": line.hs_code,
            "standard": line.standard,
            "quantity_mt": str(line.quantity_mt.quantize(_PLACES[3])),
            "unit_price_usd_per_mt": str(line.unit_price_usd_per_mt.quantize(_PLACES[2])),
            "discount_percent": str(line.discount_percent.quantize(_PLACES[2])),
            "goods_value": str(line.goods_value_usd.quantize(_PLACES[2])),
        }

    def to_representation(self, line):
        return self.line_dict(line)


class QuoteSerializer(serializers.ModelSerializer):
    """A quote as the API returns it (read-only; writes go through the request serializers)."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    lines = QuoteLineSerializer(many=True, read_only=True)
    pricing = PricingField(read_only=True)
    rejection_reason = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    approval_reasons = ApprovalReasonsField(read_only=True)

    def to_representation(self, quote):
        """The same output as DRF's field-by-field path (a test holds them equal), built
        with one converter per field chosen once: a 200-quote page costs a few ms instead
        of ~90. Uses ``customer_name``/``rejection_reason_code`` annotations when the
        queryset has them (the list), else the related rows; likewise ``line_rows`` (the list's
        lines, ``selectors.quote_line_rows_attach``), else ``quote.lines``."""
        converters = self._converters()
        return {name: convert(quote) for name, convert in converters}

    def _converters(self):
        cls = type(self)
        cached = cls.__dict__.get("_converter_cache")
        if cached is not None:
            return cached
        converters = []
        for name, field in self.fields.items():
            converters.append((name, self._converter(name, field)))
        cls._converter_cache = converters
        return converters

    @staticmethod
    def _converter(name, field):
        def attr_or(annotation, fallback):
            return lambda q: getattr(q, annotation) if hasattr(q, annotation) else fallback(q)

        if name == "customer_name":
            return attr_or("customer_name_", lambda q: q.customer.name)
        if name == "rejection_reason":
            return attr_or(
                "rejection_reason_code",
                lambda q: q.rejection_reason.code if q.rejection_reason_id else None,
            )
        if name == "lines":
            line_dict = QuoteLineSerializer.line_dict
            lines = attr_or("line_rows", lambda q: q.lines.all())
            return lambda q: [line_dict(line) for line in lines(q)]
        if isinstance(field, serializers.PrimaryKeyRelatedField):
            attname = f"{name}_id"
            return lambda q: getattr(q, attname)
        if isinstance(field, serializers.DecimalField):
            return _decimal_converter(name, field.decimal_places)
        if isinstance(field, serializers.DateTimeField):
            to_repr = field.to_representation
            return lambda q: None if (v := getattr(q, name)) is None else to_repr(v)
        if isinstance(field, serializers.DateField):
            return lambda q: None if (v := getattr(q, name)) is None else v.isoformat()
        return lambda q: getattr(q, name)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "version",
            "status",
            "previous_version",
            "quote_date",
            "valid_until",
            "customer",
            "customer_name",
            "contact",
            "owner",
            "created_by",
            "incoterm",
            "origin_port",
            "destination_port",
            "destination_country",
            "currency",
            "insurance_rate_percent",
            "tariff_absorption_percent",
            "payment_terms",
            "lead_time",
            "packaging_notes",
            "terms",
            "terms_template",
            "commercial_terms",
            "lines",
            "fx_rate",
            "total_quantity_mt",
            "total_usd",
            "total_quote_currency",
            "landed_cost_per_mt_usd",
            "pricing",
            "approval_reasons",
            "approved_by",
            "approved_at",
            "approval_comment",
            "submitted_at",
            "submission_note",
            "sent_at",
            "viewed_at",
            "decided_at",
            "accepted_by_name",
            "rejection_reason",
            "rejection_note",
            "competitor",
            "competitor_origin",
            "competitor_price_usd_per_mt",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuoteListSerializer(QuoteSerializer):
    """A quote in a list: everything but the full ``pricing`` (read it from the quote's own
    URL). Decoding 200 pricing documents per page doubled the page's time and its GC pauses;
    the totals a list needs are columns."""

    class Meta(QuoteSerializer.Meta):
        fields = [f for f in QuoteSerializer.Meta.fields if f != "pricing"]
        read_only_fields = fields


class QuoteUpdateSerializer(PreviewRequestSerializer):
    """Terms of an editable quote: the preview's request fields plus the quote's own."""

    incoterm = serializers.ChoiceField(
        choices=Incoterm.choices, required=False, help_text="Default: the customer's."
    )
    destination_port = serializers.CharField(
        max_length=5, required=False, help_text="UN/LOCODE. Default: the customer's."
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text="A contact of the customer (not one who opted out of email). Default: its "
        "primary contact, or the first other contact who has not opted out.",
    )
    valid_until = serializers.DateField(
        required=False, help_text="Default: the quote date + the validity setting (7 days)."
    )
    payment_terms = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Default: the customer's."
    )
    lead_time = serializers.CharField(max_length=120, required=False, allow_blank=True)
    packaging_notes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    terms = serializers.CharField(required=False, allow_blank=True)
    terms_template = serializers.PrimaryKeyRelatedField(
        queryset=TermsTemplate.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text="An active terms template; its values are copied into the quote's "
        "commercial_terms. Default (or null): the customer's default template.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Contacts the caller cannot see are "invalid pk", like ids that do not exist.
        user = getattr(self.context.get("request"), "user", None)
        self.fields["contact"].queryset = contact_list_visible(user=user)


class QuoteCreateSerializer(QuoteUpdateSerializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), help_text="A customer the caller can see."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["customer"].queryset = customer_list_visible(user=user)


class QuoteCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class QuoteSubmitSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="A note to the approver."
    )


class QuoteReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What needs to change.")


class QuoteAcceptSerializer(serializers.Serializer):
    buyer_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Who accepted at the buyer (optional when a rep records it).",
    )
    po_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="The buyer's purchase order number, copied onto the sales contract.",
    )


class QuoteRejectSerializer(serializers.Serializer):
    reason = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RejectionReason.objects.filter(active=True),
        help_text="A code of the managed list: price, lead_time, lost_to_competitor, tariff, "
        "no_demand, other.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    competitor = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    competitor_origin = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        default="",
        help_text="ISO 3166-1 alpha-2 of the competitor's origin.",
    )
    competitor_price_usd_per_mt = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


class QuoteCloneSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), help_text="A customer the caller can see."
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["customer"].queryset = customer_list_visible(user=user)
        self.fields["contact"].queryset = contact_list_visible(user=user)


class QuoteEventSerializer(serializers.ModelSerializer):
    by = serializers.PrimaryKeyRelatedField(read_only=True)
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = QuoteEvent
        fields = [
            "id",
            "at",
            "action",
            "from_status",
            "to_status",
            "by",
            "by_name",
            "comment",
            "data",
        ]
        read_only_fields = fields

    def get_by_name(self, event) -> str:
        return str(event.by) if event.by_id else ""
