"""Coordinator pages for planning shifts: the list and week calendar, creating and editing
shifts and repeating series, publishing, cancelling, and the staffing gaps.

The roster of one shift is in coordinator_roster.py; hours in coordinator_hours.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.dates import org_midnight, org_today
from core.forms import EARLIEST, LATEST, put_errors_on_form
from volunteers import services
from volunteers.forms.shifts import (
    CancelShiftForm,
    GapsFilterForm,
    SeriesForm,
    ShiftFilterForm,
    ShiftForm,
)
from volunteers.models import Shift, ShiftSeries, ShiftSignup
from volunteers.selectors import shifts as shift_selectors
from volunteers.services import VolunteeringError
from volunteers.services.series_words import RulePreview, describe_rule
from volunteers.shift_text import describe_shift

PAGE_SIZE = 100
DEFAULT_DAYS = 28


def _promoted_text(promoted: list[ShiftSignup]) -> str:
    if not promoted:
        return ""
    names = ", ".join(str(s.volunteer) for s in promoted)
    return f" Moved up from the waitlist: {names}."


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _parse_day(text: str | None) -> date | None:
    """A day from the address (``?week=``), or None when it is missing, wrong or absurd."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def listed_shifts(data: dict[str, Any]) -> tuple[date, date, QuerySet[Shift]]:
    """The list's first and last day and its shifts, for the filter's cleaned data."""
    first = data.get("date_from") or org_today()
    last = data.get("date_to") or first + timedelta(days=DEFAULT_DAYS - 1)
    role = data.get("role")
    location = data.get("location")
    shifts = shift_selectors.coordinator_shifts(
        start=org_midnight(first),
        end=org_midnight(last + timedelta(days=1)),
        role_id=role.pk if role else None,
        location_id=location.pk if location else None,
    )
    if data.get("status"):
        shifts = shifts.filter(status=data["status"])
    return first, last, shifts


@permission_required("volunteering.view")
def shift_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every shift in a date range (drafts and cancelled ones too), filtered; or a week."""
    filters = ShiftFilterForm(request.GET or None)
    data: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    role = data.get("role")
    location = data.get("location")
    status = data.get("status") or ""
    if request.GET.get("view") == "week":
        return _week(request, filters, role, location, status)
    first, last, shifts = listed_shifts(data)
    page = Paginator(shifts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    week_query = query.copy()
    week_query["view"] = "week"
    week_query["week"] = _monday(first).isoformat()
    return render(
        request,
        "volunteers/coordinator/shifts/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "week_query": week_query.urlencode(),
            "first": first,
            "last": last,
            "section": "shifts",
        },
    )


def _week(
    request: AuthenticatedHttpRequest,
    filters: ShiftFilterForm,
    role: Any,
    location: Any,
    status: str,
) -> HttpResponse:
    """Seven columns, Monday to Sunday; each shift sits on its own local day, in its zone."""
    monday = _monday(_parse_day(request.GET.get("week")) or org_today())
    columns = shift_selectors.shifts_by_local_day(
        first=monday,
        days=7,
        role_id=role.pk if role else None,
        location_id=location.pk if location else None,
        status=status,
    )
    days = list(columns)
    query = request.GET.copy()
    query.pop("week", None)
    query["view"] = "week"
    list_query = request.GET.copy()
    for key in ("view", "week"):
        list_query.pop(key, None)
    return render(
        request,
        "volunteers/coordinator/shifts/week.html",
        {
            "filters": filters,
            "columns": list(columns.items()),
            "monday": monday,
            "sunday": days[-1],
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
            "this_week": _monday(org_today()).isoformat(),
            "query": query.urlencode(),
            "list_query": list_query.urlencode(),
            "today": org_today(),
            "section": "shifts",
        },
    )


def _shift(pk: int) -> Shift:
    return get_object_or_404(Shift.objects.select_related("role", "location", "series"), pk=pk)


@permission_required("volunteering.manage")
def shift_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.shift_fields()
        if fields is not None:
            try:
                shift = services.create_shift(by=request.user, **fields)
            except ValidationError as exc:
                put_errors_on_form(form, exc, ShiftForm.ERROR_FIELDS)
            else:
                messages.success(
                    request, gettext("Shift added: %(shift)s.") % {"shift": describe_shift(shift)}
                )
                return redirect("volunteers:coord_shift", pk=shift.pk)
    return render(
        request,
        "volunteers/coordinator/shifts/shift_form.html",
        {"form": form, "shift": None, "section": "shifts"},
    )


@permission_required("volunteering.manage")
def shift_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit one shift (for a series: "this occurrence" only)."""
    shift = _shift(pk)
    form = ShiftForm(request.POST or None, initial=ShiftForm.initial_for(shift), editing=True)
    if request.method == "POST" and form.is_valid():
        fields = form.shift_fields()
        if fields is not None:
            try:
                promoted = services.update_shift(shift=shift, by=request.user, **fields)
            except ValidationError as exc:
                put_errors_on_form(form, exc, ShiftForm.ERROR_FIELDS)
            except VolunteeringError as exc:
                form.add_error(None, str(exc))
            else:
                shift = _shift(pk)
                messages.success(
                    request,
                    gettext("Shift saved: %(shift)s.%(promoted_text)s")
                    % {"shift": describe_shift(shift), "promoted_text": _promoted_text(promoted)},
                )
                return redirect("volunteers:coord_shift", pk=shift.pk)
    return render(
        request,
        "volunteers/coordinator/shifts/shift_form.html",
        {"form": form, "shift": shift, "section": "shifts"},
    )


@permission_required("volunteering.manage")
@require_POST
def shift_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _shift(pk)
    try:
        services.publish_shift(shift=shift, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("Published: %(shift)s. Volunteers can sign up.")
            % {"shift": describe_shift(shift)},
        )
    return redirect("volunteers:coord_shift", pk=shift.pk)


@permission_required("volunteering.manage")
def shift_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks for a reason; POST cancels the shift with its places and waitlist."""
    shift = _shift(pk)
    form = CancelShiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.cancel_shift(
                shift=shift, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            messages.error(request, str(exc))
            return redirect("volunteers:coord_shift", pk=shift.pk)
        else:
            count = len(cancelled)
            messages.success(
                request,
                ngettext(
                    "Shift cancelled; %(count)d person was told why.",
                    "Shift cancelled; %(count)d people were told why.",
                    count,
                )
                % {"count": count},
            )
            return redirect("volunteers:coord_shift", pk=shift.pk)
    counts = shift_selectors.shift_with_counts(shift.pk)
    return render(
        request,
        "volunteers/coordinator/shifts/cancel.html",
        {
            "shift": counts,
            "form": form,
            "places": counts.places_taken,  # type: ignore[attr-defined]
            "waiting": counts.waitlist_count,  # type: ignore[attr-defined]
            "section": "shifts",
        },
    )


# Series


def _series_preview(form: SeriesForm, dtstart: date | None) -> RulePreview | None:
    """The rule in words and its first dates, as saving would plan them (nothing saved)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return describe_rule(
            form.rule_text(),
            dtstart=dtstart or data["first_day"],
            start_time=data["start_time"],
            duration=form.duration(),
            until=data["until"] if data["ends"] == "until" else None,
        )
    except ValidationError as exc:
        put_errors_on_form(form, exc, form.error_fields())
        return None


def _series_page(
    request: AuthenticatedHttpRequest,
    form: SeriesForm,
    context: dict[str, Any],
    dtstart: date | None,
) -> HttpResponse:
    """The series form; with "preview" posted, the rule in words (only the fragment for htmx)."""
    if request.method == "POST" and "preview" in request.POST:
        context["preview"] = _series_preview(form, dtstart)
        context["previewed"] = True
        if request.headers.get("HX-Request"):
            return render(request, "volunteers/coordinator/shifts/_series_preview.html", context)
    return render(request, "volunteers/coordinator/shifts/series_form.html", context)


@permission_required("volunteering.manage")
def series_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None, initial={"first_day": org_today()})
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            series, shifts = services.create_series(by=request.user, **form.series_fields())
        except ValidationError as exc:
            put_errors_on_form(form, exc, form.error_fields())
        else:
            weeks = ngettext("%(count)d week", "%(count)d weeks", series.window_weeks) % {
                "count": series.window_weeks
            }
            messages.success(
                request,
                ngettext(
                    "Repeating shift saved; %(count)d shift planned for the next %(weeks)s.",
                    "Repeating shift saved; %(count)d shifts planned for the next %(weeks)s.",
                    len(shifts),
                )
                % {"count": len(shifts), "weeks": weeks},
            )
            return redirect(_week_url(series))
    context = {"form": form, "shift": None, "series": None, "section": "shifts"}
    return _series_page(request, form, context, None)


def _week_url(series: ShiftSeries) -> str:
    start = max(series.dtstart, org_today())
    return (
        f"{reverse('volunteers:coord_shifts')}?view=week&week={_monday(start).isoformat()}"
        f"&role={series.role_id}&location={series.location_id}"
    )


@permission_required("volunteering.manage")
def series_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit "this and all following" occurrences of the series the shift belongs to."""
    shift = _shift(pk)
    if shift.series is None:
        messages.error(request, gettext("This shift does not repeat; edit it on its own."))
        return redirect("volunteers:coord_shift_edit", pk=shift.pk)
    series = shift.series
    form = SeriesForm(request.POST or None, initial=SeriesForm.initial_for(series), editing=True)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            services.update_series_from(shift=shift, by=request.user, **form.series_fields())
        except ValidationError as exc:
            put_errors_on_form(form, exc, form.error_fields())
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext(
                    "Saved for this shift and all the following ones; people signed up were told."
                ),
            )
            return redirect("volunteers:coord_shift", pk=shift.pk)
    context: dict[str, Any] = {"form": form, "shift": shift, "series": series, "section": "shifts"}
    if request.method != "POST" and shift.occurrence_date is not None:
        # The rule as it stands, in words, from this shift on.
        context["preview"] = describe_rule(
            series.rrule,
            dtstart=shift.occurrence_date,
            start_time=series.start_time,
            duration=series.duration,
            until=series.until,
        )
    return _series_page(request, form, context, shift.occurrence_date)


@permission_required("volunteering.view")
def staffing_gaps(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = GapsFilterForm(request.GET or None)
    days = 14
    if filters.is_valid() and filters.cleaned_data.get("days"):
        days = filters.cleaned_data["days"]
    return render(
        request,
        "volunteers/coordinator/shifts/gaps.html",
        {
            "filters": filters,
            "gaps": shift_selectors.staffing_gaps(days=days),
            "days": days,
            "now": timezone.now(),
            "section": "gaps",
        },
    )
