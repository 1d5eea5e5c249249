from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from donations.models import (
    Campaign,
    Deposit,
    Donation,
    Donor,
    Receipt,
    RecurringGift,
    StatementRun,
    StripeEvent,
    StripeEventStatus,
)
from donations.stripe_integration.intake import reprocess_failed_events


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin[Donor]):
    list_display = ("name", "email", "kind", "country", "communication_consent", "created_at")
    list_filter = ("kind", "communication_consent", "give_anonymously", "country")
    search_fields = ("name", "email", "city", "postal_code")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ("name", "slug", "goal_minor", "goal_currency", "starts_on", "ends_on")
    list_filter = ("active", "public")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


STRIPE_IDS = (
    "checkout_session_id",
    "payment_intent_id",
    "charge_id",
    "invoice_id",
    "subscription_id",
    "customer_id",
)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin[Donation]):
    list_display = (
        "created_at",
        "donor",
        "amount_minor",
        "currency",
        "status",
        "campaign",
        "source",
        "refunded_minor",
    )
    list_filter = ("status", "currency", "source", "campaign", "created_at", "anonymous")
    search_fields = ("donor__name", "donor__email", "tribute_name", *STRIPE_IDS)
    list_select_related = ("donor", "campaign")
    raw_id_fields = ("donor", "recurring_gift")
    date_hierarchy = "created_at"
    # The ledger is written by the Stripe handlers under their locks, never by hand here.
    readonly_fields = (
        "amount_minor",
        "currency",
        "status",
        "refunded_minor",
        "fee_covered_minor",
        "paid_at",
        *STRIPE_IDS,
        "created_at",
        "updated_at",
    )


@admin.register(RecurringGift)
class RecurringGiftAdmin(admin.ModelAdmin[RecurringGift]):
    list_display = (
        "donor",
        "amount_minor",
        "currency",
        "interval",
        "status",
        "current_period_end",
        "created_at",
    )
    list_filter = ("status", "interval", "currency", "campaign")
    search_fields = ("donor__name", "donor__email", "stripe_subscription_id", "stripe_customer_id")
    list_select_related = ("donor",)
    raw_id_fields = ("donor",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin[StripeEvent]):
    """The Stripe events log. Events are Stripe's record: read-only, except re-processing."""

    list_display = ("received_at", "event_id", "type", "status", "attempts", "livemode")
    list_filter = ("status", "type", "livemode")
    search_fields = ("event_id", "type")
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    readonly_fields = (
        "event_id",
        "type",
        "api_version",
        "livemode",
        "stripe_created",
        "payload",
        "status",
        "error",
        "attempts",
        "received_at",
        "processed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StripeEvent | None = None) -> bool:
        return False

    @admin.action(description=_("Re-process the selected failed events now"))
    def reprocess(self, request: HttpRequest, queryset: QuerySet[StripeEvent]) -> None:
        outcomes = reprocess_failed_events(event_ids=list(queryset.values_list("pk", flat=True)))
        if not outcomes:
            self.message_user(
                request, _("None of the selected events had failed."), messages.WARNING
            )
            return
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        still_failing = outcomes.get(StripeEventStatus.FAILED, 0)
        self.message_user(
            request,
            _("Re-processed: %(summary)s.") % {"summary": summary},
            messages.WARNING if still_failing else messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Raw data to look at: receipts, deposits and statement runs change only through the
    coordinator pages and their services (numbering, voiding and posting have rules)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "donor_name", "amount_minor", "currency", "status", "issued_at")
    list_filter = ("status", "year", "currency")
    search_fields = ("donor_name", "donation__donor__email")
    raw_id_fields = ("donation", "replaces")


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    list_display = ("deposited_on", "reference", "expected_total_minor", "currency", "status")
    list_filter = ("status", "currency")


@admin.register(StatementRun)
class StatementRunAdmin(ReadOnlyAdmin):
    list_display = ("year", "status", "done", "total", "emailed", "created_at")
    list_filter = ("status", "year")
