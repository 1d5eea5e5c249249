"""A donor without an account, on request: the export ZIP and the erasure (administrators
only, by the permission map's ``people.data``). A donor with an account is sent to the
person's data page, which covers everything they hold. The work is done by
``donations.services.donor_data``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from accounts.services.erasure import ErasureRefused
from donations.forms.donor_data import DonorErasureForm
from donations.models import Donor
from donations.selectors.donors import waiting_stripe_erasures
from donations.services.donor_data import erase_donor, export_donor, refusal_reasons


@permission_required("people.data")
@require_http_methods(["GET", "HEAD", "POST"])
def donor_data(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The page to export a donor's data and to erase them (POST: erase)."""
    donor = get_object_or_404(Donor, pk=pk)
    if donor.user_id is not None:
        return redirect("dashboard:person_data", user_id=donor.user_id)
    form = DonorErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_donor(
                donor=donor,
                by=request.user,
                confirmation=form.cleaned_data["confirmation"],
                request=request,
            )
        except ErasureRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, _("The donor was erased. Their gifts stay, under an anonymous name.")
            )
            return redirect("donations:coord_donor", pk=donor.pk)
    return render(
        request,
        "donations/records/donor_data.html",
        {
            "donor": donor,
            "form": form,
            "reasons": refusal_reasons(donor),
            "stripe_erasures": waiting_stripe_erasures(donor),
            "section": "donors",
        },
    )


@permission_required("people.data")
@require_http_methods(["GET", "HEAD"])
def donor_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything held about the donor, as one ZIP (audited as an export)."""
    donor = get_object_or_404(Donor, pk=pk)
    if donor.user_id is not None:
        return redirect("dashboard:person_export", user_id=donor.user_id)
    export = export_donor(donor=donor, by=request.user, request=request)
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
