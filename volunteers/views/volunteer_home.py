"""The volunteer's home on a phone: the next shift first (its time in the volunteer's zone,
check-in when open, "can't make it"), then the one action that opens each wanted role, then
open shifts that fit; and the choice to share contact details with the team."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, volunteer_required
from core.dates import org_today
from core.forms import put_errors_on_form
from volunteers import services
from volunteers.forms.volunteer import AvailabilityForm, AwayPeriodForm, ContactSharingForm
from volunteers.models import AwayPeriod, ProfileStatus
from volunteers.selectors import home as home_selectors
from volunteers.selectors import people
from volunteers.selectors import trainings as selectors

# The profile statuses of people who have (or had) shifts.
SHIFT_STATUSES = (ProfileStatus.ACTIVE, ProfileStatus.PAUSED, ProfileStatus.LEFT)


@volunteer_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A volunteer's start page (on a phone first): what comes next, then the rest."""
    user = request.user
    missing = []
    if not user.phone:
        missing.append("phone")
    profile = people.profile_for(user)
    status = profile.status if profile is not None else None
    applying = status == ProfileStatus.APPLICANT
    can_book = status == ProfileStatus.ACTIVE
    needs = (
        selectors.role_needs(user, applying=applying)
        if status in SHIFT_STATUSES or applying
        else []
    )
    signup = home_selectors.next_signup(user) if status in SHIFT_STATUSES else None
    now = timezone.now()
    check_in_open = False
    if signup is not None:
        opens, closes = services.check_in_window(signup.shift)
        check_in_open = opens <= now <= closes
    actions = home_selectors.role_actions(user, needs) if can_book or applying else []
    context = {
        "missing_details": missing,
        "profile": profile,
        # An applicant sees their application and its next steps, not what only approved
        # volunteers may use; someone paused or gone keeps their schedule and hours.
        "applying": applying,
        "can_book": can_book,
        "has_shifts": status in SHIFT_STATUSES,
        "role_needs": needs,
        "next_signup": signup,
        "next_started": signup is not None and signup.shift.starts_at <= now,
        "check_in_open": check_in_open,
        "other_zone": (
            signup.shift.time_zone
            if signup is not None and signup.shift.time_zone != user.time_zone
            else ""
        ),
        "role_actions": actions,
        "suggested": home_selectors.suggested_training(actions),
        "suggested_shifts": home_selectors.suggested_shifts(user, needs) if can_book else [],
        "sharing_form": ContactSharingForm(
            initial={"share_contact": profile.share_contact if profile else False}
        ),
    }
    return render(request, "volunteers/home.html", context)


@volunteer_required
@require_POST
def contact_sharing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Share (or stop sharing) one's phone and e-mail with the people on one's shifts."""
    form = ContactSharingForm(request.POST)
    if form.is_valid():
        try:
            shared = services.set_contact_sharing(
                volunteer=request.user, share=form.cleaned_data["share_contact"]
            )
        except services.VolunteeringError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("The volunteers on your shifts now see your phone number and e-mail address.")
                if shared
                else _("The volunteers on your shifts now see only your first name."),
            )
    return redirect("volunteers:home")


@volunteer_required
@require_http_methods(["GET", "POST"])
def availability(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The days and hours the volunteer can usually help, and the days they are away."""
    user = request.user
    profile = people.profile_for(user)
    if profile is None:
        return redirect("volunteers:home")
    initial = {
        "days": [int(day) for day in profile.available_days],
        "starts": profile.available_from,
        "ends": profile.available_until,
    }
    action = request.POST.get("action", "")
    form = AvailabilityForm(request.POST if action == "hours" else None, initial=initial)
    away_form = AwayPeriodForm(request.POST if action == "away" else None)
    try:
        if action == "hours" and form.is_valid():
            services.set_availability(
                volunteer=user,
                days=form.cleaned_data["days"],
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
            )
            messages.success(request, _("Your availability is saved."))
            return redirect("volunteers:availability")
        if action == "away" and away_form.is_valid():
            services.add_away_period(volunteer=user, **away_form.cleaned_data)
            messages.success(request, _("We will not suggest shifts on those days."))
            return redirect("volunteers:availability")
        if action == "remove":
            services.remove_away_period(
                volunteer=user, period_id=int(request.POST.get("period", "0") or 0)
            )
            return redirect("volunteers:availability")
    except ValidationError as exc:
        put_errors_on_form(form if action == "hours" else away_form, exc)
    except (services.VolunteeringError, ValueError) as exc:
        messages.error(request, str(exc))
    context = {
        "form": form,
        "away_form": away_form,
        "away": AwayPeriod.objects.filter(volunteer=user, last_day__gte=org_today()),
    }
    return render(request, "volunteers/availability.html", context)
