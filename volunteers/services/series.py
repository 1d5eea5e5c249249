"""Recurring shifts: an RFC 5545 rule of local dates, shifts generated for a rolling window.

Each occurrence starts at the series' local start time in its location's zone, whatever the
UTC offset that day (18:00 stays 18:00 across a DST change), and lasts ``duration``.
"""

from __future__ import annotations

import re
import warnings
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from volunteers.models import Location, Shift, ShiftSeries, ShiftStatus, VolunteerRole
from volunteers.selectors.eligibility import format_day
from volunteers.services.messaging import notify_shift_changed
from volunteers.services.shifts import (
    EDITABLE_SHIFT_FIELDS,
    NO_PLACES,
    apply_shift_changes,
    cancel_locked_shift,
    people_to_tell,
)
from volunteers.services.signups import lock_shift, promote_waitlisted

ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# How far ahead a new rule must give at least one date.
PROBE_YEARS = 5


def _rule_error(message: str) -> ValidationError:
    return ValidationError({"rrule": message})


def parse_rule(text: str, *, dtstart: date, start_time: time) -> rrule:
    """The rule as dateutil's rrule on naive local datetimes, or a ValidationError."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body or "\n" in body or "DTSTART" in body.upper():
        raise _rule_error("Write one repeat rule, such as FREQ=WEEKLY;BYDAY=TU.")
    if re.search(r"(?:^|;)(BYHOUR|BYMINUTE|BYSECOND)=", body.upper()):
        raise _rule_error(
            "A repeat rule gives days only: the shift's start time and length are set "
            "separately, so leave out BYHOUR, BYMINUTE and BYSECOND."
        )
    frequency = re.search(r"(?:^|;)FREQ=([A-Z]+)", body.upper())
    if frequency is None or frequency.group(1) not in ALLOWED_FREQUENCIES:
        raise _rule_error("A shift repeats daily, weekly, monthly or yearly (FREQ=WEEKLY...).")
    try:
        rule = rrulestr(body, dtstart=datetime.combine(dtstart, start_time))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _rule_error(f"This is not a repeat rule we can read ({exc}).") from exc
    if not isinstance(rule, rrule):  # pragma: no cover - a single RRULE line gives an rrule
        raise _rule_error("Write one repeat rule, such as FREQ=WEEKLY;BYDAY=TU.")
    return rule


def occurrence_dates(
    text: str,
    *,
    dtstart: date,
    start_time: time,
    until: date | None,
    first: date,
    last: date,
) -> list[date]:
    """The local dates the rule gives from ``first`` to ``last`` (and not after ``until``)."""
    rule = parse_rule(text, dtstart=dtstart, start_time=start_time)
    high = datetime.combine(min(last, until) if until else last, time.max)
    own_until: datetime | None = getattr(rule, "_until", None)
    if own_until is not None:
        high = min(high, own_until.replace(tzinfo=None))
    low = datetime.combine(max(first, dtstart), time.min)
    if high < low:
        return []
    with warnings.catch_warnings():
        # COUNT and UNTIL together: dateutil stops at whichever comes first, as we want.
        warnings.simplefilter("ignore", DeprecationWarning)
        bounded = rule.replace(until=high)
    # One shift per day at most, whatever the rule says (dict keeps the order).
    return list(dict.fromkeys(moment.date() for moment in bounded.between(low, high, inc=True)))


def validate_series_fields(
    *,
    rrule_text: str,
    dtstart: date,
    until: date | None,
    start_time: time,
    duration: timedelta,
    capacity: int,
    window_weeks: int,
) -> None:
    """Form-level checks, as a ValidationError naming the field."""
    errors: dict[str, str] = {}
    if duration <= timedelta(0):
        errors["duration"] = "A shift must last some time."
    elif duration > timedelta(hours=24):
        errors["duration"] = "A shift lasts at most 24 hours."
    if capacity < 1:
        errors["capacity"] = str(NO_PLACES)
    if until is not None and until < dtstart:
        errors["until"] = "The last day cannot be before the first day."
    if not 1 <= window_weeks <= 52:
        errors["window_weeks"] = "Plan between 1 and 52 weeks ahead."
    if errors:
        raise ValidationError(errors)
    probe_end = dtstart.replace(year=dtstart.year + PROBE_YEARS, day=min(dtstart.day, 28))
    dates = occurrence_dates(
        rrule_text,
        dtstart=dtstart,
        start_time=start_time,
        until=until,
        first=dtstart,
        last=probe_end,
    )
    if not dates:
        ending = f" to {format_day(until)}" if until else ""
        raise _rule_error(
            f"This rule gives no dates from {format_day(dtstart)}{ending}. "
            "Check the days, the months and the end date."
        )


def local_start(day: date, start_time: time, zone: str) -> datetime:
    """``start_time`` on ``day`` where the shift happens, in UTC.

    A time that does not exist that day (skipped by a DST change) moves forward by the gap.
    """
    local = datetime.combine(day, start_time, tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(UTC)


def create_series(
    *,
    role: VolunteerRole,
    location: Location,
    rrule: str,
    start_time: time,
    duration: timedelta,
    capacity: int,
    dtstart: date,
    by: User | None,
    until: date | None = None,
    window_weeks: int = 8,
    notes: str = "",
    online_link: str = "",
    shift_status: str = ShiftStatus.PUBLISHED,
) -> tuple[ShiftSeries, list[Shift]]:
    """A recurring shift and its shifts for the coming ``window_weeks``."""
    validate_series_fields(
        rrule_text=rrule,
        dtstart=dtstart,
        until=until,
        start_time=start_time,
        duration=duration,
        capacity=capacity,
        window_weeks=window_weeks,
    )
    series = ShiftSeries(
        role=role,
        location=location,
        rrule=rrule.strip(),
        start_time=start_time,
        duration=duration,
        capacity=capacity,
        dtstart=dtstart,
        until=until,
        window_weeks=window_weeks,
        notes=notes.strip(),
        online_link=online_link.strip(),
        shift_status=shift_status,
        created_by=by,
    )
    series.full_clean()
    with transaction.atomic():
        series.save()
        audit.record(
            "volunteers.series.created",
            actor=by,
            obj=series,
            changes=audit.changed_fields({}, audit.snapshot(series, SERIES_AUDITED_FIELDS)),
        )
        shifts = generate_occurrences(series=series, by=by)
    return series, shifts


def generate_occurrences(
    *, series: ShiftSeries, through: date | None = None, by: User | None = None
) -> list[Shift]:
    """Create the series' shifts still missing up to ``through`` (default: its window).

    Running it again creates nothing new; past dates are never filled in. ``by`` None: the
    daily job made them.
    """
    with transaction.atomic():
        locked = (
            ShiftSeries.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=series.pk)
        )
        zone = locked.location.time_zone
        now = timezone.now()
        today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(zone))
        last = through or today + timedelta(weeks=locked.window_weeks)
        if locked.until is not None:
            last = min(last, locked.until)
        first = max(locked.dtstart, today)
        if locked.generated_until is not None:
            first = max(first, locked.generated_until + timedelta(days=1))
        dates = occurrence_dates(
            locked.rrule,
            dtstart=locked.dtstart,
            start_time=locked.start_time,
            until=locked.until,
            first=first,
            last=last,
        )
        existing = set(
            Shift.objects.filter(series=locked, occurrence_date__in=dates).values_list(
                "occurrence_date", flat=True
            )
        )
        shifts = []
        for day in dates:
            starts_at = local_start(day, locked.start_time, zone)
            if day in existing or starts_at <= now:
                continue
            shifts.append(
                Shift(
                    role_id=locked.role_id,
                    location_id=locked.location_id,
                    series=locked,
                    occurrence_date=day,
                    starts_at=starts_at,
                    ends_at=starts_at + locked.duration,
                    capacity=locked.capacity,
                    notes=locked.notes,
                    online_link=locked.online_link,
                    status=locked.shift_status,
                    created_by_id=locked.created_by_id,
                )
            )
        created = Shift.objects.bulk_create(shifts)
        if created:
            audit.record(
                "volunteers.series.shifts_generated",
                actor=by,
                obj=locked,
                data={
                    "shifts": [shift.pk for shift in created],
                    "dates": [str(shift.occurrence_date) for shift in created],
                },
            )
        if last >= first and (locked.generated_until is None or last > locked.generated_until):
            locked.generated_until = last
            locked.save(update_fields=["generated_until", "updated_at"])
    series.refresh_from_db()
    return created


def generate_all_series(*, through: date | None = None) -> int:
    """Extend every series still running to its window (for a daily periodic task)."""
    today = org_today()
    created = 0
    running = ShiftSeries.objects.filter(until__isnull=True) | ShiftSeries.objects.filter(
        until__gte=today - timedelta(days=1)
    )
    for series in running.order_by("pk"):
        created += len(generate_occurrences(series=series, through=through))
    return created


SERIES_FIELDS = frozenset(
    {
        "role",
        "location",
        "rrule",
        "start_time",
        "duration",
        "capacity",
        "notes",
        "online_link",
        "until",
    }
)
# What a series' audit entries compare.
SERIES_AUDITED_FIELDS = (*sorted(SERIES_FIELDS), "dtstart", "shift_status", "window_weeks")
# What a shift carried into another series compares.
CARRIED_SHIFT_FIELDS = (*sorted(EDITABLE_SHIFT_FIELDS), "series")


def update_series_from(*, shift: Shift, by: User, **changes: Any) -> ShiftSeries:
    """Edit "this and all following": the series is split at ``shift``'s date.

    Earlier shifts keep the old rule and settings; this one and the later ones take the new
    ones (people signed up hear what changed), dates the new rule drops are cancelled, and
    new dates are generated. Returns the series that now holds ``shift``'s date.
    """
    unknown = set(changes) - SERIES_FIELDS
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a series")
    if shift.series_id is None or shift.occurrence_date is None:
        raise ValidationError(gettext("This shift is not part of a series; edit it on its own."))
    with transaction.atomic():
        old = ShiftSeries.objects.select_for_update(of=("self",)).get(pk=shift.series_id)
        split = shift.occurrence_date
        if lock_shift(shift.pk).starts_at <= timezone.now():
            raise ValidationError(gettext("Choose a shift that has not started yet."))
        values = {name: getattr(old, name) for name in SERIES_FIELDS} | changes
        validate_series_fields(
            rrule_text=values["rrule"],
            dtstart=split,
            until=values["until"],
            start_time=values["start_time"],
            duration=values["duration"],
            capacity=values["capacity"],
            window_weeks=old.window_weeks,
        )
        before = audit.snapshot(old, SERIES_AUDITED_FIELDS)
        previous_until = old.until
        if split <= old.dtstart:
            target = old
            for name, value in values.items():
                setattr(target, name, value)
            target.generated_until = None
            target.full_clean()
            target.save()
        else:
            target = ShiftSeries(
                **values,
                dtstart=split,
                window_weeks=old.window_weeks,
                shift_status=old.shift_status,
                previous=old,
                created_by=by,
            )
            target.full_clean()
            target.save()
            old.until = split - timedelta(days=1)
            if old.generated_until is not None:
                old.generated_until = min(old.generated_until, old.until)
            old.save(update_fields=["until", "generated_until", "updated_at"])
            audit.record(
                "volunteers.series.ended",
                actor=by,
                obj=old,
                changes=audit.changed_fields({"until": previous_until}, {"until": old.until}),
                data={"continued_by": target.pk},
            )
        audit.record(
            "volunteers.series.changed",
            actor=by,
            obj=target,
            changes=audit.changed_fields(before, audit.snapshot(target, SERIES_AUDITED_FIELDS)),
            data={"from": str(split), **({"previous": old.pk} if target is not old else {})},
        )
        _carry_over(old, target, split, by)
        generate_occurrences(series=target, by=by)
    shift.refresh_from_db()
    return target


def _carry_over(old: ShiftSeries, target: ShiftSeries, split: date, by: User) -> None:
    """Move the old series' shifts from ``split`` on into ``target``, with its settings."""
    following = list(
        Shift.objects.filter(series=old, occurrence_date__gte=split)
        .order_by("pk")
        .values_list("pk", "occurrence_date")
    )
    if not following:
        return
    following_ids = [pk for pk, _ in following]
    last_day = max(day for _, day in following if day is not None)
    kept = set(
        occurrence_dates(
            target.rrule,
            dtstart=target.dtstart,
            start_time=target.start_time,
            until=target.until,
            first=split,
            last=last_day,
        )
    )
    zone = target.location.time_zone
    for pk in following_ids:  # pk order: the order every transaction locks shifts in
        locked = lock_shift(pk)
        before = audit.snapshot(locked, CARRIED_SHIFT_FIELDS)
        day = locked.occurrence_date
        assert day is not None
        if day not in kept:
            if locked.status != ShiftStatus.CANCELLED:
                cancel_locked_shift(
                    locked, by=by, reason="The repeating schedule changed and dropped this date."
                )
            continue
        locked.series = target
        locked.save(update_fields=["series", "updated_at"])
        if locked.status == ShiftStatus.CANCELLED:
            _audit_carried(locked, before, by)
            continue
        starts_at = local_start(day, target.start_time, zone)
        fields = {
            "role": target.role,
            "location": target.location,
            "starts_at": starts_at,
            "ends_at": starts_at + target.duration,
            "capacity": target.capacity,
            "notes": target.notes,
            "online_link": target.online_link,
        }
        try:
            change = apply_shift_changes(locked, fields)
        except ValidationError as exc:
            raise ValidationError(
                {
                    field: [f"{format_day(day)}: {message}" for message in messages]
                    for field, messages in exc.message_dict.items()
                }
            ) from exc
        _audit_carried(locked, before, by)
        if change.worth_telling and locked.status == ShiftStatus.PUBLISHED:
            notify_shift_changed(
                locked, people_to_tell(locked), change.words, change.previous_starts_at
            )
        promote_waitlisted(locked, by=by)


def _audit_carried(locked: Shift, before: dict[str, object], by: User) -> None:
    changes = audit.changed_fields(before, audit.snapshot(locked, CARRIED_SHIFT_FIELDS))
    if changes:
        audit.record("volunteers.shift.changed", actor=by, obj=locked, changes=changes)
