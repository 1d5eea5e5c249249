"""iCalendar for shifts: one shift as an .ics attachment, a volunteer's private feed.

Times are written in each shift's own zone (DTSTART;TZID=America/New_York:...) with the
VTIMEZONE definitions included, so calendars show them right across DST changes.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from core.locales import translated
from volunteers.models import Shift, ShiftSignupStatus, ShiftStatus

PRODID = "-//Volunteer shifts//EN"


def shift_uid(shift: Shift) -> str:
    """Stable across edits, so a calendar updates the event rather than adding another."""
    domain = getattr(settings, "CALENDAR_UID_DOMAIN", "volunteers.invalid")
    return f"shift-{shift.pk}@{domain}"


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def shift_event(
    shift: Shift, *, stamp: datetime | None = None, language: str | None = None
) -> Event:
    """One shift as an event, its title in ``language`` (default: the active one)."""
    zone = zoneinfo.ZoneInfo(shift.time_zone)
    event = Event()
    event.add("uid", shift_uid(shift))
    event.add("dtstamp", stamp or timezone.now())
    event.add("last-modified", shift.updated_at)
    event.add("dtstart", shift.starts_at.astimezone(zone))
    event.add("dtend", shift.ends_at.astimezone(zone))
    event.add("summary", translated(shift.role, "name", language))
    location = shift.location
    event.add("location", location.name + (f", {location.address}" if location.address else ""))
    if shift.notes:
        event.add("description", shift.notes)
    cancelled = shift.status == ShiftStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def build_calendar(
    shifts: Iterable[Shift], *, name: str | None = None, language: str | None = None
) -> bytes:
    """A calendar of ``shifts`` (each with role and location loaded), their titles in
    ``language`` (default: the active one)."""
    calendar = _calendar(name)
    stamp = timezone.now()
    for shift in shifts:
        calendar.add_component(shift_event(shift, stamp=stamp, language=language))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def shift_ics(shift: Shift, language: str | None = None) -> str:
    """One shift as the text of an .ics file (for e-mail attachments, in the recipient's
    ``language``)."""
    return build_calendar([shift], language=language).decode()


def feed_shifts(volunteer_id: int) -> list[Shift]:
    """The shifts in a volunteer's feed: those they hold a place on, from 90 days back."""
    since = timezone.now() - timedelta(days=90)
    return list(
        Shift.objects.filter(
            signups__volunteer_id=volunteer_id,
            signups__status__in=[ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.ATTENDED],
            ends_at__gte=since,
        )
        .exclude(status=ShiftStatus.CANCELLED)
        .select_related("role", "location")
        .order_by("starts_at", "pk")
    )


def volunteer_feed(volunteer_id: int, language: str | None = None) -> bytes:
    """The private iCal feed of one volunteer (two queries whatever the number of shifts),
    the shifts' titles in ``language`` (the volunteer's: a calendar app sends its own)."""
    return build_calendar(feed_shifts(volunteer_id), name="My volunteer shifts", language=language)
