"""A person's data on request: the export ZIP and the erasure (administrators only, by
the permission map's ``people.data``). The work is done by the accounts services, which
every app contributes its records to."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from accounts.services.data_export import export_person
from accounts.services.erasure import ErasureRefused, erase_person, refusal_reasons
from dashboard.forms.erasure import ErasureForm
from donations.selectors.donors import donor_for_user, waiting_stripe_erasures


@permission_required("people.data")
@require_http_methods(["GET", "HEAD", "POST"])
def person_data(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """The page to export a person's data and to erase them (POST: erase)."""
    person = get_object_or_404(User, pk=user_id)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_person(
                person=person,
                by=request.user,
                confirmation=form.cleaned_data["confirmation"],
                request=request,
            )
        except ErasureRefused as refused:
            for reason in refused.reasons:
                form.add_error(None, reason)
        else:
            messages.success(
                request, _("The person was erased. Their gifts stay, under an anonymous name.")
            )
            return redirect("dashboard:person", user_id=person.pk)
    donor = donor_for_user(person)
    return render(
        request,
        "dashboard/person_data.html",
        {
            "person": person,
            "form": form,
            "reasons": refusal_reasons(person, by=request.user),
            "stripe_erasures": waiting_stripe_erasures(donor) if donor is not None else [],
        },
    )


@permission_required("people.data")
@require_http_methods(["GET", "HEAD"])
def person_export(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    """Everything held about the person, as one ZIP (audited as an export)."""
    person = get_object_or_404(User, pk=user_id)
    export = export_person(person=person, by=request.user, request=request)
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
