"""Volunteering rows in the Django admin: raw data, read-only.

Every write about volunteering that has a rule (sign-ups and their locks and waitlists,
shift changes and their messages and reminders, trainings, clearances, hours, onboarding)
goes through ``volunteers.services`` from the coordinator pages; here those rows are only
shown, each with a link to its coordinator page where there is one. Editable here: the
catalogue rows without rules of their own (locations, clearance types, application
questions), which have no coordinator page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.services.admin_audit import AuditedAdmin
from core.admin import ReadOnlyAdmin, ReadOnlyInline
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    CalendarFeed,
    Clearance,
    ClearanceType,
    HoursEntry,
    Location,
    Qualification,
    SessionSignup,
    Shift,
    ShiftSeries,
    ShiftSignup,
    StaffingRule,
    SwapOffer,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django_stubs_ext import StrOrPromise


class ApplicationAnswerInline(ReadOnlyInline):
    model = ApplicationAnswer


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "status", "date_of_birth", "applied_at", "reviewed_at")
    list_filter = ("status", "wanted_roles")
    search_fields = ("user__email", "user__first_name", "user__last_name", "skills", "languages")
    list_select_related = ("user",)
    inlines = [ApplicationAnswerInline]

    def view_on_site(self, obj: VolunteerProfile) -> str:
        return reverse("volunteers:coord_volunteer", args=[obj.user_id])


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(AuditedAdmin):
    list_display = ("text", "required", "active", "position")
    list_editable = ("required", "active", "position")
    list_filter = ("active", "required")
    search_fields = ("text",)


class StaffingRuleInline(ReadOnlyInline):
    model = StaffingRule
    fk_name = "role"


@admin.register(VolunteerRole)
class VolunteerRoleAdmin(ReadOnlyAdmin):
    list_display = ("name", "minimum_age", "is_qualification", "active")
    list_filter = ("is_qualification", "active", "required_trainings", "required_clearance_types")
    search_fields = ("name", "description")
    inlines = [StaffingRuleInline]


class GrantInForceFilter(admin.SimpleListFilter):
    """Grants in force by default (who is qualified now); revoked grants, kept as history
    with who revoked them and when, only when asked for."""

    title = _("in force")
    parameter_name = "grants"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, StrOrPromise]]:
        return [("revoked", _("Revoked (history)")), ("all", _("Every grant"))]

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("In force"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Qualification]
    ) -> QuerySet[Qualification]:
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(revoked_at__isnull=True)


@admin.register(Qualification)
class QualificationAdmin(ReadOnlyAdmin):
    list_display = (
        "volunteer",
        "role",
        "granted_on",
        "granted_by",
        "in_force",
        "revoked_at",
        "revoked_by",
    )
    list_filter = (GrantInForceFilter, "role")
    search_fields = ("volunteer__email", "volunteer__first_name", "volunteer__last_name")
    list_select_related = ("volunteer", "role", "granted_by", "revoked_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Qualification]:
        """Every grant ever made, so a revoked one can be looked up; the list shows those in
        force unless asked (``GrantInForceFilter``), and a revoked grant says it is not."""
        return Qualification.with_revoked.order_by("-granted_on", "-pk")

    @admin.display(boolean=True, description=_("in force"), ordering="revoked_at")
    def in_force(self, obj: Qualification) -> bool:
        return obj.revoked_at is None


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("name", "validity_months")
    search_fields = ("name", "description")


class SessionSignupInline(ReadOnlyInline):
    model = SessionSignup


@admin.register(TrainingSession)
class TrainingSessionAdmin(ReadOnlyAdmin):
    list_display = (
        "training",
        "starts_at",
        "ends_at",
        "time_zone",
        "place",
        "capacity",
        "cancelled",
    )
    list_filter = ("training", "cancelled")
    search_fields = ("training__name", "place", "trainer")
    date_hierarchy = "starts_at"
    list_select_related = ("training",)
    inlines = [SessionSignupInline]

    def view_on_site(self, obj: TrainingSession) -> str:
        return reverse("volunteers:coord_session", args=[obj.pk])


@admin.register(SessionSignup)
class SessionSignupAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "session", "status", "created_at")
    list_filter = ("status", "session__training")
    search_fields = ("volunteer__email", "volunteer__last_name")
    list_select_related = ("volunteer", "session__training")


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "training", "completed_on", "expires_on", "status")
    list_filter = ("status", "training")
    search_fields = ("volunteer__email", "volunteer__first_name", "volunteer__last_name")
    date_hierarchy = "expires_on"
    list_select_related = ("volunteer", "training")


@admin.register(ClearanceType)
class ClearanceTypeAdmin(AuditedAdmin):
    list_display = ("name", "validity_months")
    search_fields = ("name",)


@admin.register(Clearance)
class ClearanceAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "clearance_type", "status", "issued_on", "expires_on")
    list_filter = ("status", "clearance_type")
    search_fields = ("volunteer__email", "volunteer__last_name", "reference_number")
    date_hierarchy = "expires_on"
    list_select_related = ("volunteer", "clearance_type")


# Shifts, sign-ups, swaps, hours and calendar feeds.


@admin.register(Location)
class LocationAdmin(AuditedAdmin):
    list_display = ("name", "time_zone", "is_remote", "active")
    list_filter = ("is_remote", "active", "time_zone")
    search_fields = ("name", "address")


@admin.register(ShiftSeries)
class ShiftSeriesAdmin(ReadOnlyAdmin):
    list_display = ("role", "location", "rrule", "start_time", "dtstart", "until", "capacity")
    list_filter = ("role", "location")
    list_select_related = ("role", "location")


class ShiftSignupInline(ReadOnlyInline):
    model = ShiftSignup
    fields = ("volunteer", "status", "joined_at", "check_in_at", "check_out_at", "skip_reason")


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ("role", "location", "starts_at", "ends_at", "capacity", "status", "series")
    list_filter = ("status", "role", "location")
    search_fields = ("role__name", "location__name", "notes")
    date_hierarchy = "starts_at"
    list_select_related = ("role", "location", "series")
    inlines = [ShiftSignupInline]

    def view_on_site(self, obj: Shift) -> str:
        return reverse("volunteers:coord_shift", args=[obj.pk])


@admin.register(ShiftSignup)
class ShiftSignupAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "shift", "status", "joined_at", "check_in_at", "check_out_at")
    list_filter = ("status", "shift__role")
    search_fields = ("volunteer__email", "volunteer__last_name")
    list_select_related = ("volunteer", "shift__role")

    def view_on_site(self, obj: ShiftSignup) -> str:
        return reverse("volunteers:coord_shift", args=[obj.shift_id])


@admin.register(SwapOffer)
class SwapOfferAdmin(ReadOnlyAdmin):
    list_display = ("signup", "status", "taken_by", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("signup__volunteer", "signup__shift__role", "taken_by")


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "role", "date", "minutes", "source", "status")
    list_filter = ("status", "source", "role")
    search_fields = ("volunteer__email", "volunteer__last_name", "note")
    date_hierarchy = "date"
    list_select_related = ("volunteer", "role")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "created_at", "reset_at")
    search_fields = ("volunteer__email",)
