"""A volunteer's own schedule, hours and private calendar feed (phone first).

Every page shows only the logged-in volunteer's own things: nothing here takes a person's id.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, volunteer_required
from volunteers import services
from volunteers.forms.volunteer_shifts import (
    ManualHoursForm,
)
from volunteers.ical import volunteer_feed
from volunteers.models import (
    SwapOffer,
    SwapStatus,
)
from volunteers.selectors import shifts as shift_selectors
from volunteers.selectors.volunteer_hours import hours_text, own_hours_summary

SHIFTS_PER_PAGE = 20
HOURS_PER_PAGE = 25


# ---------------------------------------------------------------- my schedule


@volunteer_required
@require_GET
def my_schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    schedule = shift_selectors.my_schedule(request.user)
    offered = set(
        SwapOffer.objects.filter(
            signup__volunteer=request.user,
            status=SwapStatus.OPEN,
            signup__in=[s.pk for s in schedule.upcoming],
        ).values_list("signup_id", flat=True)
    )
    context = {
        "upcoming": [
            (s, schedule.waitlist_positions.get(s.pk), s.pk in offered) for s in schedule.upcoming
        ],
        "past": schedule.past,
    }
    return render(request, "volunteers/shifts/my_schedule.html", context)


# ---------------------------------------------------------------- my hours


@volunteer_required
@require_http_methods(["GET", "POST"])
def my_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Hours given, totals per role and month, and a form for hours worked off-shift."""
    user = request.user
    form = ManualHoursForm(
        request.POST if request.method == "POST" else None, time_zone=user.time_zone
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            services.add_manual_hours(
                volunteer=user,
                role=form.cleaned_data["role"],
                starts_at=starts_at,
                ends_at=ends_at,
                by=user,
                note=form.cleaned_data["note"],
                time_zone=user.time_zone,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except services.VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Thank you. Your hours are recorded and wait for a coordinator.")
            )
            return redirect("volunteers:my_hours")
    summary = own_hours_summary(user)
    page = Paginator(shift_selectors.hours_for(user), HOURS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    entries = [
        (
            entry,
            entry.shift.location.time_zone if entry.shift else user.time_zone,
            hours_text(entry.minutes),
        )
        for entry in page.object_list
    ]
    context = {
        "form": form,
        "zone": user.time_zone,
        "page": page,
        "entries": entries,
        "role_totals": summary.per_role,
        "all_approved": summary.all_approved,
        "month_totals": summary.per_month,
    }
    return render(request, "volunteers/shifts/my_hours.html", context)


# ---------------------------------------------------------------- calendar feed


@volunteer_required
@require_GET
def my_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = services.calendar_feed_for(volunteer=request.user)
    url = request.build_absolute_uri(reverse("volunteers:calendar_feed", args=[feed.token]))
    context = {
        "feed": feed,
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
    }
    return render(request, "volunteers/shifts/calendar.html", context)


@volunteer_required
@require_POST
def reset_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.reset_calendar_feed(volunteer=request.user)
    messages.success(
        request,
        _(
            "Your calendar has a new address. The old one no longer works: add the new one "
            "to your calendar app."
        ),
    )
    return redirect("volunteers:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed itself, for calendar apps (no login: the token is the key)."""
    volunteer = shift_selectors.volunteer_for_feed(token)
    if volunteer is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        volunteer_feed(volunteer.pk, volunteer.preferred_language),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
