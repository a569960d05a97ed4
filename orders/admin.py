"""Admin: contracts, proformas, payments and L/Cs are read-only for support (the app's pages
and API write them through ``orders.services``). Bank accounts are managed in the quotes admin."""

from django.contrib import admin

from .models import (
    ContractEvent,
    ContractLine,
    LCAmendment,
    LetterOfCredit,
    Payment,
    PaymentAllocation,
    Proforma,
    SalesContract,
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
