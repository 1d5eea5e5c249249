"""Coordinator pages for clearances (background and reference checks) and their documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.dates import org_today
from core.forms import put_errors_on_form
from core.http.downloads import private_download
from core.pagination import PAGE_SIZE
from volunteers import services
from volunteers.forms.coordinator import (
    ClearanceFilterForm,
    ClearanceForm,
)
from volunteers.models import (
    Clearance,
)
from volunteers.selectors import people

# Clearances


@permission_required("clearances.status")
def clearances(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ClearanceFilterForm(request.GET or None)
    status, within = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        within = filters.cleaned_data["within_days"]
    page = Paginator(people.clearance_list(status=status, within_days=within), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/coordinator/clearances.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "today": org_today(),
            "section": "clearances",
        },
    )


def _clearance_arguments(form: ClearanceForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "status": data["status"],
        "requested_on": data["requested_on"],
        "issued_on": data["issued_on"],
        "expires_on": data["expires_on"],
        "reference_number": data["reference_number"],
        "notes": data["notes"],
        "document": data["document"] or None,
    }


@permission_required("clearances.manage")
def clearance_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = ClearanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            clearance = services.record_clearance(
                volunteer=person,
                clearance_type=form.cleaned_data["clearance_type"],
                by=request.user,
                **_clearance_arguments(form),
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(
                request,
                gettext("%(clearance_type)s for %(person)s recorded.")
                % {"clearance_type": clearance.clearance_type.name, "person": str(person)},
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return render(
        request,
        "volunteers/coordinator/clearance_form.html",
        {"form": form, "person": person, "clearance": None, "section": "clearances"},
    )


@permission_required("clearances.manage")
def clearance_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    clearance = get_object_or_404(
        Clearance.objects.select_related("volunteer", "clearance_type"), pk=pk
    )
    initial = {
        "clearance_type": clearance.clearance_type,
        "status": clearance.status,
        "requested_on": clearance.requested_on,
        "issued_on": clearance.issued_on,
        "expires_on": clearance.expires_on,
        "reference_number": clearance.reference_number,
        "notes": clearance.notes,
    }
    form = ClearanceForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_clearance(
                volunteer=clearance.volunteer,
                clearance_type=clearance.clearance_type,
                by=request.user,
                clearance=clearance,
                **_clearance_arguments(form),
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(
                request,
                gettext("%(clearance_type)s for %(volunteer)s updated.")
                % {
                    "clearance_type": clearance.clearance_type.name,
                    "volunteer": str(clearance.volunteer),
                },
            )
            return redirect("volunteers:coord_volunteer", pk=clearance.volunteer_id)
    return render(
        request,
        "volunteers/coordinator/clearance_form.html",
        {
            "form": form,
            "person": clearance.volunteer,
            "clearance": clearance,
            "section": "clearances",
        },
    )


@permission_required("clearances.details")
def clearance_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    clearance = get_object_or_404(Clearance.objects.select_related("volunteer"), pk=pk)
    response = private_download(clearance.document, filename_stem=f"clearance-{clearance.pk}")
    services.document_opened(clearance=clearance, by=request.user, request=request)
    return response
