from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.services.admin_audit import AuditedAdmin
from notifications.models import InboundSms, Message, NotificationPreference, PushSubscription


@admin.register(Message)
class MessageAdmin(AuditedAdmin):
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
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ("user", "email_enabled", "sms_enabled", "non_essential_opt_out", "updated_at")
    list_filter = ("email_enabled", "sms_enabled", "non_essential_opt_out")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    readonly_fields = ("unsubscribe_token", "updated_at")


@admin.register(InboundSms)
class InboundSmsAdmin(AuditedAdmin):
    """What people texted us and what we answered: a record, never edited."""

    list_display = ("received_at", "keyword", "from_number", "answered")
    list_filter = ("keyword",)
    search_fields = ("from_number", "provider_sid")
    raw_id_fields = ("answered",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(AuditedAdmin):
    list_display = ("user", "created_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
