from __future__ import annotations

from django.contrib import admin

from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    Clearance,
    ClearanceType,
    Qualification,
    SessionSignup,
    StaffingRule,
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
