"""Admin: contracts, proformas, payments and L/Cs are read-only for support (the app's pages
and API write them through ``orders.services``). Bank accounts are managed in the quotes admin."""

from django.contrib import admin

from .models import (
    Container,
    ContractEvent,
    ContractLine,
    CustomerSpecLimit,
    ExportDocument,
    LCAmendment,
    LetterOfCredit,
    Lot,
    LotAllocation,
    LotAnalysis,
    Payment,
    PaymentAllocation,
    Proforma,
    SalesContract,
    Shipment,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    fields = ("position", "product_code", "product_name", "quantity_mt", "unit_price", "amount")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ContractEventInline(ContractLineInline):
    model = ContractEvent
    fields = ("at", "by", "action", "from_status", "to_status", "comment")
    readonly_fields = fields


@admin.register(SalesContract)
class SalesContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "owner", "status", "currency", "total_amount")
    list_filter = ("status", "payment_method", "currency")
    search_fields = ("number", "customer__name", "buyer_po_number")
    list_select_related = ("customer", "owner")
    inlines = [ContractLineInline, ContractEventInline]


@admin.register(Proforma)
class ProformaAdmin(ReadOnlyAdmin):
    list_display = ("number", "contract", "kind", "status", "currency", "amount", "due_date")
    list_filter = ("status", "kind", "currency")
    search_fields = ("number", "contract__number")
    list_select_related = ("contract",)


class AllocationInline(ContractLineInline):
    model = PaymentAllocation
    fields = ("proforma", "amount", "created_at")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("value_date", "customer", "currency", "amount", "bank_reference", "payer")
    search_fields = ("bank_reference", "payer", "customer__name")
    list_select_related = ("customer",)
    inlines = [AllocationInline]


class AmendmentInline(ContractLineInline):
    model = LCAmendment
    fields = ("sequence", "date", "changes", "note", "recorded_by")
    readonly_fields = fields


@admin.register(LetterOfCredit)
class LetterOfCreditAdmin(ReadOnlyAdmin):
    list_display = ("number", "contract", "status", "currency", "amount", "expiry_date")
    list_filter = ("status",)
    search_fields = ("number", "contract__number", "issuing_bank")
    list_select_related = ("contract",)
    inlines = [AmendmentInline]


# Lots and shipments: read-only here too (the pages and API write them through
# orders.shipping, which checks the specification and who may); customer specifications
# are plain reference data an admin may keep here.


class LotAnalysisInline(ContractLineInline):
    model = LotAnalysis
    fields = ("element", "measured_percent")
    readonly_fields = fields


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ("number", "product", "production_date", "net_weight_mt", "created_by")
    list_filter = ("product",)
    search_fields = ("number",)
    list_select_related = ("product", "created_by")
    inlines = [LotAnalysisInline]


@admin.register(CustomerSpecLimit)
class CustomerSpecLimitAdmin(admin.ModelAdmin):
    list_display = ("customer", "contract", "product", "element", "min_percent", "max_percent")
    list_select_related = ("customer", "contract", "product")
    search_fields = ("customer__name", "element")
    raw_id_fields = ("customer", "contract")


class LotAllocationInline(ContractLineInline):
    model = LotAllocation
    fields = ("contract_line", "lot", "quantity_mt", "findings", "override_reason", "override_by")
    readonly_fields = fields


class ContainerInline(ContractLineInline):
    model = Container
    fields = ("number", "seal", "type", "net_weight_mt", "gross_weight_mt", "bundles")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "vessel", "bl_number", "on_board_date", "eta")
    list_filter = ("status",)
    search_fields = ("contract__number", "bl_number", "booking_number")
    list_select_related = ("contract",)
    inlines = [LotAllocationInline, ContainerInline]


@admin.register(ExportDocument)
class ExportDocumentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "shipment", "issued_at", "superseded_at", "pdf_sha256")
    list_filter = ("kind",)
    search_fields = ("number", "shipment__contract__number")
    list_select_related = ("shipment", "shipment__contract")
