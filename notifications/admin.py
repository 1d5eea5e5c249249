from __future__ import annotations

from django.contrib import admin

from notifications.models import Message, NotificationPreference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = (
        "kind",
        "recipient",
        "channel",
        "status",
        "scheduled_for",
        "attempts",
        "sent_at",
    )
    list_filter = ("status", "channel", "kind", "essential", "urgent")
    search_fields = ("dedupe_key", "recipient__email", "kind")
    raw_id_fields = ("recipient",)
    date_hierarchy = "scheduled_for"
    readonly_fields = ("claimed_at", "claimed_by", "sent_at", "created_at", "attempts", "resends")
    list_select_related = ("recipient",)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "email_enabled", "sms_enabled", "non_essential_opt_out", "updated_at")
    list_filter = ("email_enabled", "sms_enabled", "non_essential_opt_out")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    readonly_fields = ("unsubscribe_token", "updated_at")
