"""Giving rows in the Django admin: raw data, read-only, or saved through the service.

The ledger (gifts, monthly gifts, receipts, deposits, statement runs) is written by the
Stripe handlers and the coordinator pages' services, never by hand here. A donor's details
are saved through ``update_donor_details`` (consent keeps the moment it changed). Campaigns
have no rules of their own and are edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.services.admin_audit import AuditedAdmin
from core.admin import ReadOnlyAdmin
from donations.forms.portal import DonorDetailsForm
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
from donations.services.donors import update_donor_details
from donations.stripe_integration.intake import reprocess_failed_events

# A donor's own details (what they change on their portal, and what update_donor_details
# saves); the rest of a donor (e-mail, login, kind) follows from their gifts and login.
DONOR_DETAILS: tuple[str, ...] = tuple(DonorDetailsForm.Meta.fields)


@admin.register(Donor)
class DonorAdmin(AuditedAdmin):
    """A donor's own details, saved through the service; donors are never added or deleted
    here (they come with their gifts; duplicates are merged on the coordinator pages)."""

    audit_saves = False  # update_donor_details writes the entry

    list_display = ("name", "email", "kind", "country", "communication_consent", "created_at")
    list_filter = ("kind", "communication_consent", "give_anonymously", "country")
    search_fields = ("name", "email", "city", "postal_code")

    def get_readonly_fields(self, request: HttpRequest, obj: Donor | None = None) -> list[str]:
        return [f.name for f in Donor._meta.fields if f.name not in DONOR_DETAILS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Donor | None = None) -> bool:
        return False

    def view_on_site(self, obj: Donor) -> str:
        return reverse("donations:coord_donor", args=[obj.pk])

    def save_model(
        self, request: HttpRequest, obj: Donor, form: ModelForm[Any], change: bool
    ) -> None:
        update_donor_details(
            donor=obj,
            by=request.user,  # type: ignore[arg-type]
            **{name: form.cleaned_data[name] for name in DONOR_DETAILS},
        )


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
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
class DonationAdmin(ReadOnlyAdmin):
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
    date_hierarchy = "created_at"


@admin.register(RecurringGift)
class RecurringGiftAdmin(ReadOnlyAdmin):
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


@admin.register(StripeEvent)
class StripeEventAdmin(AuditedAdmin):
    """The Stripe events log. Events are Stripe's record: read-only, except re-processing."""

    list_display = ("received_at", "event_id", "type", "status", "attempts", "livemode")
    list_filter = ("status", "permanent_failure", "type", "livemode")
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
        "permanent_failure",
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
