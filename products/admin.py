from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import ExchangeRate, FreightRate, Port, Product, ProductPrice, SpecLimit, TariffRule


class SpecLimitInline(admin.TabularInline):
    model = SpecLimit
    extra = 0
    fields = ("position", "element", "min_percent", "max_percent")


class ProductPriceInline(admin.TabularInline):
    """Prices are history: existing rows are read-only; add a new row for a new date."""

    model = ProductPrice
    extra = 0
    fields = ("effective_from", "usd_per_mt", "note", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    ordering = ("-effective_from",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "hs_code", "purity_percent", "standard", "active")
    list_filter = ("category", "active", "hs_code")
    search_fields = ("code", "name", "standard", "hs_code")
    inlines = [SpecLimitInline, ProductPriceInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "name",
                    "category",
                    "hs_code",
                    "purity_percent",
                    "standard",
                    "active",
                )
            },
        ),
        ("Specification", {"fields": ("spec_source",)}),
        (
            "Form and logistics",
            {"fields": ("form", "packaging", "un_number", "dg_class", "min_order_qty_mt")},
        ),
        ("Pricing control", {"fields": ("floor_price_usd_per_mt",)}),
        (None, {"fields": ("notes",)}),
    )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ProductPrice) and not instance.pk:
                instance.created_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(ProductPrice)
class ProductPriceAdmin(admin.ModelAdmin):
    list_display = ("product", "usd_per_mt", "effective_from", "note", "created_by")
    list_filter = ("product",)
    date_hierarchy = "effective_from"
    readonly_fields = ("created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)


# ---------------------------------------------------------------- reference data for pricing

TARIFF_WARNING = (
    "Tariff rates must be checked against the official tariff (EU TARIC, US HTS and "
    "Federal Register, Brazil's DOU, India's customs tariff) before use. Every rule names "
    "its legal source in “reference”."
)


class _ServiceCheckedForm(forms.ModelForm):
    """Runs the service's cross-row checks (overlapping periods) as form errors."""

    def service_check(self) -> None:
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.service_check()
        except ValidationError as exc:
            self._update_errors(exc)


class FreightRateForm(_ServiceCheckedForm):
    class Meta:
        model = FreightRate
        fields = services.FREIGHT_RATE_FIELDS

    def service_check(self) -> None:
        services.freight_rate_check(rate=self.instance)


class TariffRuleForm(_ServiceCheckedForm):
    class Meta:
        model = TariffRule
        fields = services.TARIFF_RULE_FIELDS

    def service_check(self) -> None:
        services.tariff_rule_check(rule=self.instance)


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "country",
        "origin_charges_usd_per_mt",
        "destination_charges_usd_per_mt",
        "note",
    )
    list_filter = ("country",)
    search_fields = ("code", "name", "note")


@admin.register(FreightRate)
class FreightRateAdmin(admin.ModelAdmin):
    form = FreightRateForm
    list_display = (
        "origin_port",
        "destination_port",
        "container_type",
        "usd_per_container",
        "mt_per_container",
        "valid_from",
        "valid_to",
        "note",
    )
    list_filter = ("origin_port", "destination_port", "container_type")
    list_select_related = ("origin_port", "destination_port")
    search_fields = ("origin_port__code", "destination_port__code", "note")
    date_hierarchy = "valid_from"
    autocomplete_fields = ("origin_port", "destination_port")


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate_per_usd", "date", "source")
    list_filter = ("currency", "source")
    search_fields = ("currency", "source")
    date_hierarchy = "date"


@admin.register(TariffRule)
class TariffRuleAdmin(admin.ModelAdmin):
    form = TariffRuleForm
    list_display = (
        "destination",
        "origin_country",
        "hs_prefix",
        "kind",
        "rate_percent",
        "specific_usd_per_mt",
        "basis",
        "valid_from",
        "valid_to",
    )
    list_filter = ("destination", "kind", "basis", "origin_country")
    search_fields = ("hs_prefix", "reference", "note", "destination")
    date_hierarchy = "valid_from"
    fieldsets = (
        (None, {"fields": ("destination", "origin_country", "hs_prefix", "kind", "basis")}),
        ("Duty", {"fields": ("rate_percent", "specific_usd_per_mt")}),
        ("Validity", {"fields": ("valid_from", "valid_to")}),
        ("Source", {"fields": ("reference", "note")}),
    )

    def _warn(self, request):
        messages.warning(request, TARIFF_WARNING)

    def changelist_view(self, request, extra_context=None):
        self._warn(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "GET":
            self._warn(request)
        return super().changeform_view(request, object_id, form_url, extra_context)
