"""Volunteering data: profiles, onboarding, roles, trainings, clearances, shifts, hours."""

from volunteers.models.clearances import Clearance, ClearanceStatus, ClearanceType
from volunteers.models.hours import CalendarFeed, HoursEntry, HoursSource, HoursStatus
from volunteers.models.profiles import (
    ApplicationAnswer,
    ApplicationQuestion,
    AwayPeriod,
    ProfileStatus,
    VolunteerProfile,
)
from volunteers.models.roles import Qualification, StaffingRule, VolunteerRole
from volunteers.models.saved_filters import SavedFilter
from volunteers.models.shifts import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    PLACE_STATUSES,
    Location,
    Shift,
    ShiftInvitation,
    ShiftSeries,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
)
from volunteers.models.trainings import (
    RecordStatus,
    SessionSignup,
    SignupStatus,
    Training,
    TrainingRecord,
    TrainingSession,
)

__all__ = [
    "ACTIVE_SHIFT_SIGNUP_STATUSES",
    "PLACE_STATUSES",
    "ApplicationAnswer",
    "ApplicationQuestion",
    "AwayPeriod",
    "CalendarFeed",
    "Clearance",
    "ClearanceStatus",
    "ClearanceType",
    "HoursEntry",
    "HoursSource",
    "HoursStatus",
    "Location",
    "ProfileStatus",
    "Qualification",
    "RecordStatus",
    "SavedFilter",
    "SessionSignup",
    "Shift",
    "ShiftInvitation",
    "ShiftSeries",
    "ShiftSignup",
    "ShiftSignupStatus",
    "ShiftStatus",
    "SignupStatus",
    "StaffingRule",
    "SwapOffer",
    "SwapStatus",
    "Training",
    "TrainingRecord",
    "TrainingSession",
    "VolunteerProfile",
    "VolunteerRole",
]
