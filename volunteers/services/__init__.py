"""Every write about volunteering that has a rule. Views, admin and tasks call these."""

from volunteers.services.catalogue import save_role, save_training
from volunteers.services.clearances import record_clearance
from volunteers.services.errors import VolunteeringError
from volunteers.services.onboarding import (
    approve_application,
    complete_application,
    decline_application,
    set_volunteer_status,
    submit_application,
)
from volunteers.services.qualifications import (
    grant_qualification,
    revoke_qualification,
    staffing_gaps,
)
from volunteers.services.trainings import (
    cancel_session_signup,
    cancel_training_session,
    create_training_session,
    mark_session_attendance,
    record_session_completions,
    record_training,
    reject_training_record,
    sign_up_for_session,
    submit_outside_training,
    update_training_session,
    verify_training_record,
)

__all__ = [
    "VolunteeringError",
    "approve_application",
    "cancel_session_signup",
    "cancel_training_session",
    "complete_application",
    "create_training_session",
    "decline_application",
    "grant_qualification",
    "mark_session_attendance",
    "record_clearance",
    "record_session_completions",
    "record_training",
    "reject_training_record",
    "revoke_qualification",
    "save_role",
    "save_training",
    "set_volunteer_status",
    "sign_up_for_session",
    "staffing_gaps",
    "submit_application",
    "submit_outside_training",
    "update_training_session",
    "verify_training_record",
]
