"""Coordinator pages for hours: the approval queue (approve, reject with a reason, edit) and
totals per volunteer, role and month; plus the shifts-and-hours part of a volunteer's page."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from core.locales import month_and_year
from core.pagination import PAGE_SIZE
from volunteers import services
from volunteers.forms.hours import HoursEditForm, HoursRejectForm, HoursTotalsFilterForm
from volunteers.models import HoursEntry
from volunteers.selectors import shifts as shift_selectors
from volunteers.selectors.volunteer_hours import Total, add_total, entry_zone
from volunteers.services import VolunteeringError

RECENT_HOURS = 20


@dataclass(frozen=True)
class QueueRow:
    entry: HoursEntry
    zone: str
    reject_form: HoursRejectForm


def _queue_page(
    request: AuthenticatedHttpRequest, bound: HoursRejectForm | None = None, bound_pk: int = 0
) -> HttpResponse:
    page = Paginator(shift_selectors.pending_hours(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        QueueRow(
            entry=entry,
            zone=entry_zone(entry),
            reject_form=(
                bound
                if bound is not None and entry.pk == bound_pk
                else HoursRejectForm(entry_id=entry.pk)
            ),
        )
        for entry in page.object_list
    ]
    return render(
        request,
        "volunteers/coordinator/shifts/hours_queue.html",
        {"page": page, "rows": rows, "query": "", "section": "hours"},
    )


@permission_required("volunteering.view")
def hours_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _queue_page(request)


def _entry(pk: int) -> HoursEntry:
    return get_object_or_404(
        HoursEntry.objects.select_related("volunteer", "role", "shift__location"), pk=pk
    )


@permission_required("volunteering.manage")
@require_POST
def hours_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry(pk)
    try:
        services.approve_hours(entry=entry, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d minute of %(name)s approved.",
                "%(count)d minutes of %(name)s approved.",
                entry.minutes,
            )
            % {"count": entry.minutes, "name": str(entry.volunteer)},
        )
    return redirect("volunteers:coord_hours")


@permission_required("volunteering.manage")
@require_POST
def hours_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry(pk)
    form = HoursRejectForm(request.POST, entry_id=entry.pk)
    if form.is_valid():
        try:
            services.reject_hours(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            messages.error(request, str(exc))
            return redirect("volunteers:coord_hours")
        else:
            messages.success(
                request,
                gettext("Hours of %(volunteer)s not accepted; they will see why.")
                % {"volunteer": str(entry.volunteer)},
            )
            return redirect("volunteers:coord_hours")
    return _queue_page(request, form, entry.pk)


@permission_required("volunteering.manage")
def hours_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct an entry's times (in its zone); a coordinator's correction counts at once."""
    entry = _entry(pk)
    zone = entry_zone(entry)
    tz = zoneinfo.ZoneInfo(zone)
    start = entry.starts_at.astimezone(tz)
    initial = {
        "day": start.date(),
        "start_time": start.time(),
        "end_time": entry.ends_at.astimezone(tz).time(),
        "note": entry.note,
    }
    form = HoursEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        moments = form.moments(zone)
        if moments is not None:
            try:
                services.edit_hours(
                    entry=entry,
                    by=request.user,
                    starts_at=moments[0],
                    ends_at=moments[1],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                put_errors_on_form(form, exc, HoursEditForm.ERROR_FIELDS)
            except VolunteeringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    gettext("Hours of %(volunteer)s corrected.")
                    % {"volunteer": str(entry.volunteer)},
                )
                return redirect("volunteers:coord_hours")
    return render(
        request,
        "volunteers/coordinator/shifts/hours_edit.html",
        {"entry": entry, "zone": zone, "form": form, "section": "hours"},
    )


@permission_required("reports.volunteering")
def hours_totals(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = HoursTotalsFilterForm(request.GET or None)
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    role = data.get("role")
    rows = shift_selectors.hours_totals(
        role_id=role.pk if role else None, start=data.get("date_from"), end=data.get("date_to")
    )
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in={r.volunteer_id for r in rows}).only(
            "pk", "first_name", "last_name", "email"
        )
    }
    by_volunteer: dict[Any, Total] = {}
    by_role: dict[Any, Total] = {}
    by_month: dict[Any, Total] = {}
    for row in rows:
        person = people[row.volunteer_id]
        add_total(by_volunteer, person.pk, str(person), row.approved_minutes, row.pending_minutes)
        add_total(by_role, row.role_id, row.role_name, row.approved_minutes, row.pending_minutes)
        add_total(
            by_month,
            row.month,
            month_and_year(row.month),
            row.approved_minutes,
            row.pending_minutes,
        )
    return render(
        request,
        "volunteers/coordinator/shifts/hours_totals.html",
        {
            "filters": filters,
            "by_volunteer": sorted(by_volunteer.values(), key=lambda t: t.label.lower()),
            "by_role": sorted(by_role.values(), key=lambda t: t.label),
            "by_month": sorted(by_month.values(), key=lambda t: t.key, reverse=True),
            "grand": Total(
                label=gettext("All"),
                approved=sum(r.approved_minutes for r in rows),
                pending=sum(r.pending_minutes for r in rows),
            ),
            "section": "hours",
        },
    )
