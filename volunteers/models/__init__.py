"""Volunteering data: profiles, onboarding, roles, trainings, clearances."""

from volunteers.models.clearances import Clearance, ClearanceStatus, ClearanceType
from volunteers.models.profiles import (
    ApplicationAnswer,
    ApplicationQuestion,
    ProfileStatus,
    VolunteerProfile,
)
from volunteers.models.roles import Qualification, StaffingRule, VolunteerRole
from volunteers.models.trainings import (
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
)

__all__ = [
    "ApplicationAnswer",
    "ApplicationQuestion",
    "Clearance",
    "ClearanceStatus",
    "ClearanceType",
    "ProfileStatus",
    "Qualification",
    "RecordStatus",
    "SessionSignup",
    "SignupStatus",
    "StaffingRule",
    "Training",
    "TrainingRecord",
    "TrainingSession",
    "VolunteerProfile",
    "VolunteerRole",
]
