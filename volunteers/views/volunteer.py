"""Pages for volunteers (phone first): trainings, clearances, sessions, evidence, applying."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.authentication import throttle
from accounts.permissions import AuthenticatedHttpRequest, user_can, volunteer_required
from accounts.services import EmailAlreadyRegistered
from core.dates import org_today
from core.http.downloads import private_download
from core.locales import django_date, zone_name
from volunteers import services
from volunteers.forms.volunteer import (
    ApplicationDetailsForm,
    ApplicationForm,
    OutsideTrainingForm,
)
from volunteers.models import (
    SessionSignup,
    SignupStatus,
    TrainingRecord,
    TrainingSession,
)
from volunteers.selectors import home as home_selectors
from volunteers.selectors import people
from volunteers.selectors import trainings as selectors


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _add_service_errors(form: BaseForm, exc: ValidationError) -> None:
    """Put a service's {field: messages} errors on the form (unknown fields on the form)."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# A training that runs out within this long of a session may be renewed at it.
RENEWAL_WINDOW = timedelta(days=60)


def session_when(session: TrainingSession) -> str:
    """e.g. "Tue 12 May 2026, 18:00 (United States (New York) Time)": in the session's own
    zone, named in the reader's language."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    start = timezone.localtime(session.starts_at, zone)
    return f"{django_date(start, 'D j M Y, H:i')} ({zone_name(session.time_zone)})"


def session_label(session: TrainingSession) -> str:
    return _("%(training)s on %(when)s") % {
        "training": session.training.name,
        "when": session_when(session),
    }


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The public volunteer application: an account and a profile waiting for review."""
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account and are logged in."))
        return redirect("home")
    form = ApplicationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if not throttle.allow("apply", request, limit=10, window=3600):
            form.add_error(
                None, _("Too many applications from this connection. Try again in an hour.")
            )
            return render(request, "volunteers/apply.html", {"form": form}, status=429)
        try:
            services.submit_application(
                account=form.account_data(),
                profile=form.profile_data(),
                answers=form.answers(),
                wanted_roles=form.chosen_roles(),
            )
        except EmailAlreadyRegistered:
            # The address has an account; its owner has been told by e-mail. This page
            # must not differ from a success, or anyone could test who volunteers here.
            pass
        except ValidationError as exc:
            _add_service_errors(form, exc)
            return render(request, "volunteers/apply.html", {"form": form})
        messages.success(
            request,
            _(
                "Thank you! Your application is with our coordinators. Confirm your e-mail "
                "address with the link we have sent you, then log in."
            ),
        )
        return redirect("accounts:confirmation_sent")
    return render(request, "volunteers/apply.html", {"form": form})


@volunteer_required
@require_http_methods(["GET", "POST"])
def complete_application(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For an account made before applications existed: the profile and the questions."""
    if people.profile_for(request.user) is not None:
        messages.info(request, _("You have applied already; a coordinator is looking at it."))
        return redirect("volunteers:home")
    form = ApplicationDetailsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_application(
                user=request.user,
                profile=form.profile_data(),
                answers=form.answers(),
                wanted_roles=form.chosen_roles(),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except services.VolunteeringError as exc:
            messages.info(request, str(exc))
            return redirect("volunteers:home")
        else:
            messages.success(request, _("Thank you! Your application is with our coordinators."))
            return redirect("volunteers:home")
    return render(request, "volunteers/complete_application.html", {"form": form})


@volunteer_required
def my_trainings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Trainings and clearances with their expiry, what each role needs, sessions to book."""
    user = request.user
    rejections = selectors.latest_rejections(user)
    trainings = [
        (status, rejections.get(status.training.pk)) for status in selectors.training_statuses(user)
    ]
    positions = selectors.waitlist_positions(user)
    needs = selectors.role_needs(user)
    # A training held past a session (and its renewal window) is not offered again; the
    # session that is the last thing a wanted role needs says so.
    held_until = {
        status.training.pk: status.record.expires_on or date.max
        for status in selectors.training_statuses(user)
        if status.record is not None
    }
    opens = {
        action.session.pk: action.role.name
        for action in home_selectors.role_actions(user, needs)
        if action.opens_role and action.session is not None
    }
    sessions = []
    for session in selectors.upcoming_sessions(volunteer=user):
        # Annotated and prefetched by upcoming_sessions.
        mine: list[SessionSignup] = getattr(session, "my_signups", [])
        confirmed: int = getattr(session, "confirmed_count", 0)
        held = held_until.get(session.training_id)
        if held is not None and not mine and held - RENEWAL_WINDOW > session.starts_at.date():
            continue
        sessions.append(
            {
                "session": session,
                "signup": mine[0] if mine else None,
                "places_left": max(session.capacity - confirmed, 0),
                "position": positions.get(session.pk),
                "opens_role": opens.get(session.pk, ""),
            }
        )
    context = {
        "trainings": trainings,
        "clearances": people.clearance_summaries(user),
        "role_needs": needs,
        "sessions": sessions,
        "today": org_today(),
    }
    return render(request, "volunteers/my_trainings.html", context)


@volunteer_required
@require_POST
def session_sign_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(TrainingSession.objects.select_related("training"), pk=pk)
    try:
        signup = services.sign_up_for_session(session=session, volunteer=request.user)
    except services.VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(
                request, _("You have a place at %(session)s.") % {"session": session_label(session)}
            )
        else:
            messages.info(
                request,
                _("The session is full; you are number %(position)s on the waitlist.")
                % {"position": selectors.waitlist_position(signup)},
            )
    return redirect("volunteers:my_trainings")


@volunteer_required
@require_POST
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(
        SessionSignup.objects.select_related("session__training"), pk=pk, volunteer=request.user
    )
    was_waiting = signup.status == SignupStatus.WAITLISTED
    try:
        services.cancel_session_signup(signup=signup, by=request.user)
    except services.VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        label = session_label(signup.session)
        messages.success(
            request,
            _("You have left the waitlist for %(session)s.") % {"session": label}
            if was_waiting
            else _("Your place at %(session)s is cancelled.") % {"session": label},
        )
    return redirect("volunteers:my_trainings")


@volunteer_required
@require_http_methods(["GET", "POST"])
def submit_evidence(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send a certificate of a training done elsewhere; a coordinator verifies it."""
    form = OutsideTrainingForm(
        _posted(request), request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_outside_training(
                volunteer=request.user,
                training=data["training"],
                completed_on=data["completed_on"],
                provider=data["provider"],
                evidence=data["evidence"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except services.VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Thank you. A coordinator will check your %(training)s certificate.")
                % {"training": data["training"].name},
            )
            return redirect("volunteers:my_trainings")
    return render(request, "volunteers/submit_evidence.html", {"form": form})


@login_required
def evidence_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The evidence file of a training record: for its own volunteer and for staff who
    read volunteering."""
    user = request.user
    record = get_object_or_404(TrainingRecord.objects.exclude(evidence=""), pk=pk)
    if record.volunteer_id != user.pk and not user_can(user, "volunteering.view"):
        raise Http404("No such document.")
    return private_download(record.evidence, filename_stem=f"training-evidence-{record.pk}")
