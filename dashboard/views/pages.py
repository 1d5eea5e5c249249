from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required, user_can
from accounts.roles import ROLE_HOME_URLS, Role
from dashboard import overview
from donations.selectors import donors as donor_selectors
from volunteers.selectors.people import volunteer_file


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
    """The staff home, live: today, the gaps, the queues, then the month and the year;
    each panel only for those whose roles open its area."""
    context = overview.coordinator_overview(request.user)
    if user_can(request.user, "giving.view"):
        context["donor_tasks"] = list(donor_selectors.open_tasks_for(request.user)[:20])
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
