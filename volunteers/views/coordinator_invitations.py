"""Filling a gap: the coordinator asks every eligible, free volunteer at once."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from volunteers.models import Shift
from volunteers.services.errors import VolunteeringError
from volunteers.services.invitations import invite_eligible_volunteers


@permission_required("volunteering.manage")
@require_POST
def invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=pk)
    try:
        asked = invite_eligible_volunteers(shift=shift, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        if asked:
            messages.success(
                request,
                ngettext(
                    "%(count)d volunteer was asked to take a place.",
                    "%(count)d volunteers were asked to take a place.",
                    len(asked),
                )
                % {"count": len(asked)},
            )
        else:
            messages.info(
                request,
                _("Nobody else is eligible and free for this shift who has not been asked."),
            )
    return redirect("volunteers:coord_shift", pk=shift.pk)
