"""Quotes: request and response shapes (the pricing preview's are ``pricing.api``)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from customers.models import Contact, Customer, Incoterm
from customers.selectors import contact_list_visible, customer_list_visible
from pricing.api.serializers import (
    ApprovalReasonSerializer,
    PreviewRequestSerializer,
    PreviewResponseSerializer,
)
from quotes.models import Quote, QuoteEvent, QuoteLine, RejectionReason, TermsTemplate

# ---- quotes (docs/api.md, "Quotes")


@extend_schema_field(PreviewResponseSerializer)
class PricingField(serializers.JSONField):
    """The engine's full result stored with the quote, in the preview's shape."""


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
            "term_price_per_mt",
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
            "term_price_per_mt": None
            if line.term_price_per_mt is None
            else str(line.term_price_per_mt.quantize(_PLACES[2])),
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
        """How one field is output, exactly as DRF would; a field type not listed here
        raises (``ImproperlyConfigured``) rather than being output as the raw attribute."""

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
        kind = type(field)
        if kind is serializers.PrimaryKeyRelatedField:
            attname = f"{name}_id"
            return lambda q: getattr(q, attname)
        if (
            kind is serializers.DecimalField
            and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
            and not (field.localize or getattr(field, "normalize_output", False))
        ):
            return _decimal_converter(name, field.decimal_places)
        if kind in (serializers.DateTimeField, serializers.ChoiceField):
            to_repr = field.to_representation
            return lambda q: None if (v := getattr(q, name)) is None else to_repr(v)
        if kind is serializers.DateField:
            return lambda q: None if (v := getattr(q, name)) is None else v.isoformat()
        if kind is serializers.CharField:
            return lambda q: None if (v := getattr(q, name)) is None else str(v)
        if kind in (serializers.IntegerField, serializers.BigIntegerField):
            to_repr = field.to_representation  # int, or str for big ints if so configured
            return lambda q: None if (v := getattr(q, name)) is None else to_repr(v)
        if kind in (serializers.BooleanField, PricingField, ApprovalReasonsField) or (
            kind is serializers.JSONField and not field.binary
        ):
            return lambda q: getattr(q, name)  # a bool, or the stored JSON as it is
        raise ImproperlyConfigured(
            f"QuoteSerializer has no converter for {kind.__name__} {name!r}: add one that "
            "outputs what DRF would, or leave the field to DRF."
        )

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
            "buyer_reference",
            "packaging_notes",
            "bilingual_labels",
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
            "accepted_by_title",
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
    buyer_reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The buyer's enquiry or PO number, printed on the quotation.",
    )
    packaging_notes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    bilingual_labels = serializers.BooleanField(
        required=False,
        help_text="Print the PDF's headings and labels in the buyer's language with English "
        "beneath them (default: false).",
    )
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


class QuoteTranslationGapsQuerySerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="A language we send documents in (settings.LANGUAGES). Default: the "
        "quote's contact's.",
    )


class QuoteTranslationGapsSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="The language checked.")
    gaps = serializers.ListField(
        child=serializers.CharField(),
        help_text="What a send in that language prints in English for want of a "
        "translation, one sentence each (empty: every text has one).",
    )
