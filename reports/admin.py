from django.contrib import admin

from .models import DigestPreference, WeeklyDigest


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "weekly_digest", "updated_at")
    list_filter = ("weekly_digest",)


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(admin.ModelAdmin):
    list_display = ("week", "user", "status", "attempts", "sent_at")
    list_filter = ("status", "week")
    readonly_fields = ("user", "week", "attempts", "last_error", "pdf_size", "sent_at")
