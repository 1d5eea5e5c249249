"""Coordinator pages about volunteers: the directory, one volunteer's file (notes, status,
qualifications, trainings) and what expires soon.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.dates import org_today, org_zone
from core.forms import put_errors_on_form
from core.http.spreadsheets import safe_row
from core.pagination import PAGE_SIZE
from volunteers import services
from volunteers.forms.coordinator import (
    DirectoryFilterForm,
    GrantForm,
    NotesForm,
    RecordTrainingForm,
    StatusForm,
)
from volunteers.models import (
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.models.saved_filters import NAME_MAX
from volunteers.selectors import people
from volunteers.selectors import trainings as selectors
from volunteers.selectors.team import photo_url
from volunteers.selectors.volunteer_hours import volunteer_shift_context
from volunteers.services import VolunteeringError, saved_filters

# Volunteers


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Save this filter as"), max_length=NAME_MAX)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)


@permission_required("volunteering.view")
@require_POST
def filter_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SaveFilterForm(request.POST)
    if form.is_valid():
        try:
            saved = saved_filters.save_filter(
                owner=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Filter saved as %(name)s.") % {"name": saved.name})
            url = reverse("volunteers:coord_volunteers")
            return redirect(f"{url}?{saved.query}" if saved.query else url)
    request.GET = QueryDict(request.POST.get("query", ""))
    return volunteers(request, save_form=form)


@permission_required("volunteering.view")
@require_POST
def filter_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not saved_filters.delete_filter(owner=request.user, pk=pk):
        raise Http404("No such filter of yours.")
    messages.success(request, gettext("Filter deleted."))
    return redirect("volunteers:coord_volunteers")


DIRECTORY_COLUMNS = (
    ("name", gettext_lazy("Name")),
    ("last_shift", gettext_lazy("Last shift")),
    ("hours", gettext_lazy("Hours this year")),
    ("expiry", gettext_lazy("Next expiry")),
    ("status", gettext_lazy("Status")),
)


def _sort_of(request: AuthenticatedHttpRequest) -> str:
    sort = request.GET.get("sort", "name")
    return sort if sort.removeprefix("-") in people.DIRECTORY_SORTS else "name"


def _directory(request: AuthenticatedHttpRequest) -> tuple[DirectoryFilterForm, QuerySet[Any]]:
    """The directory as filtered and sorted by the address (bad filters are ignored)."""
    filters = DirectoryFilterForm(request.GET or None)
    return filters, people.directory_from_query(request.GET.urlencode())


@permission_required("volunteering.view")
def volunteers(
    request: AuthenticatedHttpRequest, save_form: SaveFilterForm | None = None
) -> HttpResponse:
    filters, profiles = _directory(request)
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_sort = query.copy()
    without_sort.pop("sort", None)
    sort = _sort_of(request)
    columns = []
    for key, label in DIRECTORY_COLUMNS:
        link = without_sort.copy()
        link["sort"] = f"-{key}" if sort == key else key
        columns.append(
            {
                "label": label,
                "query": link.urlencode(),
                "aria": "ascending" if sort == key else "descending" if sort == f"-{key}" else "",
            }
        )
    return render(
        request,
        "volunteers/coordinator/volunteers.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "columns": columns,
            "saved": people.saved_filters(request.user),
            "save_form": save_form or SaveFilterForm(initial={"query": query.urlencode()}),
            "section": "volunteers",
        },
    )


DIRECTORY_CSV_HEADER = (
    gettext_lazy("Name"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone"),
    gettext_lazy("Status"),
    gettext_lazy("Last shift"),
    gettext_lazy("Hours this year"),
    gettext_lazy("Next expiry"),
    gettext_lazy("Wants to do"),
    gettext_lazy("Qualifications"),
)


def directory_rows(profiles: QuerySet[Any]) -> Iterator[list[object]]:
    """One row per volunteer, in the list's order; cells defused for spreadsheets."""
    zone = org_zone()
    for profile in profiles:
        person = profile.user
        last = profile.last_shift_at
        yield safe_row(
            [
                str(person),
                person.email,
                str(person.phone.as_e164) if person.phone else "",
                profile.get_status_display(),
                last.astimezone(zone).strftime("%Y-%m-%d %H:%M") if last else "",
                f"{Decimal(profile.minutes_this_year) / 60:.2f}",
                profile.next_expiry.isoformat() if profile.next_expiry else "",
                ", ".join(role.name for role in profile.wanted_roles.all()),
                ", ".join(q.role.name for q in person.qualifications.all()),
            ]
        )


@permission_required("volunteering.export")
def volunteers_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _, profiles = _directory(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="volunteers-{org_today()}.csv"'
    writer = csv.writer(response)
    writer.writerow(DIRECTORY_CSV_HEADER)
    writer.writerows(directory_rows(profiles))
    return response


def _volunteer_page(
    request: AuthenticatedHttpRequest, person: User, **bound: forms.BaseForm
) -> HttpResponse:
    file = people.volunteer_file(person)
    profile = file.profile
    today = org_today()
    context: dict[str, Any] = {
        "person": person,
        "file": file,
        "profile": profile,
        "age": profile.age_on(today) if profile else None,
        # The page needs volunteering.view, which may see every photo (services.photos).
        "photo_url": photo_url(profile) if profile else "",
        "today": today,
        "notes_form": NotesForm(instance=profile) if profile else None,
        "status_form": StatusForm(initial={"status": profile.status}) if profile else None,
        "grant_form": GrantForm(),
        "can_grant": any(need.role.is_qualification for need in file.needs),
        "record_form": RecordTrainingForm(initial={"completed_on": today}),
        "section": "volunteers",
    }
    context.update(volunteer_shift_context(person))
    context.update(bound)
    return render(request, "volunteers/coordinator/volunteer.html", context)


@permission_required("volunteering.view")
def volunteer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _volunteer_page(request, get_object_or_404(User, pk=pk))


def _profile_of(person: User) -> VolunteerProfile:
    profile = people.profile_for(person)
    if profile is None:
        raise Http404("This person has no volunteer profile.")
    return profile


@permission_required("volunteering.manage")
@require_POST
def volunteer_notes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = NotesForm(request.POST, instance=_profile_of(person))
    if form.is_valid():
        form.save()
        messages.success(request, gettext("Notes saved."))
        return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, notes_form=form)


@permission_required("volunteering.manage")
@require_POST
def volunteer_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    profile = _profile_of(person)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_volunteer_status(
                profile=profile, status=form.cleaned_data["status"], by=request.user
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("%(person)s is now %(status)s.")
                % {"person": str(person), "status": profile.get_status_display().lower()},
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, status_form=form)


@permission_required("volunteering.manage")
@require_POST
def qualification_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = GrantForm(request.POST)
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            services.grant_qualification(volunteer=person, role=role, by=request.user)
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("%(person)s now holds %(role)s.")
                % {"person": str(person), "role": role.name},
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, grant_form=form)


@permission_required("volunteering.manage")
@require_POST
def qualification_revoke(request: AuthenticatedHttpRequest, pk: int, role_pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    role = get_object_or_404(VolunteerRole, pk=role_pk)
    services.revoke_qualification(volunteer=person, role=role, by=request.user)
    messages.success(
        request,
        gettext("%(person)s no longer holds %(role)s.")
        % {"person": str(person), "role": role.name},
    )
    return redirect("volunteers:coord_volunteer", pk=person.pk)


@permission_required("volunteering.manage")
@require_POST
def record_training(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = RecordTrainingForm(request.POST)
    if form.is_valid():
        training = form.cleaned_data["training"]
        try:
            services.record_training(
                volunteer=person,
                training=training,
                completed_on=form.cleaned_data["completed_on"],
                provider=form.cleaned_data["provider"],
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(
                request,
                gettext("%(training)s recorded for %(person)s.")
                % {"training": training.name, "person": str(person)},
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, record_form=form)


@permission_required("volunteering.view")
def expiring(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = org_today()
    return render(
        request,
        "volunteers/coordinator/expiring.html",
        {
            "items": selectors.expiring_items(today=today, days=60),
            "until": today + timedelta(days=60),
            "section": "expiring",
        },
    )
