"""Coordinator queues: applications to approve or decline, and training certificates to verify."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from volunteers import services
from volunteers.forms.coordinator import (
    ReasonForm,
)
from volunteers.models import (
    TrainingRecord,
    VolunteerProfile,
)
from volunteers.selectors import applications as applications_selector
from volunteers.selectors import trainings as selectors
from volunteers.services import VolunteeringError

# Applications and evidence


M = TypeVar("M", bound=Model)


def _rows_with_reason_forms(
    objects: Iterable[M],
    make_form: Callable[[M], ReasonForm],
    bound: ReasonForm | None,
    bound_pk: int,
) -> list[tuple[M, ReasonForm]]:
    """Each object with its reason form: the submitted one (with its errors) where it was
    just posted, a blank one elsewhere."""
    return [
        (obj, bound if bound is not None and obj.pk == bound_pk else make_form(obj))
        for obj in objects
    ]


def _decline_form(profile: VolunteerProfile, data: Any = None) -> ReasonForm:
    return ReasonForm(
        data,
        key=f"decline_{profile.pk}",
        help_text=gettext("The applicant will read this."),
        max_length=1000,
    )


def _applications_page(
    request: AuthenticatedHttpRequest, bound: ReasonForm | None = None, bound_pk: int = 0
) -> HttpResponse:
    rows = [
        (
            application,
            bound
            if bound is not None and application.profile.pk == bound_pk
            else _decline_form(application.profile),
        )
        for application in applications_selector.applications()
    ]
    return render(
        request,
        "volunteers/coordinator/applications.html",
        {"rows": rows, "section": "applications"},
    )


@permission_required("volunteering.view")
def applications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _applications_page(request)


@permission_required("volunteering.manage")
@require_POST
def application_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(VolunteerProfile.objects.select_related("user"), pk=pk)
    try:
        services.approve_application(profile=profile, reviewer=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, gettext("%(user)s is now an active volunteer.") % {"user": str(profile.user)}
        )
    return redirect("volunteers:coord_applications")


@permission_required("volunteering.manage")
@require_POST
def application_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(VolunteerProfile.objects.select_related("user"), pk=pk)
    form = _decline_form(profile, request.POST)
    if form.is_valid():
        try:
            services.decline_application(
                profile=profile, reviewer=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            messages.error(request, str(exc))
            return redirect("volunteers:coord_applications")
        else:
            messages.success(
                request,
                gettext("Application of %(user)s declined. They will see why.")
                % {"user": str(profile.user)},
            )
            return redirect("volunteers:coord_applications")
    return _applications_page(request, form, profile.pk)


def _reject_form(record: TrainingRecord, data: Any = None) -> ReasonForm:
    return ReasonForm(
        data,
        key=f"reject_{record.pk}",
        help_text=gettext("The volunteer will read this."),
        max_length=300,
    )


def _evidence_page(
    request: AuthenticatedHttpRequest, bound: ReasonForm | None = None, bound_pk: int = 0
) -> HttpResponse:
    rows = _rows_with_reason_forms(selectors.pending_evidence(), _reject_form, bound, bound_pk)
    return render(
        request, "volunteers/coordinator/evidence.html", {"rows": rows, "section": "evidence"}
    )


@permission_required("volunteering.view")
def evidence(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _evidence_page(request)


def _record(pk: int) -> TrainingRecord:
    return get_object_or_404(TrainingRecord.objects.select_related("volunteer", "training"), pk=pk)


@permission_required("volunteering.manage")
@require_POST
def evidence_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    try:
        services.verify_training_record(record=record, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("%(training)s of %(volunteer)s verified.")
            % {"training": record.training.name, "volunteer": str(record.volunteer)},
        )
    return redirect("volunteers:coord_evidence")


@permission_required("volunteering.manage")
@require_POST
def evidence_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    form = _reject_form(record, request.POST)
    if form.is_valid():
        try:
            services.reject_training_record(
                record=record, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            messages.error(request, str(exc))
            return redirect("volunteers:coord_evidence")
        else:
            messages.success(
                request,
                gettext("%(training)s of %(volunteer)s not accepted. They will see why.")
                % {"training": record.training.name, "volunteer": str(record.volunteer)},
            )
            return redirect("volunteers:coord_evidence")
    return _evidence_page(request, form, record.pk)
