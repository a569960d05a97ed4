from django.contrib import admin

from mgtrade.translations import language_fieldsets

from .documents import seller
from .models import (
    BankAccount,
    CompanyProfile,
    CustomerTermsDefault,
    Quote,
    QuoteEvent,
    QuoteLine,
    RejectionReason,
    TermsTemplate,
)
from .translation import BANK_TEXT_FIELDS, TERMS_TEXT_FIELDS


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "asks_competitor", "active", "position")
    list_editable = ("active", "position")


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    can_delete = False
    fields = (
        "position",
        "product_code",
        "product_name",
        "hs_code",
        "quantity_mt",
        "unit_price_usd_per_mt",
        "discount_percent",
        "goods_value_usd",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class QuoteEventInline(admin.TabularInline):
    model = QuoteEvent
    extra = 0
    can_delete = False
    fields = ("at", "by", "action", "from_status", "to_status", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Read-only: quotes change only through the app's services (state machine, numbering)."""

    list_display = (
        "number",
        "version",
        "customer",
        "owner",
        "status",
        "incoterm",
        "destination_port",
        "currency",
        "total_quote_currency",
        "quote_date",
        "valid_until",
    )
    list_filter = ("status", "incoterm", "currency")
    search_fields = ("number", "customer__name")
    list_select_related = ("customer", "owner")
    inlines = [QuoteLineInline, QuoteEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    """The one signature block: saved through ``seller.company_profile_update``, which
    checks the stamp image (PNG or JPEG, at most 256 KB) and stores it in the storage."""

    list_display = ("__str__", "signatory_name", "signatory_title", "stamp", "updated_at")
    fields = ("signatory_name", "signatory_title", "stamp", "manufacturer", "country_of_origin")

    def has_add_permission(self, request):
        return not CompanyProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("stamp")
        new_upload = "stamp" in form.changed_data and bool(upload)
        profile = seller.company_profile_update(
            by=request.user,
            stamp=upload.read() if new_upload else None,
            stamp_name=upload.name if new_upload else "stamp.png",
            clear_stamp=upload is False,
            **{name: form.cleaned_data[name] for name in seller.PROFILE_FIELDS},
        )
        obj.pk = profile.pk


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ("currency", "bank_name", "account", "swift", "is_default", "active")
    list_filter = ("currency", "is_default", "active")
    search_fields = ("bank_name", "account", "swift", "beneficiary")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "currency",
                    "beneficiary",
                    "beneficiary_address",
                    "bank_name",
                    "bank_address",
                    "swift",
                    "account",
                    "intermediary_bank",
                    "instructions_en",
                    "is_default",
                    "active",
                ]
            },
        ),
        # The buyer's languages (quotes/translation.py): English above is the source.
        *language_fieldsets(BANK_TEXT_FIELDS),
    ]


class CustomerTermsDefaultInline(admin.TabularInline):
    model = CustomerTermsDefault
    extra = 0
    raw_id_fields = ("customer",)
    verbose_name = "customer whose quotes start from this template"


@admin.register(TermsTemplate)
class TermsTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "payment_method", "quantity_tolerance_percent", "active")
    list_filter = ("payment_method", "active")
    search_fields = ("name",)
    inlines = [CustomerTermsDefaultInline]
    fieldsets = [
        (None, {"fields": ["name", "active"]}),
        (
            "Payment",
            {"fields": ["payment_method", "advance_percent", "balance", "lc_issuing_bank_en"]},
        ),
        (
            "Shipment",
            {
                "fields": [
                    "shipment_period_en",
                    "latest_shipment_days",
                    "partial_shipments_allowed",
                    "transhipment_allowed",
                    "quantity_tolerance_percent",
                    "insurance_clause_en",
                    "documents",
                ]
            },
        ),
        (
            "General terms",
            {
                "fields": [
                    "quality_claims_en",
                    "validity_en",
                    "force_majeure_en",
                    "governing_law_en",
                ]
            },
        ),
        # The buyer's languages (quotes/translation.py): English above is the source.
        *language_fieldsets(TERMS_TEXT_FIELDS),
    ]
