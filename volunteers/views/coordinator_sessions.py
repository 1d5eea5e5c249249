"""Coordinator pages for training sessions: create, edit, cancel, roster, attendance and
completions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.dates import org_today
from core.forms import put_errors_on_form
from core.locales import django_date
from volunteers import services
from volunteers.forms.coordinator import (
    AttendanceForm,
    CompletionsForm,
    ReasonForm,
    SessionForm,
)
from volunteers.models import (
    SessionSignup,
    Training,
    TrainingSession,
)
from volunteers.selectors import trainings as selectors
from volunteers.services import VolunteeringError
from volunteers.services.training_sessions import session_local_date

SESSION_ERROR_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


@permission_required("volunteering.manage")
def session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.session_fields()
        if fields is not None:
            try:
                session = services.create_training_session(
                    training=training, by=request.user, **fields
                )
            except ValidationError as exc:
                put_errors_on_form(form, exc, SESSION_ERROR_FIELDS)
            else:
                messages.success(
                    request, gettext("Session of %(training)s added.") % {"training": training.name}
                )
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


@permission_required("volunteering.view")
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _roster_page(request, _session(pk))


@permission_required("volunteering.manage")
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
            messages.success(
                request,
                gettext("Attendance saved: %(present)s came, %(absent)s did not.")
                % {"present": present, "absent": absent},
            )
            return redirect("volunteers:coord_session", pk=session.pk)
    return _roster_page(request, session, attendance_form=form)


@permission_required("volunteering.manage")
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
    return gettext("%(training)s on %(when)s") % {
        "training": session.training.name,
        "when": django_date(session_local_date(session), "j M Y"),
    }


def _moved_up(promoted: list[SessionSignup]) -> str:
    if not promoted:
        return ""
    names = ", ".join(str(signup.volunteer) for signup in promoted)
    return " " + ngettext(
        "%(count)d person moved from the waitlist: %(names)s.",
        "%(count)d people moved from the waitlist: %(names)s.",
        len(promoted),
    ) % {"count": len(promoted), "names": names}


@permission_required("volunteering.manage")
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
                    request,
                    gettext("Session of %(session_label)s saved.%(moved_up)s")
                    % {"session_label": _session_label(session), "moved_up": _moved_up(promoted)},
                )
                return redirect("volunteers:coord_session", pk=session.pk)
    return render(
        request,
        "volunteers/coordinator/session_form.html",
        {"form": form, "training": session.training, "session": session, "section": "trainings"},
    )


def _cancel_form(data: Any = None) -> ReasonForm:
    form = ReasonForm(
        data,
        key="cancel",
        help_text=gettext("Kept at the top of the session's notes."),
        max_length=300,
    )
    field = form.fields["reason"]
    field.required = True
    field.error_messages["required"] = "Write why the session is cancelled."
    return form


@permission_required("volunteering.manage")
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
            messages.success(
                request,
                ngettext(
                    "Session of %(session)s cancelled, with %(count)d sign-up.",
                    "Session of %(session)s cancelled, with %(count)d sign-ups.",
                    count,
                )
                % {"session": _session_label(session), "count": count},
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


@permission_required("volunteering.manage")
@require_POST
def signup_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(SessionSignup.objects.select_related("volunteer"), pk=pk)
    try:
        promoted = services.cancel_session_signup(signup=signup, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        text = f"{signup.volunteer!s} no longer has a place."
        if promoted is not None:
            text += f" {promoted.volunteer!s} moved up from the waitlist."
        messages.success(request, text)
    return redirect("volunteers:coord_session", pk=signup.session_id)
