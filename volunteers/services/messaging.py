"""What a volunteer is told when something happens to their place: confirmed, promoted from
the waitlist, a swap offered or accepted, the shift changed or cancelled, the place removed.

Each records its message in the outbox (volunteers.services.notify) and keeps the place's
reminders in step (volunteers.services.reminders), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.utils import translation

from accounts.models import User
from core.locales import translated
from volunteers import message_kinds as kinds
from volunteers.models import Shift, ShiftSignup
from volunteers.services import reminders
from volunteers.services.notify import (
    OPEN_SHIFTS_PAGE,
    SHIFT_PAGE,
    SWAP_OFFERS_PAGE,
    JSONValue,
    at_short_notice,
    ics_attachment,
    notify_volunteer,
    page_url,
    shift_context,
)


def notify_signup_confirmed(signup: ShiftSignup) -> None:
    shift = signup.shift
    language = signup.volunteer.preferred_language
    notify_volunteer(
        user=signup.volunteer,
        kind=kinds.SIGNUP_CONFIRMED.name,
        dedupe_key=f"shift.signup_confirmed:{signup.pk}",
        context=shift_context(shift, language) | {"signup_id": signup.pk},
        attachments=[ics_attachment(shift, language)],
    )
    reminders.schedule_signup_reminders(signup)


def notify_waitlist_promoted(signup: ShiftSignup) -> None:
    shift = signup.shift
    language = signup.volunteer.preferred_language
    notify_volunteer(
        user=signup.volunteer,
        kind=kinds.WAITLIST_PROMOTED.name,
        dedupe_key=f"shift.waitlist_promoted:{signup.pk}",
        context=shift_context(shift, language) | {"signup_id": signup.pk},
        attachments=[ics_attachment(shift, language)],
    )
    reminders.schedule_signup_reminders(signup)


def notify_swap_offered(offer_id: int, signup: ShiftSignup, recipients: Iterable[User]) -> None:
    """Tell the people who could take the place (those waiting for this shift)."""
    for user in recipients:
        notify_volunteer(
            user=user,
            kind=kinds.SWAP_OFFERED.name,
            dedupe_key=f"shift.swap_offered:{offer_id}:{user.pk}",
            context=shift_context(signup.shift, user.preferred_language)
            | {
                "offer_id": offer_id,
                "offered_by": str(signup.volunteer),
                "accept_url": page_url(SWAP_OFFERS_PAGE),
            },
        )


def notify_swap_accepted(offer_id: int, old: ShiftSignup, new: ShiftSignup) -> None:
    """The giver hears who took the place; the taker gets a confirmation with the .ics."""
    notify_volunteer(
        user=old.volunteer,
        kind=kinds.SWAP_ACCEPTED.name,
        dedupe_key=f"shift.swap_accepted:{offer_id}",
        context=shift_context(old.shift, old.volunteer.preferred_language)
        | {"offer_id": offer_id, "signup_id": old.pk, "accepted_by": str(new.volunteer)},
    )
    reminders.cancel_signup_reminders(old.pk)
    notify_signup_confirmed(new)


def notify_shift_changed(
    shift: Shift,
    signups: list[ShiftSignup],
    changes: Callable[[], list[str]],
    previous_starts_at: datetime,
) -> None:
    """``changes`` puts what changed in words in the active language, e.g. ["The time
    changed from ... to ..."]: called in each person's own."""
    moved = previous_starts_at != shift.starts_at
    for signup in signups:
        language = signup.volunteer.preferred_language
        with translation.override(language):
            note = " ".join(changes())
        notify_volunteer(
            user=signup.volunteer,
            kind=kinds.SHIFT_CHANGED.name,
            dedupe_key=f"shift.changed:{signup.pk}:{shift.updated_at.isoformat()}",
            context=shift_context(shift, language)
            | {
                "signup_id": signup.pk,
                "status": signup.status,
                "note": note,
                "previous_starts_at": previous_starts_at.isoformat() if moved else "",
            },
            attachments=[ics_attachment(shift, language)] if signup.status == "confirmed" else None,
            urgent=at_short_notice(min(shift.starts_at, previous_starts_at)),
        )
    if moved:
        reminders.reschedule_shift_reminders(shift)


def notify_shift_cancelled(shift: Shift, signups: list[ShiftSignup]) -> None:
    for signup in signups:
        reminders.cancel_signup_reminders(signup.pk)
        notify_volunteer(
            user=signup.volunteer,
            kind=kinds.SHIFT_CANCELLED.name,
            dedupe_key=f"shift.cancelled:{signup.pk}",
            context=shift_context(shift, signup.volunteer.preferred_language)
            | {
                "signup_id": signup.pk,
                "reason": shift.cancellation_reason,
                "shifts_url": page_url(OPEN_SHIFTS_PAGE),
            },
            urgent=at_short_notice(shift.starts_at),
        )


def notify_signup_cancelled(
    signup: ShiftSignup, reason: str, *, moved_to: Shift | None = None
) -> None:
    """A coordinator took the volunteer off a shift (``reason``: their words, may be empty),
    or moved the place to ``moved_to`` (whose confirmation goes separately)."""
    reminders.cancel_signup_reminders(signup.pk)
    language = signup.volunteer.preferred_language
    notify_volunteer(
        user=signup.volunteer,
        kind=kinds.SIGNUP_CANCELLED.name,
        dedupe_key=f"shift.signup_cancelled:{signup.pk}",
        context=shift_context(signup.shift, language)
        | {
            "signup_id": signup.pk,
            "reason": reason,
            "moved_to": None if moved_to is None else _shift_in_brief(moved_to, language),
            "shifts_url": page_url(OPEN_SHIFTS_PAGE),
        },
    )


def _shift_in_brief(shift: Shift, language: str) -> dict[str, JSONValue]:
    return {
        "title": translated(shift.role, "name", language),
        "starts_at": shift.starts_at.astimezone(UTC).isoformat(),
        "zone": shift.location.time_zone,
        "url": page_url(SHIFT_PAGE, shift.pk),
    }
