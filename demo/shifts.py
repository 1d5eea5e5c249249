"""Demo shifts: two locations, three weeks of shifts of the demo roles, a weekly series, a
full shift with a waitlist, a swap offer, past shifts with attendance and hours waiting for
approval, and a shift starting within three hours for volunteer@example.org (its reminder
comes within a minute of the outbox sweep).

Called by ``seed_volunteering``; everything goes through the services, so the notices are
recorded. Running it again adds nothing: the shifts are planned once (the office location
marks that), and the shift starting soon is added only when Ana has none in the next hours.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from typing import Protocol

from django.utils import timezone

from accounts.models import User
from volunteers import services
from volunteers.models import (
    Location,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    VolunteerRole,
)
from volunteers.services import reminders

OFFICE = "Hope Line office"
REMOTE = "Crisis text line (remote)"
OFFICE_ZONE = "America/New_York"
REMOTE_ZONE = "America/Los_Angeles"
SOON = timedelta(hours=3)


class Counter(Protocol):
    def add(self, created: bool) -> None: ...


def _at(days: int, hour: int, zone: str, minute: int = 0) -> datetime:
    tz = zoneinfo.ZoneInfo(zone)
    day = timezone.localdate(timezone=tz) + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def _shift(
    role: VolunteerRole,
    location: Location,
    starts_at: datetime,
    hours: float,
    capacity: int,
    by: User,
    notes: str = "",
) -> Shift:
    return services.create_shift(
        role=role,
        location=location,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        notes=notes,
        by=by,
    )


def _past_place(shift: Shift, volunteer: User) -> ShiftSignup:
    """A place on a shift already over (no sign-up notice: it would arrive too late)."""
    return ShiftSignup.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=ShiftSignupStatus.CONFIRMED,
        joined_at=shift.starts_at - timedelta(days=5),
    )


def seed_soon_shift(people: dict[str, User], coordinator: User, counts: Counter) -> None:
    """A crisis-line shift starting within three hours, with Ana confirmed."""
    ana = people["volunteer@example.org"]
    now = timezone.now()
    has_one = ShiftSignup.objects.filter(
        volunteer=ana,
        status=ShiftSignupStatus.CONFIRMED,
        shift__status=ShiftStatus.PUBLISHED,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + SOON,
    ).exists()
    counts.add(not has_one)
    if has_one:
        return
    remote = Location.objects.get(name=REMOTE)
    start = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    start += timedelta(minutes=(15 - start.minute % 15) % 15)
    shift = _shift(
        VolunteerRole.objects.get(name="Crisis text line"),
        remote,
        start,
        3,
        2,
        coordinator,
        notes="Log in ten minutes early to read the handover notes.",
    )
    signup = services.sign_up_for_shift(shift=shift, volunteer=ana)
    # As if Ana had signed up days ago: her 3-hour reminder is due already, so the outbox
    # sweep sends it within a minute of `make run` (a real late sign-up gets none).
    reminders.schedule_signup_reminders(signup, now=shift.starts_at - timedelta(hours=3))


def seed_shifts(
    people: dict[str, User],
    coordinator: User,
    roles: dict[str, VolunteerRole],
    counts: Counter,
) -> None:
    if not Location.objects.filter(name=OFFICE).exists():
        _plan_weeks(people, coordinator, roles, counts)
    seed_soon_shift(people, coordinator, counts)


def _plan_weeks(
    people: dict[str, User],
    coordinator: User,
    roles: dict[str, VolunteerRole],
    counts: Counter,
) -> None:
    ana = people["volunteer@example.org"]
    ben = people["ben@example.org"]
    sam = people["sam@example.org"]
    lucia = people["lucia@example.org"]
    ploy = people["ploy@example.org"]
    office = Location.objects.create(
        name=OFFICE, address="4 Mill Lane, Hartford, CT", time_zone=OFFICE_ZONE
    )
    remote = Location.objects.create(
        name=REMOTE,
        address="Online: the text line console",
        time_zone=REMOTE_ZONE,
        is_remote=True,
    )
    counts.add(True)
    counts.add(True)
    crisis, outreach, events = (
        roles["Crisis text line"],
        roles["School outreach"],
        roles["Events and fundraising"],
    )

    # The crisis line every Monday, Wednesday and Friday evening, Pacific time.
    _, evenings = services.create_series(
        role=crisis,
        location=remote,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
        start_time=time(18, 0),
        duration=timedelta(hours=3),
        capacity=3,
        dtstart=timezone.localdate(timezone=zoneinfo.ZoneInfo(REMOTE_ZONE)),
        window_weeks=3,
        notes="A shift lead is on call for every evening.",
        by=coordinator,
    )
    counts.add(True)
    evenings = sorted(evenings, key=lambda s: s.starts_at)
    later = [s for s in evenings if s.starts_at > timezone.now() + timedelta(days=1)]
    for shift in later[:2]:
        services.sign_up_for_shift(shift=shift, volunteer=ana)  # the lead
        services.sign_up_for_shift(shift=shift, volunteer=sam)
    if len(later) > 2:
        services.sign_up_for_shift(shift=later[2], volunteer=ben)  # no lead yet: a gap
    _seed_at_risk(later, ben)
    if later:
        offered = services.sign_up_for_shift(shift=later[0], volunteer=ben)
        services.offer_swap(signup=offered, by=ben, note="Family visit; happy to swap.")
        counts.add(True)

    # School outreach on Tuesday and Thursday mornings for three weeks.
    for days in range(1, 22):
        start = _at(days, 10, OFFICE_ZONE)
        if start.weekday() in (1, 3):
            _shift(outreach, office, start, 3, 2, coordinator, notes="Meet at reception.")
            counts.add(True)

    # Saturday events; the first one is full, with a waitlist.
    saturdays = [d for d in range(1, 22) if _at(d, 9, OFFICE_ZONE).weekday() == 5]
    for n, days in enumerate(saturdays):
        shift = _shift(
            events,
            office,
            _at(days, 9, OFFICE_ZONE),
            4,
            2 if n == 0 else 6,
            coordinator,
            notes="Sponsored walk stall: bring a water bottle.",
        )
        counts.add(True)
        if n == 0:
            for person in (sam, ploy, ben, lucia):  # two places, two waiting
                services.sign_up_for_shift(shift=shift, volunteer=person)

    _seed_under_way(events, office, coordinator, lucia, ploy, counts)

    # Past shifts: attendance recorded, hours waiting for approval.
    for days, attended, no_show in ((-7, (ana, sam), ben), (-3, (lucia, ploy), None)):
        start = _at(days, 14, OFFICE_ZONE)
        past = _shift(events, office, start, 3, 4, coordinator, notes="Thank-you calls.")
        counts.add(True)
        for person in attended:
            services.record_attendance(
                signup=_past_place(past, person),
                by=coordinator,
                check_in_at=start + timedelta(minutes=5),
                check_out_at=start + timedelta(hours=3),
            )
        if no_show is not None:
            services.mark_no_show(signup=_past_place(past, no_show), by=coordinator)
    # Sam corrects his hours (waits for approval again); Lucía adds work done off-shift.
    week_ago = _at(-7, 14, OFFICE_ZONE)
    entry = sam.hours_entries.get(shift__starts_at=week_ago)
    services.edit_hours(
        entry=entry,
        by=sam,
        starts_at=week_ago,
        ends_at=week_ago + timedelta(hours=3, minutes=30),
        note="I stayed to pack up the stall.",
    )
    services.add_manual_hours(
        volunteer=lucia,
        role=events,
        starts_at=_at(-5, 17, OFFICE_ZONE),
        ends_at=_at(-5, 19, OFFICE_ZONE, 30),
        by=lucia,
        note="Folded leaflets for the walk at home.",
        time_zone=OFFICE_ZONE,
    )
    counts.add(True)


def _seed_under_way(
    role: VolunteerRole,
    location: Location,
    coordinator: User,
    here: User,
    late: User,
    counts: Counter,
) -> None:
    """A shift that started 40 minutes ago: Lucía checked in, Ploy is late."""
    start = (timezone.now() - timedelta(minutes=40)).replace(second=0, microsecond=0)
    shift = _shift(role, location, start, 3, 3, coordinator, notes="Stuffing envelopes.")
    counts.add(True)
    services.record_attendance(
        signup=_past_place(shift, here), by=coordinator, check_in_at=start + timedelta(minutes=2)
    )
    _past_place(shift, late)


def _seed_at_risk(evenings: list[Shift], ben: User) -> None:
    """Ben signed up weeks ago for an evening after his Hotline protocol runs out (in 10
    days): the coordinator's home shows the training with this shift at risk."""
    if len(evenings) > 3:
        ShiftSignup.objects.create(
            shift=evenings[-1],
            volunteer=ben,
            status=ShiftSignupStatus.CONFIRMED,
            joined_at=timezone.now() - timedelta(days=20),
        )
