"""Calendars: coordinators see every shift; a volunteer sees their own and those they may take."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.permissions import (
    AuthenticatedHttpRequest,
    permission_required,
    volunteer_required,
)
from volunteers.forms.calendar import CalendarForm
from volunteers.selectors.calendar import coordinator_calendar, period, volunteer_calendar


def _steps(view: str, anchor: date) -> tuple[date, date]:
    """The previous and the next period's anchor day."""
    if view == "day":
        return anchor - timedelta(days=1), anchor + timedelta(days=1)
    if view == "week":
        return anchor - timedelta(days=7), anchor + timedelta(days=7)
    first = anchor.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)


def _page(request: AuthenticatedHttpRequest, *, coordinator: bool) -> HttpResponse:
    zone = timezone.get_current_timezone_name()
    today = timezone.localdate()
    form = CalendarForm(request.GET or None)
    chosen = form.choices(today)
    if coordinator:
        days = coordinator_calendar(zone=zone, **chosen)
    else:
        days = volunteer_calendar(volunteer=request.user, zone=zone, **chosen)
    previous, following = _steps(chosen["view"], chosen["anchor"])
    _, _, first, after = period(chosen["view"], chosen["anchor"])
    query = request.GET.copy()
    query.pop("date", None)
    context: dict[str, Any] = {
        "form": form,
        "days": days,
        "view": chosen["view"],
        "first": first,
        "last": after - timedelta(days=1),
        "previous": previous,
        "following": following,
        "query": query.urlencode(),
        "today": today,
        "coordinator": coordinator,
        "section": "shifts",
        "has_entries": any(day.entries for day in days),
    }
    return render(request, "volunteers/calendar/calendar.html", context)


@permission_required("volunteering.view")
@require_http_methods(["GET", "HEAD"])
def coordinator_calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, coordinator=True)


@volunteer_required
@require_http_methods(["GET", "HEAD"])
def volunteer_calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, coordinator=False)
