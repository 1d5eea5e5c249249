from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import selectors as people
from accounts.permissions import coordinator_required
from accounts.roles import ROLE_HOME_URLS, Role
from volunteers.selectors import volunteering_counts


def home(request: HttpRequest) -> HttpResponse:
    """The front door: visitors see what the organisation offers; people go to their home."""
    user = request.user
    if user.is_authenticated:
        roles = user.ordered_roles()
        if roles:
            return redirect(ROLE_HOME_URLS[roles[0]])
        return render(request, "dashboard/no_role.html")
    return render(request, "dashboard/landing.html")


@coordinator_required
def coordinator_home(request: HttpRequest) -> HttpResponse:
    """The coordinator's start page: who is here, and who joined recently."""
    context = {
        "role_counts": people.role_counts(),
        "new_volunteers": people.recent_people(role=Role.VOLUNTEER),
        "new_volunteer_count": people.count_recent_people(role=Role.VOLUNTEER),
        "volunteering": volunteering_counts(),
    }
    return render(request, "dashboard/coordinator_home.html", context)
