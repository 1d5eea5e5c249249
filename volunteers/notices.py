"""Everything a volunteer must hear about goes through ``notify_volunteer`` into the outbox.

The outbox (notifications/) writes a row in the caller's transaction and sends it later, once;
nothing here sends mail. Context values are plain JSON (strings, integers, booleans); the
templates are templates/notifications/<kind>/.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from notifications.services import enqueue_message
from volunteers.calendar import shift_ics
from volunteers.models import Shift, ShiftSignup

JSONValue = str | int | bool | None | list[Any] | dict[str, Any]

# Pages the messages link to: the URL name, and its path until the page exists.
SHIFT_PAGE = ("volunteers:shift_detail", "/volunteer/shifts/{}/")
OPEN_SHIFTS_PAGE = ("volunteers:open_shifts", "/volunteer/shifts/")
SWAP_OFFERS_PAGE = ("volunteers:swap_offers", "/volunteer/shifts/swaps/")

# A change to a shift starting sooner than this is urgent: it must not wait behind a backlog
# of reminders in the outbox.
SHORT_NOTICE = timedelta(hours=24)


def at_short_notice(starts_at: datetime) -> bool:
    return starts_at - timezone.now() < SHORT_NOTICE


def page_url(page: tuple[str, str], *args: int) -> str:
    name, fallback = page
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback.format(*args)
    site: str = settings.SITE_URL
    return site + path


def notify_volunteer(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    context: dict[str, JSONValue],
    scheduled_for: datetime | None = None,
    attachments: list[dict[str, str]] | None = None,
    urgent: bool = False,
) -> bool:
    """Record one message for ``user``; False when ``dedupe_key`` was already used."""
    payload: dict[str, Any] = dict(context)
    return None is not enqueue_message(
        recipient=user,
        kind=kind,
        dedupe_key=dedupe_key,
        context=payload,
        scheduled_for=scheduled_for,
        attachments=attachments,
        urgent=urgent,
    )


def shift_context(shift: Shift) -> dict[str, JSONValue]:
    """What every shift message says about its shift (times in ISO, UTC; shown in ``zone``)."""
    location = shift.location
    return {
        "shift_id": shift.pk,
        "shift_title": shift.role.name,
        "starts_at": shift.starts_at.astimezone(UTC).isoformat(),
        "ends_at": shift.ends_at.astimezone(UTC).isoformat(),
        "zone": location.time_zone,
        "location": location.name + (f", {location.address}" if location.address else ""),
        "shift_url": page_url(SHIFT_PAGE, shift.pk),
        "cancel_url": page_url(SHIFT_PAGE, shift.pk),
    }


def ics_attachment(shift: Shift) -> dict[str, str]:
    return {
        "filename": f"shift-{shift.pk}.ics",
        "content_type": "text/calendar",
        "content": shift_ics(shift),
    }


def _reminders() -> ModuleType:
    """volunteers.reminders, which builds on this module (so imported when first needed)."""
    from volunteers import reminders

    return reminders


def name_of(user: User) -> str:
    return user.get_full_name() or user.email


def notify_signup_confirmed(signup: ShiftSignup) -> None:
    shift = signup.shift
    notify_volunteer(
        user=signup.volunteer,
        kind="shift.signup_confirmed",
        dedupe_key=f"shift.signup_confirmed:{signup.pk}",
        context=shift_context(shift) | {"signup_id": signup.pk},
        attachments=[ics_attachment(shift)],
    )
    _reminders().schedule_signup_reminders(signup)


def notify_waitlist_promoted(signup: ShiftSignup) -> None:
    shift = signup.shift
    notify_volunteer(
        user=signup.volunteer,
        kind="shift.waitlist_promoted",
        dedupe_key=f"shift.waitlist_promoted:{signup.pk}",
        context=shift_context(shift) | {"signup_id": signup.pk},
        attachments=[ics_attachment(shift)],
    )
    _reminders().schedule_signup_reminders(signup)


def notify_swap_offered(offer_id: int, signup: ShiftSignup, recipients: Iterable[User]) -> None:
    """Tell the people who could take the place (those waiting for this shift)."""
    for user in recipients:
        notify_volunteer(
            user=user,
            kind="shift.swap_offered",
            dedupe_key=f"shift.swap_offered:{offer_id}:{user.pk}",
            context=shift_context(signup.shift)
            | {
                "offer_id": offer_id,
                "offered_by": name_of(signup.volunteer),
                "accept_url": page_url(SWAP_OFFERS_PAGE),
            },
        )


def notify_swap_accepted(offer_id: int, old: ShiftSignup, new: ShiftSignup) -> None:
    """The giver hears who took the place; the taker gets a confirmation with the .ics."""
    notify_volunteer(
        user=old.volunteer,
        kind="shift.swap_accepted",
        dedupe_key=f"shift.swap_accepted:{offer_id}",
        context=shift_context(old.shift)
        | {"offer_id": offer_id, "signup_id": old.pk, "accepted_by": name_of(new.volunteer)},
    )
    _reminders().cancel_signup_reminders(old.pk)
    notify_signup_confirmed(new)


def notify_shift_changed(
    shift: Shift, signups: list[ShiftSignup], changes: list[str], previous_starts_at: datetime
) -> None:
    """``changes`` in words, e.g. ["The time changed from ... to ..."]."""
    moved = previous_starts_at != shift.starts_at
    for signup in signups:
        notify_volunteer(
            user=signup.volunteer,
            kind="shift.changed",
            dedupe_key=f"shift.changed:{signup.pk}:{shift.updated_at.isoformat()}",
            context=shift_context(shift)
            | {
                "signup_id": signup.pk,
                "status": signup.status,
                "note": " ".join(changes),
                "previous_starts_at": previous_starts_at.isoformat() if moved else "",
            },
            attachments=[ics_attachment(shift)] if signup.status == "confirmed" else None,
            urgent=at_short_notice(min(shift.starts_at, previous_starts_at)),
        )
    if moved:
        _reminders().reschedule_shift_reminders(shift)


def notify_shift_cancelled(shift: Shift, signups: list[ShiftSignup]) -> None:
    for signup in signups:
        _reminders().cancel_signup_reminders(signup.pk)
        notify_volunteer(
            user=signup.volunteer,
            kind="shift.cancelled",
            dedupe_key=f"shift.cancelled:{signup.pk}",
            context=shift_context(shift)
            | {
                "signup_id": signup.pk,
                "reason": shift.cancellation_reason,
                "shifts_url": page_url(OPEN_SHIFTS_PAGE),
            },
            urgent=at_short_notice(shift.starts_at),
        )


def notify_signup_cancelled(signup: ShiftSignup, reason: str) -> None:
    """A coordinator took the volunteer off a shift (moved or removed)."""
    _reminders().cancel_signup_reminders(signup.pk)
    notify_volunteer(
        user=signup.volunteer,
        kind="shift.signup_cancelled",
        dedupe_key=f"shift.signup_cancelled:{signup.pk}",
        context=shift_context(signup.shift)
        | {
            "signup_id": signup.pk,
            "reason": reason,
            "shifts_url": page_url(OPEN_SHIFTS_PAGE),
        },
    )
