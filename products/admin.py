from django.contrib import admin

from .models import Product, ProductPrice, SpecLimit


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
