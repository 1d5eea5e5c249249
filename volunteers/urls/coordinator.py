"""URLs of the coordinator pages for volunteering (included by volunteers/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from volunteers.views import calendars
from volunteers.views import coordinator_applications as applications
from volunteers.views import coordinator_catalogue as catalogue
from volunteers.views import coordinator_clearances as clearances
from volunteers.views import coordinator_hours as hours
from volunteers.views import coordinator_invitations as invitations
from volunteers.views import coordinator_roster as roster
from volunteers.views import coordinator_roster_export as export
from volunteers.views import coordinator_sessions as sessions
from volunteers.views import coordinator_shifts as shifts
from volunteers.views import coordinator_volunteers as volunteers

P = "coordinator/volunteering/"

urlpatterns: list[URLPattern] = [
    path(f"{P}roles/", catalogue.roles, name="coord_roles"),
    path(f"{P}roles/new/", catalogue.role_edit, name="coord_role_create"),
    path(f"{P}roles/<int:pk>/edit/", catalogue.role_edit, name="coord_role_edit"),
    path(f"{P}roles/<int:pk>/rules/", catalogue.rule_add, name="coord_rule_add"),
    path(f"{P}questions/", catalogue.questions, name="coord_questions"),
    path(f"{P}questions/new/", catalogue.question_edit, name="coord_question_create"),
    path(f"{P}questions/<int:pk>/edit/", catalogue.question_edit, name="coord_question_edit"),
    path(f"{P}rules/<int:pk>/remove/", catalogue.rule_remove, name="coord_rule_remove"),
    path(f"{P}trainings/", catalogue.trainings, name="coord_trainings"),
    path(f"{P}trainings/new/", catalogue.training_edit, name="coord_training_create"),
    path(f"{P}trainings/<int:pk>/edit/", catalogue.training_edit, name="coord_training_edit"),
    path(
        f"{P}trainings/<int:pk>/sessions/new/",
        sessions.session_create,
        name="coord_session_create",
    ),
    path(f"{P}sessions/<int:pk>/", sessions.session_detail, name="coord_session"),
    path(f"{P}sessions/<int:pk>/edit/", sessions.session_edit, name="coord_session_edit"),
    path(f"{P}sessions/<int:pk>/cancel/", sessions.session_cancel, name="coord_session_cancel"),
    path(
        f"{P}sessions/<int:pk>/attendance/",
        sessions.session_attendance,
        name="coord_session_attendance",
    ),
    path(
        f"{P}sessions/<int:pk>/completions/",
        sessions.session_completions,
        name="coord_session_completions",
    ),
    path(f"{P}signups/<int:pk>/cancel/", sessions.signup_cancel, name="coord_signup_cancel"),
    path(f"{P}clearances/", clearances.clearances, name="coord_clearances"),
    path(f"{P}clearances/<int:pk>/edit/", clearances.clearance_edit, name="coord_clearance_edit"),
    path(
        f"{P}clearances/<int:pk>/document/",
        clearances.clearance_document,
        name="coord_clearance_document",
    ),
    path(f"{P}volunteers/", volunteers.volunteers, name="coord_volunteers"),
    path(f"{P}volunteers/export/", volunteers.volunteers_csv, name="coord_volunteers_csv"),
    path(f"{P}volunteers/filters/", volunteers.filter_save, name="coord_filter_save"),
    path(
        f"{P}volunteers/filters/<int:pk>/delete/",
        volunteers.filter_delete,
        name="coord_filter_delete",
    ),
    path(f"{P}volunteers/<int:pk>/", volunteers.volunteer_detail, name="coord_volunteer"),
    path(
        f"{P}volunteers/<int:pk>/notes/", volunteers.volunteer_notes, name="coord_volunteer_notes"
    ),
    path(
        f"{P}volunteers/<int:pk>/status/",
        volunteers.volunteer_status,
        name="coord_volunteer_status",
    ),
    path(
        f"{P}volunteers/<int:pk>/clearances/new/",
        clearances.clearance_create,
        name="coord_clearance_create",
    ),
    path(
        f"{P}volunteers/<int:pk>/trainings/",
        volunteers.record_training,
        name="coord_record_training",
    ),
    path(
        f"{P}volunteers/<int:pk>/qualifications/",
        volunteers.qualification_grant,
        name="coord_qualification_grant",
    ),
    path(
        f"{P}volunteers/<int:pk>/qualifications/<int:role_pk>/revoke/",
        volunteers.qualification_revoke,
        name="coord_qualification_revoke",
    ),
    path(f"{P}expiring/", volunteers.expiring, name="coord_expiring"),
    path(f"{P}applications/", applications.applications, name="coord_applications"),
    path(
        f"{P}applications/<int:pk>/approve/",
        applications.application_approve,
        name="coord_application_approve",
    ),
    path(
        f"{P}applications/<int:pk>/decline/",
        applications.application_decline,
        name="coord_application_decline",
    ),
    path(f"{P}evidence/", applications.evidence, name="coord_evidence"),
    path(
        f"{P}evidence/<int:pk>/verify/", applications.evidence_verify, name="coord_evidence_verify"
    ),
    path(
        f"{P}evidence/<int:pk>/reject/", applications.evidence_reject, name="coord_evidence_reject"
    ),
    # Shifts
    path(f"{P}shifts/", shifts.shift_list, name="coord_shifts"),
    path(f"{P}shifts/export/", export.shifts_csv, name="coord_shifts_csv"),
    path(f"{P}calendar/", calendars.coordinator_calendar_page, name="coord_calendar"),
    path(f"{P}shifts/new/", shifts.shift_create, name="coord_shift_create"),
    path(f"{P}shifts/<int:pk>/", roster.roster, name="coord_shift"),
    path(f"{P}shifts/<int:pk>/edit/", shifts.shift_edit, name="coord_shift_edit"),
    path(f"{P}shifts/<int:pk>/publish/", shifts.shift_publish, name="coord_shift_publish"),
    path(f"{P}shifts/<int:pk>/cancel/", shifts.shift_cancel, name="coord_shift_cancel"),
    path(f"{P}shifts/<int:pk>/series/", shifts.series_edit, name="coord_series_edit"),
    path(f"{P}shifts/<int:pk>/assign/", roster.assign, name="coord_shift_assign"),
    path(f"{P}shifts/<int:pk>/invite/", invitations.invite, name="coord_shift_invite"),
    path(f"{P}shifts/<int:pk>/roster.csv", export.roster_csv, name="coord_shift_csv"),
    path(f"{P}shifts/<int:pk>/print/", export.roster_print, name="coord_shift_print"),
    path(f"{P}shifts/repeating/new/", shifts.series_create, name="coord_series_create"),
    path(f"{P}shift-signups/<int:pk>/remove/", roster.remove, name="coord_shift_signup_remove"),
    path(f"{P}shift-signups/<int:pk>/move/", roster.move, name="coord_shift_signup_move"),
    path(
        f"{P}shift-signups/<int:pk>/attendance/",
        roster.attendance,
        name="coord_shift_attendance",
    ),
    path(f"{P}shift-signups/<int:pk>/no-show/", roster.no_show, name="coord_shift_no_show"),
    path(f"{P}staffing-gaps/", shifts.staffing_gaps, name="coord_staffing_gaps"),
    path(f"{P}hours/", hours.hours_queue, name="coord_hours"),
    path(f"{P}hours/totals/", hours.hours_totals, name="coord_hours_totals"),
    path(f"{P}hours/<int:pk>/approve/", hours.hours_approve, name="coord_hours_approve"),
    path(f"{P}hours/<int:pk>/reject/", hours.hours_reject, name="coord_hours_reject"),
    path(f"{P}hours/<int:pk>/edit/", hours.hours_edit, name="coord_hours_edit"),
]
