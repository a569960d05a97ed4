from django_countries.serializer_fields import CountryField as CountrySerializerField
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from products.models import (
    Category,
    ExchangeRate,
    FreightRate,
    Port,
    Product,
    ProductPrice,
    TariffRule,
)


class SpecLimitSerializer(serializers.Serializer):
    element = serializers.CharField(max_length=24)
    min_percent = serializers.DecimalField(
        max_digits=7, decimal_places=4, allow_null=True, required=False, default=None
    )
    max_percent = serializers.DecimalField(
        max_digits=7, decimal_places=4, allow_null=True, required=False, default=None
    )


class ProductSerializer(serializers.ModelSerializer):
    spec = SpecLimitSerializer(many=True, required=False)
    list_price_usd_per_mt = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        source="list_price",
        help_text="The list price in force today (FOB origin port).",
    )
    category = serializers.ChoiceField(choices=Category.choices)

    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "category",
            "hs_code",
            "purity_percent",
            "standard",
            "spec",
            "spec_source",
            "form",
            "packaging",
            "un_number",
            "dg_class",
            "min_order_qty_mt",
            "floor_price_usd_per_mt",
            "list_price_usd_per_mt",
            "active",
            "notes",
        ]
        # Uniqueness and cross-field rules are checked by the service (model.full_clean).
        extra_kwargs = {"code": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["spec"] = SpecLimitSerializer(instance.spec_limits.all(), many=True).data
        return data


class ProductPriceSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ProductPrice
        fields = ["usd_per_mt", "effective_from", "note", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        validators = []  # the service explains a duplicate date in words


# ---------------------------------------------------------------- reference data for pricing


class PortSerializer(CountryFieldMixin, serializers.ModelSerializer):
    class Meta:
        model = Port
        fields = [
            "code",
            "name",
            "country",
            "origin_charges_usd_per_mt",
            "destination_charges_usd_per_mt",
            "note",
        ]
        extra_kwargs = {"code": {"validators": []}}  # the service explains duplicates


class FreightRateSerializer(serializers.ModelSerializer):
    origin_port = serializers.SlugRelatedField(slug_field="code", queryset=Port.objects.all())
    destination_port = serializers.SlugRelatedField(slug_field="code", queryset=Port.objects.all())

    class Meta:
        model = FreightRate
        fields = [
            "id",
            "origin_port",
            "destination_port",
            "container_type",
            "usd_per_container",
            "mt_per_container",
            "valid_from",
            "valid_to",
            "note",
        ]


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "rate_per_usd", "date", "source"]
        validators = []  # the model's full_clean explains a duplicate date


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^[A-Z]{2}$",
        "description": "ISO 3166-1 alpha-2",
        "example": "CN",
    }
)
class OriginCountryField(CountrySerializerField):
    """A country code; documented as a string so the schema has one country enum."""


class TariffRuleSerializer(CountryFieldMixin, serializers.ModelSerializer):
    origin_country = OriginCountryField(default="CN")
    verified_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    is_stale = serializers.SerializerMethodField(
        help_text="Never verified, or not verified for MGTRADE_TARIFF_VERIFY_DAYS days."
    )
    effective_from = serializers.DateField(
        write_only=True,
        required=False,
        help_text="On a change of rate, specific duty, basis or a later end date: the first "
        "day of the new version (the response is that new row).",
    )
    verified = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="On create: the caller checked the rule against the official tariff today.",
    )

    class Meta:
        model = TariffRule
        fields = [
            "id",
            "destination",
            "origin_country",
            "hs_prefix",
            "kind",
            "rate_percent",
            "specific_usd_per_mt",
            "basis",
            "min_usd_per_entry",
            "max_usd_per_entry",
            "valid_from",
            "valid_to",
            "legal_citation",
            "source_note",
            "verified_on",
            "verified_by",
            "is_stale",
            "previous_version",
            "effective_from",
            "verified",
        ]
        read_only_fields = ["verified_on", "previous_version"]

    def get_is_stale(self, obj) -> bool:
        stale = getattr(obj, "is_stale", None)
        if stale is None:
            from products import selectors

            stale = bool(selectors.tariff_rule_ids_stale(ids=[obj.pk]))
        return stale
