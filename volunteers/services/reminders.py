"""Which volunteering reminders are due, and the outbox rows that carry them.

Shift reminders (``shift.reminder``) go to each confirmed volunteer at the lead times in
``SHIFT_REMINDER_LEAD_HOURS`` (default 48 and 3 hours before the start). The rows are put
in the outbox ahead of time, scheduled for their moment, under the key
``shift.reminder:<signup>:<lead>h:<start in UTC>``:

* when a place is confirmed (sign-up, promotion, swap, assignment: ``notices`` calls
  ``schedule_signup_reminders``);
* by ``schedule_due_reminders``, run by beat every few minutes, as a safety net for any
  confirmed place that has none (e.g. one made in the admin);
* when a shift moves, ``reschedule_shift_reminders`` cancels its pending reminders and
  queues new ones for the new start (the start is in the key, so the new ones are new rows).

Just before a reminder is sent, ``refresh_shift_reminder`` (registered with the outbox,
with ``refresh_shift_reminders`` for a worker's whole batch) checks it still stands: the
place must still be confirmed, the shift still published and still starting when the key
says; otherwise the row is cancelled, so a cancelled signup never gets one. It also
re-checks eligibility on the day of the shift, so a reminder tells a volunteer whose
training lapsed since signing up why they may not come.

Training-session reminders, expiry warnings and the coordinator digest: see
``schedule_session_reminders``, ``schedule_expiry_warnings`` and ``coordinator_digest``
(``volunteers/digest.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from notifications.models import Message
from notifications.services import cancel_messages, reinstate_message
from notifications.services.hooks import context_pk
from volunteers.message_kinds import SHIFT_REMINDER
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus, ShiftStatus
from volunteers.selectors.eligibility import EligibilityChecker
from volunteers.services.notify import notify_volunteer, shift_context

REMINDER_KIND = SHIFT_REMINDER.name
# A lead whose moment passed less than this long ago is still sent (e.g. a sweep that ran
# a little late); an older one is skipped: the volunteer has had the confirmation.
GRACE = timedelta(minutes=2)


def lead_hours() -> list[int]:
    leads: Iterable[int] = settings.SHIFT_REMINDER_LEAD_HOURS
    return sorted({int(hours) for hours in leads if int(hours) > 0}, reverse=True)


def reminder_prefix(signup_id: int) -> str:
    return f"{REMINDER_KIND}:{signup_id}:"


def reminder_key(signup_id: int, lead: int, starts_at: datetime) -> str:
    start = starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{reminder_prefix(signup_id)}{lead}h:{start}"


def schedule_signup_reminders(signup: ShiftSignup, *, now: datetime | None = None) -> int:
    """Queue the reminders of one confirmed place; how many were new. Idempotent."""
    shift = signup.shift
    if signup.status != ShiftSignupStatus.CONFIRMED or shift.status != ShiftStatus.PUBLISHED:
        return 0
    now = now or timezone.now()
    queued = 0
    for lead in lead_hours():
        due = shift.starts_at - timedelta(hours=lead)
        if due < now - GRACE or shift.starts_at <= now:
            continue
        key = reminder_key(signup.pk, lead, shift.starts_at)
        context = shift_context(shift, signup.volunteer.preferred_language) | {
            "signup_id": signup.pk,
            "lead_hours": lead,
        }
        when = max(due, now)
        if notify_volunteer(
            user=signup.volunteer,
            kind=REMINDER_KIND,
            dedupe_key=key,
            context=context,
            scheduled_for=when,
        ):
            queued += 1
        else:
            # Withdrawn earlier (the shift moved away and is back at this time): put it back.
            queued += bool(reinstate_message(dedupe_key=key, scheduled_for=when, context=context))
    return queued


def cancel_signup_reminders(signup_id: int) -> int:
    """Cancel the pending reminders of a place (cancelled, moved or swapped away)."""
    return cancel_messages(dedupe_key_prefix=reminder_prefix(signup_id))


def reschedule_shift_reminders(shift: Shift) -> int:
    """After ``shift`` moved: cancel its pending reminders, queue them for the new start."""
    queued = 0
    signups = ShiftSignup.objects.filter(shift=shift).select_related(
        "volunteer", "shift__role", "shift__location"
    )
    for signup in signups:
        cancel_signup_reminders(signup.pk)
        queued += schedule_signup_reminders(signup)
    return queued


def schedule_due_reminders(*, now: datetime | None = None) -> int:
    """The safety net: queue any missing reminder of a confirmed place starting soon."""
    now = now or timezone.now()
    leads = lead_hours()
    if not leads:
        return 0
    horizon = now + timedelta(hours=leads[0]) + timedelta(hours=1)
    signups = (
        ShiftSignup.objects.filter(
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__starts_at__gt=now,
            shift__starts_at__lte=horizon,
        )
        .select_related("volunteer", "shift__role", "shift__location")
        .order_by("shift__starts_at", "pk")
    )
    queued = 0
    for signup in signups.iterator(chunk_size=500):
        with transaction.atomic():
            queued += schedule_signup_reminders(signup, now=now)
    return queued


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _gone_reason(message: Message, signup: ShiftSignup | None, now: datetime) -> str:
    """Why the reminder no longer stands, or "" when it does."""
    if signup is None or signup.status != ShiftSignupStatus.CONFIRMED:
        return "The volunteer no longer has this place."
    shift = signup.shift
    if shift.status != ShiftStatus.PUBLISHED:
        return "The shift was cancelled."
    if _moment(message.context.get("starts_at")) != shift.starts_at:
        return "The shift moved; a reminder for its new time replaces this one."
    if shift.starts_at <= now:
        return "The shift has already started."
    return ""


# What a batch's refresh reads of each sign-up (its standing, the shift's part of the
# context, the eligibility check, the volunteer's language): only these columns are loaded.
_REFRESHED_FIELDS = (
    "status",
    "shift__status",
    "shift__starts_at",
    "shift__ends_at",
    "shift__role__name",
    "shift__role__translations",
    "shift__location__name",
    "shift__location__address",
    "shift__location__time_zone",
    "volunteer__preferred_language",
)


def refresh_shift_reminders(messages: Sequence[Message]) -> dict[int, dict[str, Any] | str]:
    """``refresh_shift_reminder`` for a batch of reminders, by message id: the sign-ups in
    one query and one EligibilityChecker for all their volunteers and roles, so a batch
    costs the same few queries whatever its size."""
    signups = (
        ShiftSignup.objects.select_related("shift__role", "shift__location", "volunteer")
        .only(*_REFRESHED_FIELDS)
        .in_bulk({context_pk(message, "signup_id") for message in messages})
    )
    now = timezone.now()
    answers: dict[int, dict[str, Any] | str] = {}
    standing: list[tuple[Message, ShiftSignup]] = []
    for message in messages:
        signup = signups.get(context_pk(message, "signup_id"))
        reason = _gone_reason(message, signup, now)
        if reason:
            answers[message.pk] = reason
        else:
            assert signup is not None
            standing.append((message, signup))
    if not standing:
        return answers
    checker = EligibilityChecker(
        volunteer_ids={signup.volunteer_id for _message, signup in standing},
        roles=[signup.shift.role for _message, signup in standing],
    )
    # What the reminder says is in the volunteer's language, whoever runs the sweep: one
    # switch of language per language of the batch, not one per reminder.
    by_language: dict[str, list[tuple[Message, ShiftSignup]]] = {}
    for message, signup in standing:
        by_language.setdefault(signup.volunteer.preferred_language, []).append((message, signup))
    for language, group in by_language.items():
        with translation.override(language):
            # The shift's part of the context once per shift (a batch holds the reminders
            # of a few shifts, each to many volunteers).
            shifts: dict[int, dict[str, Any]] = {}
            for message, signup in group:
                shift = signup.shift
                eligibility = checker.check(
                    volunteer_id=signup.volunteer_id,
                    role=shift.role,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    time_zone=shift.location.time_zone,
                )
                about_shift = shifts.get(shift.pk)
                if about_shift is None:
                    about_shift = shifts[shift.pk] = shift_context(shift, language)
                context = dict(message.context)
                context.update(about_shift)
                context["blocked_reasons"] = [str(reason) for reason in eligibility.reasons]
                answers[message.pk] = context
    return answers


def refresh_shift_reminder(message: Message) -> dict[str, Any] | str:
    """The reminder's context as of now, or why it must not be sent (see the module)."""
    return refresh_shift_reminders([message])[message.pk]
