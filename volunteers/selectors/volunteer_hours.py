"""Shifts and hours of one volunteer for coordinators' pages (no view imports: the
volunteer page in coordinator.py and the hours pages both use it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import org_zone
from core.locales import month_and_year
from volunteers.models import HoursEntry
from volunteers.selectors import shifts as shift_selectors

RECENT_HOURS = 20


def entry_zone(entry: HoursEntry) -> str:
    """The zone an entry is shown in: its shift's, else the organisation's."""
    return entry.shift.location.time_zone if entry.shift else org_zone().key


def hours_text(minutes: int) -> str:
    """e.g. "3 h 30 min", "45 min", "2 h"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


@dataclass
class Total:
    label: str
    approved: int = 0
    pending: int = 0
    key: Any = None

    @property
    def approved_text(self) -> str:
        return hours_text(self.approved)

    @property
    def pending_text(self) -> str:
        return hours_text(self.pending)


def add_total(bucket: dict[Any, Total], key: Any, label: str, approved: int, pending: int) -> None:
    total = bucket.setdefault(key, Total(label=label, key=key))
    total.approved += approved
    total.pending += pending


def volunteer_shift_context(person: User) -> dict[str, Any]:
    """The shifts and hours part of a volunteer's page (a fixed number of queries)."""
    schedule = shift_selectors.my_schedule(person)
    totals = shift_selectors.hours_totals(volunteer=person)
    months: dict[date, Total] = {}
    roles: dict[int, Total] = defaultdict(lambda: Total(label=""))
    for row in totals:
        add_total(months, row.month, month_and_year(row.month), row.approved_minutes, 0)
        months[row.month].pending += row.pending_minutes
        add_total(roles, row.role_id, row.role_name, row.approved_minutes, row.pending_minutes)
    entries = list(shift_selectors.hours_for(person)[:RECENT_HOURS])
    return {
        "shift_schedule": schedule,
        "hours_entries": [(e, entry_zone(e)) for e in entries],
        "hours_by_month": sorted(months.values(), key=lambda t: t.key, reverse=True),
        "hours_by_role": sorted(roles.values(), key=lambda t: t.label),
        "hours_approved": hours_text(sum(r.approved_minutes for r in totals)),
        "hours_pending": hours_text(sum(r.pending_minutes for r in totals)),
    }


@dataclass(frozen=True)
class RoleTotal:
    role_name: str
    approved: str
    pending: str  # "" when nothing waits


@dataclass(frozen=True)
class MonthTotal:
    month: date
    role_name: str
    approved: str
    pending: str  # "" when nothing waits


@dataclass(frozen=True)
class HoursSummary:
    per_role: list[RoleTotal]
    per_month: list[MonthTotal]
    all_approved: str


def own_hours_summary(volunteer: User) -> HoursSummary:
    """A volunteer's own totals, per role (by name) and per month and role, in words."""
    totals = shift_selectors.hours_totals(volunteer=volunteer)
    per_role: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in totals:
        per_role[row.role_name][0] += row.approved_minutes
        per_role[row.role_name][1] += row.pending_minutes
    return HoursSummary(
        per_role=[
            RoleTotal(role_name=name, approved=hours_text(a), pending=hours_text(p) if p else "")
            for name, (a, p) in sorted(per_role.items())
        ],
        per_month=[
            MonthTotal(
                month=row.month,
                role_name=row.role_name,
                approved=hours_text(row.approved_minutes),
                pending=hours_text(row.pending_minutes) if row.pending_minutes else "",
            )
            for row in totals
        ],
        all_approved=hours_text(sum(a for a, _p in per_role.values())),
    )
