"""Coordinator pages for volunteering: roles, trainings, sessions, clearances, applications.

Each view parses input with a form, calls a service and redirects with a message; a bad
input re-renders the page with the error on the form and nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from accounts.permissions import coordinator_required
from core.dates import org_today
from core.downloads import private_download
from volunteers import services
from volunteers.forms.coordinator import (
    AttendanceForm,
    ClearanceFilterForm,
    ClearanceForm,
    CompletionsForm,
    DirectoryFilterForm,
    GrantForm,
    NotesForm,
    ReasonForm,
    RecordTrainingForm,
    RoleForm,
    SessionForm,
    StaffingRuleForm,
    StatusForm,
    TrainingForm,
)
from volunteers.models import (
    Clearance,
    SessionSignup,
    StaffingRule,
    Training,
    TrainingRecord,
    TrainingSession,
    VolunteerProfile,
    VolunteerRole,
)
from volunteers.selectors import trainings as selectors
from volunteers.selectors.volunteer_hours import volunteer_shift_context
from volunteers.services import VolunteeringError
from volunteers.services.qualifications import remove_staffing_rule, set_staffing_rule
from volunteers.services.trainings import session_local_date

PAGE_SIZE = 50


def put_errors_on_form(
    form: forms.BaseForm, exc: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on the field it names, if the form has it."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _person(person: User) -> str:
    return person.get_full_name() or person.email


# Roles


@coordinator_required
def roles(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = list(selectors.roles_with_requirements())
    return _render_roles(request, items, _rule_forms(items))


def _rule_forms(items: list[VolunteerRole]) -> dict[int, StaffingRuleForm]:
    qualifications = [role for role in items if role.is_qualification]
    return {role.pk: StaffingRuleForm(role=role, qualifications=qualifications) for role in items}


def _render_roles(
    request: AuthenticatedHttpRequest,
    items: list[VolunteerRole],
    rule_forms: dict[int, StaffingRuleForm],
) -> HttpResponse:
    rows = [(role, rule_forms[role.pk]) for role in items]
    has_qualifications = any(role.is_qualification for role in items)
    return render(
        request,
        "volunteers/coordinator/roles.html",
        {"rows": rows, "has_qualifications": has_qualifications, "section": "roles"},
    )


@coordinator_required
def role_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    role = get_object_or_404(VolunteerRole, pk=pk) if pk is not None else None
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_role(
                role=role,
                name=data["name"],
                description=data["description"],
                minimum_age=data["minimum_age"],
                required_trainings=data["required_trainings"],
                required_clearance_types=data["required_clearance_types"],
                is_qualification=data["is_qualification"],
                active=data["active"],
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("volunteers:coord_roles")
    if role is not None and form.is_bound:
        role.refresh_from_db(fields=["name"])  # the form wrote its input onto the instance
    return render(
        request,
        "volunteers/coordinator/role_form.html",
        {"form": form, "role": role, "section": "roles"},
    )


@coordinator_required
@require_POST
def rule_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(VolunteerRole, pk=pk)
    items = list(selectors.roles_with_requirements())
    qualifications = [item for item in items if item.is_qualification]
    form = StaffingRuleForm(request.POST, role=role, qualifications=qualifications)
    if form.is_valid():
        try:
            rule = set_staffing_rule(
                role=role,
                qualification=form.cleaned_data["qualification"],
                minimum=form.cleaned_data["minimum"],
            )
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{role.name} now needs at least {rule.minimum} {rule.qualification.name}."
            )
            return redirect("volunteers:coord_roles")
    rule_forms = _rule_forms(items)
    rule_forms[role.pk] = form
    return _render_roles(request, items, rule_forms)


@coordinator_required
@require_POST
def rule_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(StaffingRule.objects.select_related("role", "qualification"), pk=pk)
    remove_staffing_rule(rule=rule)
    messages.success(
        request, f"{rule.role.name} no longer needs a {rule.qualification.name} on each shift."
    )
    return redirect("volunteers:coord_roles")


# Trainings and sessions


@coordinator_required
def trainings(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/coordinator/trainings.html",
        {
            "trainings": selectors.trainings_with_upcoming_sessions(),
            "recent_sessions": selectors.recent_sessions(),
            "section": "trainings",
        },
    )


@coordinator_required
def training_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk) if pk is not None else None
    initial = TrainingForm.initial_for(training) if training is not None else None
    form = TrainingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_training(
                training=training,
                name=data["name"],
                description=data["description"],
                validity_months=data["validity_months"],
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("volunteers:coord_trainings")
    return render(
        request,
        "volunteers/coordinator/training_form.html",
        {"form": form, "training": training, "section": "trainings"},
    )


SESSION_ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


@coordinator_required
def session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.session_fields()
        if fields is not None:
            try:
                session = services.create_training_session(training=training, **fields)
            except ValidationError as exc:
                put_errors_on_form(form, exc, SESSION_ERROR_FIELDS)
            else:
                messages.success(request, f"Session of {training.name} added.")
                return redirect("volunteers:coord_session", pk=session.pk)
    return render(
        request,
        "volunteers/coordinator/session_form.html",
        {"form": form, "training": training, "section": "trainings"},
    )


def _roster_page(
    request: AuthenticatedHttpRequest,
    session: TrainingSession,
    *,
    attendance_form: AttendanceForm | None = None,
    completions_form: CompletionsForm | None = None,
) -> HttpResponse:
    roster = selectors.session_roster(session)
    if attendance_form is None:
        attendance_form = AttendanceForm(
            signups=roster.places,
            initial={"attended": [str(s.volunteer_id) for s in roster.attended]},
        )
    if completions_form is None:
        completions_form = CompletionsForm(
            signups=roster.attended,
            initial={
                "volunteers": [
                    str(s.volunteer_id)
                    for s in roster.attended
                    if s.volunteer_id not in roster.recorded_ids
                ],
                "completed_on": min(session_local_date(session), org_today()),
            },
        )
    return render(
        request,
        "volunteers/coordinator/session.html",
        {
            "session": session,
            "roster": roster,
            "attendance_form": attendance_form,
            "completions_form": completions_form,
            "started": session.starts_at <= timezone.now(),
            "finished": session.ends_at <= timezone.now(),
            "section": "trainings",
        },
    )


def _session(pk: int) -> TrainingSession:
    return get_object_or_404(TrainingSession.objects.select_related("training"), pk=pk)


@coordinator_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _roster_page(request, _session(pk))


@coordinator_required
@require_POST
def session_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    roster = selectors.session_roster(session)
    form = AttendanceForm(request.POST, signups=roster.places)
    if form.is_valid():
        try:
            present, absent = services.mark_session_attendance(
                session=session, attended=form.attended_ids(), by=request.user
            )
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Attendance saved: {present} came, {absent} did not.")
            return redirect("volunteers:coord_session", pk=session.pk)
    return _roster_page(request, session, attendance_form=form)


@coordinator_required
@require_POST
def session_completions(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    roster = selectors.session_roster(session)
    form = CompletionsForm(request.POST, signups=roster.attended)
    if form.is_valid():
        try:
            created = services.record_session_completions(
                session=session,
                volunteer_ids=form.volunteer_ids(),
                completed_on=form.cleaned_data["completed_on"],
                by=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            already = len(form.volunteer_ids()) - len(created)
            text = f"{session.training.name}: {len(created)} completion(s) recorded."
            if already:
                text += f" {already} already had one from this session."
            messages.success(request, text)
            return redirect("volunteers:coord_session", pk=session.pk)
    return _roster_page(request, session, completions_form=form)


def _session_label(session: TrainingSession) -> str:
    return f"{session.training.name} on {date_format(session_local_date(session), 'j M Y')}"


def _moved_up(promoted: list[SessionSignup]) -> str:
    if not promoted:
        return ""
    who = "1 person" if len(promoted) == 1 else f"{len(promoted)} people"
    names = ", ".join(_person(signup.volunteer) for signup in promoted)
    return f" {who} moved from the waitlist: {names}."


@coordinator_required
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = _session(pk)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        fields = form.session_fields()
        if fields is not None:
            try:
                promoted = services.update_training_session(
                    session=session, by=request.user, **fields
                )
            except ValidationError as exc:
                put_errors_on_form(form, exc, SESSION_ERROR_FIELDS)
            except VolunteeringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Session of {_session_label(session)} saved.{_moved_up(promoted)}"
                )
                return redirect("volunteers:coord_session", pk=session.pk)
    return render(
        request,
        "volunteers/coordinator/session_form.html",
        {"form": form, "training": session.training, "session": session, "section": "trainings"},
    )


def _cancel_form(data: Any = None) -> ReasonForm:
    form = ReasonForm(
        data, key="cancel", help_text="Kept at the top of the session's notes.", max_length=300
    )
    field = form.fields["reason"]
    field.required = True
    field.error_messages["required"] = "Write why the session is cancelled."
    return form


@coordinator_required
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks for a reason and confirmation; POST cancels the session and its sign-ups."""
    session = _session(pk)
    form = _cancel_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = services.cancel_training_session(
                session=session, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        except VolunteeringError as exc:
            messages.error(request, str(exc))
            return redirect("volunteers:coord_session", pk=session.pk)
        else:
            count = len(cancelled)
            signups = "1 sign-up" if count == 1 else f"{count} sign-ups"
            messages.success(
                request, f"Session of {_session_label(session)} cancelled, with {signups}."
            )
            return redirect("volunteers:coord_session", pk=session.pk)
    roster = selectors.session_roster(session)
    return render(
        request,
        "volunteers/coordinator/session_cancel.html",
        {
            "session": session,
            "form": form,
            "places": roster.confirmed_count,
            "waiting": len(roster.waitlist),
            "section": "trainings",
        },
    )


@coordinator_required
@require_POST
def signup_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(SessionSignup.objects.select_related("volunteer"), pk=pk)
    try:
        promoted = services.cancel_session_signup(signup=signup, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        text = f"{_person(signup.volunteer)} no longer has a place."
        if promoted is not None:
            text += f" {_person(promoted.volunteer)} moved up from the waitlist."
        messages.success(request, text)
    return redirect("volunteers:coord_session", pk=signup.session_id)


# Clearances


@coordinator_required
def clearances(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ClearanceFilterForm(request.GET or None)
    status, within = "", None
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        within = filters.cleaned_data["within_days"]
    page = Paginator(
        selectors.clearance_list(status=status, within_days=within), PAGE_SIZE
    ).get_page(request.GET.get("page"))
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


@coordinator_required
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
                request, f"{clearance.clearance_type.name} for {_person(person)} recorded."
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return render(
        request,
        "volunteers/coordinator/clearance_form.html",
        {"form": form, "person": person, "clearance": None, "section": "clearances"},
    )


@coordinator_required
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
                f"{clearance.clearance_type.name} for {_person(clearance.volunteer)} updated.",
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


@coordinator_required
def clearance_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    clearance = get_object_or_404(Clearance, pk=pk)
    return private_download(clearance.document, filename_stem=f"clearance-{clearance.pk}")


# Volunteers


@coordinator_required
def volunteers(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = DirectoryFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(
        selectors.volunteer_directory(
            search=data.get("q", ""),
            status=data.get("status", ""),
            qualification=data.get("qualification"),
            eligible_for=data.get("eligible_for"),
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteers/coordinator/volunteers.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "section": "volunteers"},
    )


def _volunteer_page(
    request: AuthenticatedHttpRequest, person: User, **bound: forms.BaseForm
) -> HttpResponse:
    file = selectors.volunteer_file(person)
    profile = file.profile
    today = org_today()
    context: dict[str, Any] = {
        "person": person,
        "file": file,
        "profile": profile,
        "age": profile.age_on(today) if profile else None,
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


@coordinator_required
def volunteer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _volunteer_page(request, get_object_or_404(User, pk=pk))


def _profile_of(person: User) -> VolunteerProfile:
    profile = selectors.profile_for(person)
    if profile is None:
        raise Http404("This person has no volunteer profile.")
    return profile


@coordinator_required
@require_POST
def volunteer_notes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = NotesForm(request.POST, instance=_profile_of(person))
    if form.is_valid():
        form.save()
        messages.success(request, "Notes saved.")
        return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, notes_form=form)


@coordinator_required
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
                request, f"{_person(person)} is now {profile.get_status_display().lower()}."
            )
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, status_form=form)


@coordinator_required
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
            messages.success(request, f"{_person(person)} now holds {role.name}.")
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, grant_form=form)


@coordinator_required
@require_POST
def qualification_revoke(request: AuthenticatedHttpRequest, pk: int, role_pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    role = get_object_or_404(VolunteerRole, pk=role_pk)
    services.revoke_qualification(volunteer=person, role=role, by=request.user)
    messages.success(request, f"{_person(person)} no longer holds {role.name}.")
    return redirect("volunteers:coord_volunteer", pk=person.pk)


@coordinator_required
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
            messages.success(request, f"{training.name} recorded for {_person(person)}.")
            return redirect("volunteers:coord_volunteer", pk=person.pk)
    return _volunteer_page(request, person, record_form=form)


@coordinator_required
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
        help_text="The applicant will read this.",
        max_length=1000,
    )


def _applications_page(
    request: AuthenticatedHttpRequest, bound: ReasonForm | None = None, bound_pk: int = 0
) -> HttpResponse:
    rows = _rows_with_reason_forms(selectors.applicants(), _decline_form, bound, bound_pk)
    return render(
        request,
        "volunteers/coordinator/applications.html",
        {"rows": rows, "section": "applications"},
    )


@coordinator_required
def applications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _applications_page(request)


@coordinator_required
@require_POST
def application_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(VolunteerProfile.objects.select_related("user"), pk=pk)
    try:
        services.approve_application(profile=profile, reviewer=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{_person(profile.user)} is now an active volunteer.")
    return redirect("volunteers:coord_applications")


@coordinator_required
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
                request, f"Application of {_person(profile.user)} declined. They will see why."
            )
            return redirect("volunteers:coord_applications")
    return _applications_page(request, form, profile.pk)


def _reject_form(record: TrainingRecord, data: Any = None) -> ReasonForm:
    return ReasonForm(
        data,
        key=f"reject_{record.pk}",
        help_text="The volunteer will read this.",
        max_length=300,
    )


def _evidence_page(
    request: AuthenticatedHttpRequest, bound: ReasonForm | None = None, bound_pk: int = 0
) -> HttpResponse:
    rows = _rows_with_reason_forms(selectors.pending_evidence(), _reject_form, bound, bound_pk)
    return render(
        request, "volunteers/coordinator/evidence.html", {"rows": rows, "section": "evidence"}
    )


@coordinator_required
def evidence(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _evidence_page(request)


def _record(pk: int) -> TrainingRecord:
    return get_object_or_404(TrainingRecord.objects.select_related("volunteer", "training"), pk=pk)


@coordinator_required
@require_POST
def evidence_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    try:
        services.verify_training_record(record=record, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{record.training.name} of {_person(record.volunteer)} verified."
        )
    return redirect("volunteers:coord_evidence")


@coordinator_required
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
                f"{record.training.name} of {_person(record.volunteer)} not accepted. "
                "They will see why.",
            )
            return redirect("volunteers:coord_evidence")
    return _evidence_page(request, form, record.pk)
