from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import volunteer_required


@volunteer_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A volunteer's start page (on a phone first): their details and what comes next."""
    user = request.user
    missing = []
    if not user.phone:
        missing.append("phone")
    return render(request, "volunteers/home.html", {"missing_details": missing})
