from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from mgtrade.translations import language_fieldsets

from . import selectors, services
from .models import ExchangeRate, FreightRate, Port, Product, ProductPrice, SpecLimit, TariffRule
from .selectors import GRADE_TEXT_FIELDS


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
                    "name_en",
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
            {"fields": ("form_en", "packaging_en", "un_number", "dg_class", "min_order_qty_mt")},
        ),
        ("Pricing control", {"fields": ("floor_price_usd_per_mt",)}),
        (None, {"fields": ("notes",)}),
        # The buyer's languages (products/translation.py): English above is the source.
        *language_fieldsets(GRADE_TEXT_FIELDS),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["name_en"].required = True  # the source every language falls back to
        return form

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
    "its public legal citation and, internally, where the rate was found; “verified on” "
    "says when it was last checked. A change of rate, basis or dates becomes a new "
    "version from its effective date."
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
    """Adding: every field, and "verified today". Changing: text in place; rate, basis or
    end date from an effective date (a new version); see ``services.tariff_rule_change``."""

    verified_today = forms.BooleanField(
        required=False,
        label="I checked this rule against the official tariff today",
    )
    effective_from = forms.DateField(
        required=False,
        help_text="For a change of rate, specific duty, basis or a later end date: the first "
        "day of the new version. Leave empty to edit the text or to end the rule earlier.",
    )

    class Meta:
        model = TariffRule
        fields = services.TARIFF_RULE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original = None
        if self.instance.pk:
            self.original = TariffRule.objects.get(pk=self.instance.pk)
        else:
            del self.fields["effective_from"]

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in services.TARIFF_RULE_FIELDS
        }

    def _post_clean(self):
        if self.original is None:
            return super()._post_clean()
        # A change is checked as the service will write it, not as an edit of this row.
        if self.errors:
            return
        try:
            plan = services.tariff_rule_change_plan(
                rule=TariffRule.objects.get(pk=self.original.pk),
                effective_from=self.cleaned_data.get("effective_from"),
                **self.changes(),
            )
            services._plan_check(plan)
        except ValidationError as exc:
            self._update_errors(exc)

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
        "transport_mode",
        "usd_per_container",
        "mt_per_container",
        "valid_from",
        "valid_to",
        "note",
    )
    list_filter = ("origin_port", "destination_port", "container_type", "transport_mode")
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
class TariffRuleAdmin(SimpleHistoryAdmin):
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
        "verified_on",
        "stale",
    )
    list_filter = ("destination", "kind", "basis", "origin_country")
    search_fields = ("hs_prefix", "legal_citation", "source_note", "destination")
    date_hierarchy = "valid_from"
    readonly_fields = ("verified_on", "verified_by", "previous_version", "created_at")
    actions = ["mark_verified_today"]

    def get_queryset(self, request):
        return selectors.tariff_rule_list()

    @admin.display(boolean=True, description="stale", ordering="is_stale")
    def stale(self, obj):
        return obj.is_stale

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*services.TARIFF_RULE_KEY_FIELDS, *self.readonly_fields)

    def get_fieldsets(self, request, obj=None):
        key = ("destination", "origin_country", "hs_prefix", "kind", "basis")
        validity = (
            ("valid_from", "valid_to")
            if obj is None
            else ("valid_from", "valid_to", "effective_from")
        )
        return (
            (None, {"fields": key}),
            ("Duty", {"fields": ("rate_percent", "specific_usd_per_mt", "transport_mode")}),
            ("Fees per entry", {"fields": ("min_usd_per_entry", "max_usd_per_entry")}),
            ("Validity", {"fields": validity}),
            ("Sources", {"fields": ("legal_citation", "source_note")}),
            (
                "Verification",
                {
                    "fields": (
                        "verified_today",
                        "verified_on",
                        "verified_by",
                        "previous_version",
                        "created_at",
                    )
                },
            ),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # history: end a rule instead

    def save_model(self, request, obj, form, change):
        verified = form.cleaned_data.get("verified_today")
        if not change:
            fields = {name: form.cleaned_data[name] for name in services.TARIFF_RULE_FIELDS}
            rule = services.tariff_rule_create(
                by=request.user,
                verified_on=timezone.localdate() if verified else None,
                **fields,
            )
        else:
            rule = services.tariff_rule_change(
                rule=form.original,
                by=request.user,
                effective_from=form.cleaned_data.get("effective_from"),
                **form.changes(),
            )
            if verified:
                rule = services.tariff_rule_verify(rule=rule, by=request.user)
            if rule.pk != obj.pk:
                messages.info(
                    request, f"Saved as a new version (#{rule.pk}) from {rule.valid_from}."
                )
        obj.pk = rule.pk
        obj.__dict__.update({k: v for k, v in rule.__dict__.items() if not k.startswith("_")})

    @admin.action(description="Mark as verified today (checked against the official tariff)")
    def mark_verified_today(self, request, queryset):
        for rule in queryset:
            services.tariff_rule_verify(rule=rule, by=request.user)
        messages.success(request, f"Marked {queryset.count()} rule(s) as verified today.")

    def _warn(self, request):
        messages.warning(request, TARIFF_WARNING)

    def changelist_view(self, request, extra_context=None):
        self._warn(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "GET":
            self._warn(request)
        return super().changeform_view(request, object_id, form_url, extra_context)
