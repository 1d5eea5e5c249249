"""Every message to a volunteer goes through ``notify_volunteer`` into the outbox.

The outbox (notifications/) writes a row in the caller's transaction and sends it later, once;
nothing here sends mail. Context values are plain JSON (strings, integers, booleans); the
templates are templates/notifications/<kind>/.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.locales import translated
from notifications.services import enqueue_message
from volunteers.ical import shift_ics
from volunteers.models import Shift

JSONValue = str | int | bool | None | list[Any] | dict[str, Any]

# Pages the messages link to (URL names).
SHIFT_PAGE = "volunteers:shift_detail"
OPEN_SHIFTS_PAGE = "volunteers:open_shifts"
SWAP_OFFERS_PAGE = "volunteers:swap_offers"


# A change to a shift starting sooner than this is urgent: it must not wait behind a backlog
# of reminders in the outbox.
SHORT_NOTICE = timedelta(hours=24)


def at_short_notice(starts_at: datetime) -> bool:
    return starts_at - timezone.now() < SHORT_NOTICE


def page_url(name: str, *args: int) -> str:
    """The absolute address of one of our pages, for a message."""
    site: str = settings.SITE_URL
    return site + reverse(name, args=args)


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


def shift_context(shift: Shift, language: str) -> dict[str, JSONValue]:
    """What every shift message says about its shift (times in ISO, UTC; shown in ``zone``),
    the coordinators' text in ``language``: the recipient's, never the sender's."""
    location = shift.location
    url = page_url(SHIFT_PAGE, shift.pk)  # where the volunteer sees it, and cancels
    return {
        "shift_id": shift.pk,
        "shift_title": translated(shift.role, "name", language),
        "starts_at": shift.starts_at.astimezone(UTC).isoformat(),
        "ends_at": shift.ends_at.astimezone(UTC).isoformat(),
        "zone": location.time_zone,
        "location": location.name + (f", {location.address}" if location.address else ""),
        "shift_url": url,
        "cancel_url": url,
    }


def ics_attachment(shift: Shift, language: str) -> dict[str, str]:
    """The shift as a calendar file, its title in ``language`` (the recipient's)."""
    return {
        "filename": f"shift-{shift.pk}.ics",
        "content_type": "text/calendar",
        "content": shift_ics(shift, language),
    }
