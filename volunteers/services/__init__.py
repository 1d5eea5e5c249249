"""Every write about volunteering that has a rule. Views and tasks call these; the Django
admin shows these rows read-only (volunteers/admin.py, tests/core/test_admin.py), so no
write goes around them."""

from volunteers.services.attendance import (
    check_in_window,
    check_in_with_code,
    check_out_with_code,
    mark_no_show,
    record_attendance,
)
from volunteers.services.availability import (
    add_away_period,
    remove_away_period,
    set_availability,
)
from volunteers.services.catalogue import save_question, save_role, save_training
from volunteers.services.clearances import document_opened, record_clearance
from volunteers.services.errors import VolunteeringError
from volunteers.services.feeds import calendar_feed_for, reset_calendar_feed
from volunteers.services.hours import add_manual_hours, approve_hours, edit_hours, reject_hours
from volunteers.services.onboarding import (
    approve_application,
    complete_application,
    decline_application,
    set_contact_sharing,
    set_volunteer_status,
    submit_application,
)
from volunteers.services.qualifications import (
    grant_qualification,
    revoke_qualification,
    staffing_gaps,
)
from volunteers.services.series import (
    create_series,
    generate_all_series,
    generate_occurrences,
    update_series_from,
)
from volunteers.services.shifts import (
    assign_volunteer,
    cancel_shift,
    create_shift,
    move_signup,
    publish_shift,
    update_shift,
)
from volunteers.services.signups import NotEligible, cancel_signup, sign_up_for_shift
from volunteers.services.swaps import accept_swap, offer_swap, withdraw_swap
from volunteers.services.training_records import (
    record_session_completions,
    record_training,
    reject_training_record,
    submit_outside_training,
    verify_training_record,
)
from volunteers.services.training_sessions import (
    cancel_session_signup,
    cancel_training_session,
    create_training_session,
    mark_session_attendance,
    sign_up_for_session,
    update_training_session,
)

__all__ = [
    "NotEligible",
    "VolunteeringError",
    "accept_swap",
    "add_away_period",
    "add_manual_hours",
    "approve_application",
    "approve_hours",
    "assign_volunteer",
    "calendar_feed_for",
    "cancel_session_signup",
    "cancel_shift",
    "cancel_signup",
    "cancel_training_session",
    "check_in_window",
    "check_in_with_code",
    "check_out_with_code",
    "complete_application",
    "create_series",
    "create_shift",
    "create_training_session",
    "decline_application",
    "document_opened",
    "edit_hours",
    "generate_all_series",
    "generate_occurrences",
    "grant_qualification",
    "mark_no_show",
    "mark_session_attendance",
    "move_signup",
    "offer_swap",
    "publish_shift",
    "record_attendance",
    "record_clearance",
    "record_session_completions",
    "record_training",
    "reject_hours",
    "reject_training_record",
    "remove_away_period",
    "reset_calendar_feed",
    "revoke_qualification",
    "save_question",
    "save_role",
    "save_training",
    "set_availability",
    "set_contact_sharing",
    "set_volunteer_status",
    "sign_up_for_session",
    "sign_up_for_shift",
    "staffing_gaps",
    "submit_application",
    "submit_outside_training",
    "update_series_from",
    "update_shift",
    "update_training_session",
    "verify_training_record",
    "withdraw_swap",
]
