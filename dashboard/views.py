from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts import selectors as people
from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required, user_can
from accounts.roles import ROLE_HOME_URLS, Role
from donations.selectors import donors as donor_selectors
from volunteers.selectors.people import volunteer_file, volunteering_counts


def home(request: HttpRequest) -> HttpResponse:
    """The front door: visitors see what the organisation offers; people go to their home."""
    user = request.user
    if user.is_authenticated:
        roles = user.ordered_roles()
        if roles:
            return redirect(ROLE_HOME_URLS[roles[0]])
        return render(request, "dashboard/no_role.html")
    return render(request, "dashboard/landing.html")


@permission_required("staff.home")
def coordinator_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff start page: who is here, who joined recently, and the way to each area
    the person's roles open (and only those)."""
    context: dict[str, Any] = {"role_counts": people.role_counts()}
    if user_can(request.user, "volunteering.view"):
        context.update(
            new_volunteers=people.recent_people(role=Role.VOLUNTEER),
            new_volunteer_count=people.count_recent_people(role=Role.VOLUNTEER),
            volunteering=volunteering_counts(),
        )
    return render(request, "dashboard/coordinator_home.html", context)


@permission_required("people.view")
def person_record(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """A person's whole record: their volunteering and their giving, side by side.

    Lives here because ``volunteers`` and ``donations`` never import each other; each side
    is read through its own app's selectors. Each side shows only to those who may read it
    (``volunteering.view``, ``giving.view``).
    """
    person = get_object_or_404(User, pk=user_id)
    user = request.user
    donor = donor_selectors.donor_for_user(person) if user_can(user, "giving.view") else None
    volunteer = Role.VOLUNTEER in person.roles and user_can(user, "volunteering.view")
    context: dict[str, Any] = {
        "person": person,
        "volunteer": volunteer_file(person) if volunteer else None,
        "donor": donor,
        "zone": settings.ORG_TIME_ZONE,
    }
    if donor is not None:
        totals = donor_selectors.yearly_totals(donor)
        context.update(
            totals=totals,
            lifetime=donor_selectors.lifetime_totals(totals),
            gifts=list(donor_selectors.donor_gifts(donor)[:20]),
            recurring=list(donor_selectors.donor_recurring(donor)),
        )
    return render(request, "dashboard/person.html", context)
