from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Activity, Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ("name", "job_title", "email", "phone", "language", "is_primary", "email_opt_out")


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    """Admin view for support; reps and managers work in the app's pages (which use the
    services and the duplicate guard). Saving here keeps region/normalized name in step."""

    list_display = ("name", "country", "region", "industry", "status", "owner", "updated_at")
    list_filter = ("region", "industry", "status", "owner")
    search_fields = ("name", "normalized_name", "city", "vat_id")
    readonly_fields = ("normalized_name", "region", "last_activity_on", "created_at", "updated_at")
    list_select_related = ("owner",)
    show_full_result_count = False
    inlines = [ContactInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the app's form

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.CUSTOMER_FIELDS}
        if change:
            current = Customer.objects.get(pk=obj.pk)
            services.customer_update(
                customer=current, by=request.user, confirm_duplicate=True, **fields
            )
            if current.owner_id != obj.owner_id:
                services.customer_reassign(customer=current, owner=obj.owner, by=request.user)
            obj.pk = current.pk
            obj.refresh_from_db()
        else:
            created = services.customer_create(
                by=request.user, owner=obj.owner, confirm_duplicate=True, **fields
            )
            obj.pk = created.pk
            obj.refresh_from_db()


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "customer", "email", "is_primary", "email_opt_out")
    search_fields = ("name", "email", "customer__name")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "customer", "summary", "follow_up_on", "done", "logged_by")
    list_filter = ("kind", "done")
    search_fields = ("summary", "customer__name")
    list_select_related = ("customer", "logged_by")
    raw_id_fields = ("customer", "contact")
    date_hierarchy = "date"
