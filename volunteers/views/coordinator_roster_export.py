"""A shift's roster for printing (with the check-in QR code) and as CSV."""

from __future__ import annotations

import csv
import zoneinfo
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.http.spreadsheets import safe_row
from core.locales import zone_name
from volunteers import services
from volunteers.forms.shifts import ShiftFilterForm
from volunteers.models import Shift
from volunteers.selectors import shifts as shift_selectors
from volunteers.shift_text import describe_shift, time_range_text
from volunteers.views.coordinator_roster import (
    _minutes,
    _shift_with_counts,
    check_in_url,
    qr_svg,
)
from volunteers.views.coordinator_shifts import listed_shifts

# Printable roster and CSV

CSV_HEADER = (
    gettext_lazy("Name"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone"),
    gettext_lazy("Status"),
    gettext_lazy("Waitlist position"),
    gettext_lazy("Checked in"),
    gettext_lazy("Checked out"),
    gettext_lazy("Minutes"),
    gettext_lazy("Eligible"),
    gettext_lazy("Reasons"),
    gettext_lazy("Override by"),
    gettext_lazy("Override reason"),
)


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _phone(person: User) -> str:
    """E.164, e.g. +12025550111 (plain digits a spreadsheet keeps as they are)."""
    phone = person.phone
    return str(phone.as_e164) if phone else ""


def roster_rows(shift: Shift) -> list[list[str]]:
    """The roster as rows of text: places, then the waitlist in order. Times are local."""
    data = shift_selectors.shift_roster(shift)
    zone = shift.time_zone
    rows = []
    positions = {s.pk: n for n, s in enumerate(data.waitlist, start=1)}
    for signup in data.places + data.waitlist:
        eligibility = data.eligibility[signup.volunteer_id]
        minutes = _minutes(signup)
        reasons = list(eligibility.reasons)
        if signup.skip_reason:
            reasons.append(f"Skipped: {signup.skip_reason}")
        rows.append(
            [
                str(signup.volunteer),
                signup.volunteer.email,
                _phone(signup.volunteer),
                signup.get_status_display(),
                str(positions.get(signup.pk, "")),
                _local(signup.check_in_at, zone),
                _local(signup.check_out_at, zone),
                "" if minutes is None else str(minutes),
                gettext("yes") if eligibility else gettext("no"),
                " ".join(reasons),
                str(signup.override_by) if signup.override_by else "",
                signup.override_reason,
            ]
        )
    return rows


@permission_required("volunteering.export")
def roster_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _shift_with_counts(pk)
    day = shift.starts_at.astimezone(zoneinfo.ZoneInfo(shift.time_zone)).date()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="roster-{shift.pk}-{day}.csv"'
    writer = csv.writer(response)
    writer.writerow(safe_row([f"{describe_shift(shift)}, {shift.location.name}"]))
    writer.writerow([gettext("Times in %(zone)s") % {"zone": zone_name(shift.time_zone)}])
    writer.writerow(CSV_HEADER)
    writer.writerows(safe_row(row) for row in roster_rows(shift))
    return response


@permission_required("volunteering.export")
def roster_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _shift_with_counts(pk)
    url = check_in_url(request, shift)
    opens, closes = services.check_in_window(shift)
    data = shift_selectors.shift_roster(shift)
    context: dict[str, Any] = {
        "shift": shift,
        "roster": data,
        "places": [(s, data.eligibility[s.volunteer_id]) for s in data.places],
        "waitlist": [(s, data.eligibility[s.volunteer_id]) for s in data.waitlist],
        "check_in_url": url,
        "qr": qr_svg(url),
        "window": time_range_text(opens, closes, shift.time_zone),
    }
    return render(request, "volunteers/coordinator/shifts/roster_print.html", context)


SHIFTS_CSV_HEADER = (
    gettext_lazy("Starts"),
    gettext_lazy("Ends"),
    gettext_lazy("Time zone"),
    gettext_lazy("Role"),
    gettext_lazy("Location"),
    gettext_lazy("Places taken"),
    gettext_lazy("Capacity"),
    gettext_lazy("Waitlist"),
    gettext_lazy("Status"),
    gettext_lazy("Repeating"),
)


@permission_required("volunteering.export")
def shifts_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The shift list as CSV, with the same filters as the page (all pages); local times."""
    filters = ShiftFilterForm(request.GET or None)
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    first, last, shifts = listed_shifts(data)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="shifts-{first}-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(SHIFTS_CSV_HEADER)
    for shift in shifts:
        zone = shift.location.time_zone
        writer.writerow(
            safe_row(
                [
                    _local(shift.starts_at, zone),
                    _local(shift.ends_at, zone),
                    zone,
                    shift.role.name,
                    shift.location.name,
                    shift.places_taken,  # type: ignore[attr-defined]
                    shift.capacity,
                    shift.waitlist_count,  # type: ignore[attr-defined]
                    shift.get_status_display(),
                    gettext("yes") if shift.series_id else gettext("no"),
                ]
            )
        )
    return response
