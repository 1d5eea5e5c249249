from __future__ import annotations

from django.contrib import admin

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


class ApplicationAnswerInline(admin.TabularInline[ApplicationAnswer, VolunteerProfile]):
    model = ApplicationAnswer
    extra = 0


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin[VolunteerProfile]):
    list_display = ("user", "status", "date_of_birth", "applied_at", "reviewed_at")
    list_filter = ("status", "wanted_roles")
    search_fields = ("user__email", "user__first_name", "user__last_name", "skills", "languages")
    list_select_related = ("user",)
    raw_id_fields = ("user", "reviewed_by")
    filter_horizontal = ("wanted_roles",)
    inlines = [ApplicationAnswerInline]


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(admin.ModelAdmin[ApplicationQuestion]):
    list_display = ("text", "required", "active", "position")
    list_editable = ("required", "active", "position")
    list_filter = ("active", "required")
    search_fields = ("text",)


class StaffingRuleInline(admin.TabularInline[StaffingRule, VolunteerRole]):
    model = StaffingRule
    fk_name = "role"
    extra = 0


@admin.register(VolunteerRole)
class VolunteerRoleAdmin(admin.ModelAdmin[VolunteerRole]):
    list_display = ("name", "minimum_age", "is_qualification", "active")
    list_filter = ("is_qualification", "active", "required_trainings", "required_clearance_types")
    search_fields = ("name", "description")
    filter_horizontal = ("required_trainings", "required_clearance_types")
    inlines = [StaffingRuleInline]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin[Qualification]):
    list_display = ("volunteer", "role", "granted_on", "granted_by")
    list_filter = ("role",)
    search_fields = ("volunteer__email", "volunteer__first_name", "volunteer__last_name")
    list_select_related = ("volunteer", "role", "granted_by")
    raw_id_fields = ("volunteer", "granted_by")


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin[Training]):
    list_display = ("name", "validity_months")
    search_fields = ("name", "description")


class SessionSignupInline(admin.TabularInline[SessionSignup, TrainingSession]):
    model = SessionSignup
    extra = 0
    raw_id_fields = ("volunteer",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin[TrainingSession]):
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


@admin.register(SessionSignup)
class SessionSignupAdmin(admin.ModelAdmin[SessionSignup]):
    list_display = ("volunteer", "session", "status", "created_at")
    list_filter = ("status", "session__training")
    search_fields = ("volunteer__email", "volunteer__last_name")
    list_select_related = ("volunteer", "session__training")
    raw_id_fields = ("volunteer", "session")


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin[TrainingRecord]):
    list_display = ("volunteer", "training", "completed_on", "expires_on", "status")
    list_filter = ("status", "training")
    search_fields = ("volunteer__email", "volunteer__first_name", "volunteer__last_name")
    date_hierarchy = "expires_on"
    list_select_related = ("volunteer", "training")
    raw_id_fields = ("volunteer", "session", "verified_by")


@admin.register(ClearanceType)
class ClearanceTypeAdmin(admin.ModelAdmin[ClearanceType]):
    list_display = ("name", "validity_months")
    search_fields = ("name",)


@admin.register(Clearance)
class ClearanceAdmin(admin.ModelAdmin[Clearance]):
    list_display = ("volunteer", "clearance_type", "status", "issued_on", "expires_on")
    list_filter = ("status", "clearance_type")
    search_fields = ("volunteer__email", "volunteer__last_name", "reference_number")
    date_hierarchy = "expires_on"
    list_select_related = ("volunteer", "clearance_type")
    raw_id_fields = ("volunteer", "recorded_by")


# Shifts, sign-ups, swaps, hours and calendar feeds.


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin[Location]):
    list_display = ("name", "time_zone", "is_remote", "active")
    list_filter = ("is_remote", "active", "time_zone")
    search_fields = ("name", "address")


@admin.register(ShiftSeries)
class ShiftSeriesAdmin(admin.ModelAdmin[ShiftSeries]):
    list_display = ("role", "location", "rrule", "start_time", "dtstart", "until", "capacity")
    list_filter = ("role", "location")
    list_select_related = ("role", "location")
    raw_id_fields = ("created_by", "previous")
    readonly_fields = ("generated_until",)


class ShiftSignupInline(admin.TabularInline[ShiftSignup, Shift]):
    model = ShiftSignup
    extra = 0
    raw_id_fields = ("volunteer", "override_by")
    fields = ("volunteer", "status", "joined_at", "check_in_at", "check_out_at", "skip_reason")


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin[Shift]):
    list_display = ("role", "location", "starts_at", "ends_at", "capacity", "status", "series")
    list_filter = ("status", "role", "location")
    search_fields = ("role__name", "location__name", "notes")
    date_hierarchy = "starts_at"
    list_select_related = ("role", "location", "series")
    raw_id_fields = ("series", "created_by", "cancelled_by")
    readonly_fields = ("check_in_code",)
    inlines = [ShiftSignupInline]


@admin.register(ShiftSignup)
class ShiftSignupAdmin(admin.ModelAdmin[ShiftSignup]):
    list_display = ("volunteer", "shift", "status", "joined_at", "check_in_at", "check_out_at")
    list_filter = ("status", "shift__role")
    search_fields = ("volunteer__email", "volunteer__last_name")
    list_select_related = ("volunteer", "shift__role")
    raw_id_fields = ("volunteer", "shift", "override_by")


@admin.register(SwapOffer)
class SwapOfferAdmin(admin.ModelAdmin[SwapOffer]):
    list_display = ("signup", "status", "taken_by", "created_at", "decided_at")
    list_filter = ("status",)
    list_select_related = ("signup__volunteer", "signup__shift__role", "taken_by")
    raw_id_fields = ("signup", "taken_by", "new_signup")


@admin.register(HoursEntry)
class HoursEntryAdmin(admin.ModelAdmin[HoursEntry]):
    list_display = ("volunteer", "role", "date", "minutes", "source", "status")
    list_filter = ("status", "source", "role")
    search_fields = ("volunteer__email", "volunteer__last_name", "note")
    date_hierarchy = "date"
    list_select_related = ("volunteer", "role")
    raw_id_fields = ("volunteer", "shift", "signup", "created_by", "decided_by")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin[CalendarFeed]):
    list_display = ("volunteer", "created_at", "reset_at")
    search_fields = ("volunteer__email",)
    raw_id_fields = ("volunteer",)
    readonly_fields = ("token",)
