"""Training-session reminders, and warnings before a training or clearance expires.

Run hourly by beat (``volunteers.schedule_warnings``); each message has a dedupe key, so a
second run (or two at once) queues nothing new.

* ``training.session_reminder``: ``SESSION_REMINDER_LEAD_HOURS`` before a session, to each
  confirmed attendee.
* ``training.expiry_warning`` / ``clearance.expiry_warning``: at each of
  ``EXPIRY_WARNING_DAYS`` (default 30 and 7) before the expiry date, naming the upcoming
  confirmed shifts whose role needs it and that the record no longer covers (by the rule
  eligibility uses, ``volunteers.models.validity.covers``: valid on the shift's last
  local day; these are the shifts the expiry would block). Only the
  nearest threshold already reached is sent, so a record first seen 5 days before it
  expires gets one warning, not two. A holder who already has a later, still valid record
  of the same kind is not warned. A reminder whose sign-up or session was cancelled, or
  whose session moved, is dropped just before sending (``refresh_session_reminder``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.dates import org_today
from core.locales import translated
from notifications.models import Message
from notifications.services.hooks import context_pk
from volunteers import message_kinds as kinds
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    SessionSignup,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SignupStatus,
    TrainingRecord,
)
from volunteers.models.trainings import RecordStatus
from volunteers.models.validity import LocalDays, covers, local_days
from volunteers.services.notify import notify_volunteer, page_url

SESSION_KIND = kinds.SESSION_REMINDER.name
TRAINING_EXPIRY_KIND = kinds.TRAINING_EXPIRY.name
CLEARANCE_EXPIRY_KIND = kinds.CLEARANCE_EXPIRY.name
MY_TRAININGS_PAGE = "volunteers:my_trainings"


@dataclass
class WarningCounts:
    session_reminders: int = 0
    training_warnings: int = 0
    clearance_warnings: int = 0


def schedule_session_reminders(*, now: datetime | None = None) -> int:
    """Queue reminders for confirmed attendees of sessions starting within the lead time."""
    now = now or timezone.now()
    lead = timedelta(hours=settings.SESSION_REMINDER_LEAD_HOURS)
    signups = (
        SessionSignup.objects.filter(
            status=SignupStatus.CONFIRMED,
            session__cancelled=False,
            session__starts_at__gt=now,
            session__starts_at__lte=now + lead + timedelta(hours=1),
        )
        .select_related("session__training", "volunteer")
        .order_by("session__starts_at", "pk")
    )
    queued = 0
    for signup in signups:
        session = signup.session
        due = max(session.starts_at - lead, now)
        queued += notify_volunteer(
            user=signup.volunteer,
            kind=SESSION_KIND,
            dedupe_key=f"{SESSION_KIND}:{signup.pk}:{session.starts_at:%Y%m%dT%H%M}",
            context={
                "session_signup_id": signup.pk,
                "training_name": translated(
                    session.training, "name", signup.volunteer.preferred_language
                ),
                "starts_at": session.starts_at.isoformat(),
                "ends_at": session.ends_at.isoformat(),
                "zone": session.time_zone,
                "location": session.place or session.online_url,
                "session_url": page_url(MY_TRAININGS_PAGE),
            },
            scheduled_for=due,
        )
    return queued


def _threshold(expires_on: date, today: date) -> int | None:
    """The nearest warning threshold (in days) reached on ``today``, or None."""
    left = (expires_on - today).days
    if left < 0:
        return None
    reached = [days for days in settings.EXPIRY_WARNING_DAYS if days > 0 and left <= days]
    return min(reached) if reached else None


Blocked = dict[tuple[int, int], list[tuple[LocalDays, Shift]]]


def _blocked_shifts(
    volunteer_ids: set[int], *, training_ids: set[int], clearance_ids: set[int]
) -> tuple[Blocked, Blocked]:
    """Upcoming confirmed places that need one of the trainings / clearance types.

    Two maps, for trainings and for clearance types: (volunteer, requirement id) ->
    [(the shift's local days, the shift as the templates want it)].
    """
    by_training: Blocked = defaultdict(list)
    by_clearance: Blocked = defaultdict(list)
    if not volunteer_ids or not (training_ids or clearance_ids):
        return by_training, by_clearance
    rows = (
        ShiftSignup.objects.filter(
            Q(shift__role__required_trainings__in=training_ids)
            | Q(shift__role__required_clearance_types__in=clearance_ids),
            volunteer_id__in=volunteer_ids,
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__starts_at__gt=timezone.now(),
        )
        .select_related("shift__role", "shift__location")
        .prefetch_related(
            "shift__role__required_trainings", "shift__role__required_clearance_types"
        )
        .distinct()
        .order_by("shift__starts_at")
    )
    for signup in rows:
        shift = signup.shift
        zone = shift.location.time_zone
        days = local_days(shift.starts_at, shift.ends_at, zone)
        for training in shift.role.required_trainings.all():
            if training.pk in training_ids:
                by_training[(signup.volunteer_id, training.pk)].append((days, shift))
        for kind in shift.role.required_clearance_types.all():
            if kind.pk in clearance_ids:
                by_clearance[(signup.volunteer_id, kind.pk)].append((days, shift))
    return by_training, by_clearance


def _shift_entry(shift: Shift, language: str) -> dict[str, Any]:
    """A blocked shift as the templates want it, its title in the recipient's ``language``."""
    return {
        "title": translated(shift.role, "name", language),
        "starts_at": shift.starts_at.isoformat(),
        "zone": shift.location.time_zone,
    }


def schedule_expiry_warnings(*, today: date | None = None) -> tuple[int, int]:
    """Queue training and clearance expiry warnings due today: (trainings, clearances)."""
    today = today or org_today()
    horizon = today + timedelta(days=max(settings.EXPIRY_WARNING_DAYS or [0]))
    records = list(
        TrainingRecord.objects.filter(
            status=RecordStatus.VERIFIED, expires_on__gte=today, expires_on__lte=horizon
        ).select_related("training", "volunteer")
    )
    clearances = list(
        Clearance.objects.filter(
            status=ClearanceStatus.CLEARED, expires_on__gte=today, expires_on__lte=horizon
        ).select_related("clearance_type", "volunteer")
    )
    volunteer_ids = {r.volunteer_id for r in records} | {c.volunteer_id for c in clearances}
    renewed_trainings = set(
        TrainingRecord.objects.filter(
            volunteer_id__in=volunteer_ids,
            status=RecordStatus.VERIFIED,
            expires_on__gt=horizon,
        ).values_list("volunteer_id", "training_id")
    ) | set(
        TrainingRecord.objects.filter(
            volunteer_id__in=volunteer_ids, status=RecordStatus.VERIFIED, expires_on__isnull=True
        ).values_list("volunteer_id", "training_id")
    )
    renewed_clearances = set(
        Clearance.objects.filter(volunteer_id__in=volunteer_ids, status=ClearanceStatus.CLEARED)
        .filter(Q(expires_on__gt=horizon) | Q(expires_on__isnull=True))
        .values_list("volunteer_id", "clearance_type_id")
    )
    blocked_trainings, blocked_clearances = _blocked_shifts(
        volunteer_ids,
        training_ids={r.training_id for r in records},
        clearance_ids={c.clearance_type_id for c in clearances},
    )
    trainings = 0
    for record in records:
        assert record.expires_on is not None
        days = _threshold(record.expires_on, today)
        if days is None or (record.volunteer_id, record.training_id) in renewed_trainings:
            continue
        language = record.volunteer.preferred_language
        shifts = [
            _shift_entry(shift, language)
            for days, shift in blocked_trainings.get((record.volunteer_id, record.training_id), [])
            if not covers(record.expires_on, days)
        ]
        trainings += notify_volunteer(
            user=record.volunteer,
            kind=TRAINING_EXPIRY_KIND,
            dedupe_key=f"{TRAINING_EXPIRY_KIND}:{record.pk}:{days}d:{record.expires_on}",
            context={
                "training_name": translated(record.training, "name", language),
                "expires_on": record.expires_on.isoformat(),
                "renew_url": page_url(MY_TRAININGS_PAGE),
                "blocked_shifts": shifts,
            },
        )
    cleared = 0
    for clearance in clearances:
        assert clearance.expires_on is not None
        days = _threshold(clearance.expires_on, today)
        key = (clearance.volunteer_id, clearance.clearance_type_id)
        if days is None or key in renewed_clearances:
            continue
        shifts = [
            _shift_entry(shift, clearance.volunteer.preferred_language)
            for days, shift in blocked_clearances.get(key, [])
            if not covers(clearance.expires_on, days)
        ]
        cleared += notify_volunteer(
            user=clearance.volunteer,
            kind=CLEARANCE_EXPIRY_KIND,
            dedupe_key=f"{CLEARANCE_EXPIRY_KIND}:{clearance.pk}:{days}d:{clearance.expires_on}",
            context={
                "clearance_name": clearance.clearance_type.name,
                "expires_on": clearance.expires_on.isoformat(),
                "details_url": page_url(MY_TRAININGS_PAGE),
                "blocked_shifts": shifts,
            },
        )
    return trainings, cleared


def schedule_warnings(*, now: datetime | None = None) -> WarningCounts:
    now = now or timezone.now()
    trainings, clearances = schedule_expiry_warnings(today=org_today())
    return WarningCounts(
        session_reminders=schedule_session_reminders(now=now),
        training_warnings=trainings,
        clearance_warnings=clearances,
    )


def refresh_session_reminders(messages: Sequence[Message]) -> dict[int, dict[str, Any] | str]:
    """Just before sending, by message id: the sign-up and the session must still stand,
    at that time. One query for the whole batch."""
    signups = SessionSignup.objects.select_related("session").in_bulk(
        {context_pk(message, "session_signup_id") for message in messages}
    )
    answers: dict[int, dict[str, Any] | str] = {}
    for message in messages:
        signup = signups.get(context_pk(message, "session_signup_id"))
        if signup is None or signup.status != SignupStatus.CONFIRMED:
            answers[message.pk] = "The volunteer is no longer signed up for this session."
        elif signup.session.cancelled:
            answers[message.pk] = "The session was cancelled."
        elif signup.session.starts_at.isoformat() != message.context.get("starts_at"):
            answers[message.pk] = "The session moved."
        else:
            context: dict[str, Any] = message.context
            answers[message.pk] = context
    return answers


def refresh_session_reminder(message: Message) -> dict[str, Any] | str:
    """Just before sending: the sign-up and the session must still stand, at that time."""
    return refresh_session_reminders([message])[message.pk]
