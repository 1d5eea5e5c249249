"""A volunteer's link to take a place they were asked to fill (after logging in)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import AuthenticatedHttpRequest, volunteer_required
from volunteers.models import ShiftSignupStatus
from volunteers.services import NotEligible
from volunteers.services.errors import VolunteeringError
from volunteers.services.invitations import accept_invitation, invitation_for_token


@volunteer_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """GET: the shift and one button (a mail scanner opening the link takes nothing).
    POST: the place, or the waitlist when it has filled meanwhile."""
    try:
        if request.method != "POST":
            found = invitation_for_token(token, user=request.user)
            return render(
                request, "volunteers/shifts/invitation.html", {"invitation": found, "token": token}
            )
        signup = accept_invitation(token=token, user=request.user)
    except NotEligible as exc:
        messages.error(request, " ".join([str(exc), *exc.reasons]))
        return redirect("volunteers:open_shifts")
    except VolunteeringError as exc:
        messages.error(request, str(exc))
        return redirect("volunteers:open_shifts")
    if signup.status == ShiftSignupStatus.CONFIRMED:
        messages.success(request, _("The place is yours. Thank you!"))
    else:
        messages.info(
            request, _("The shift filled meanwhile: you are on its waitlist, and we will tell you.")
        )
    return redirect("volunteers:shift_detail", pk=signup.shift_id)
