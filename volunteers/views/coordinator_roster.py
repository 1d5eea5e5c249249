"""A shift's roster for coordinators: places and waitlist with eligibility, assigning and
moving people (with an override that records who and why), attendance, the check-in QR
code, and the printable and CSV versions."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.forms import put_errors_on_form
from volunteers import services
from volunteers.forms.roster import AssignForm, AttendanceForm, MoveForm, RemoveForm
from volunteers.models import (
    PLACE_STATUSES,
    Shift,
    ShiftSignup,
    ShiftStatus,
)
from volunteers.selectors import shifts as shift_selectors
from volunteers.selectors.eligibility import Eligibility, EligibilityChecker, eligibility_note
from volunteers.selectors.roster import assign_choices
from volunteers.selectors.team import photo_url
from volunteers.services import NotEligible, VolunteeringError
from volunteers.services.attendance import CHECK_IN_OPENS_BEFORE
from volunteers.services.series_words import series_pattern
from volunteers.shift_text import describe_shift, time_range_text

CHECK_IN_URL_NAME = "volunteers:shift_check_in"
MOVE_WEEKS_AHEAD = 8


def check_in_url(request: HttpRequest, shift: Shift) -> str:
    """The absolute check-in link of the shift (its QR code's content)."""
    path = reverse(CHECK_IN_URL_NAME, args=(shift.pk, shift.check_in_code))
    return request.build_absolute_uri(path)


def qr_svg(url: str) -> SafeString:
    """The link as an inline SVG QR code (segno builds the markup; no user text in it)."""
    code = segno.make(url, error="m")
    return mark_safe(code.svg_inline(scale=5, title=gettext("Check-in code")))  # noqa: S308


@dataclass(frozen=True)
class PlaceRow:
    signup: ShiftSignup
    eligibility: Eligibility
    minutes: int | None
    attendance_form: AttendanceForm

    @property
    def photo_url(self) -> str:
        return _photo_url(self.signup)


@dataclass(frozen=True)
class WaitRow:
    position: int
    signup: ShiftSignup
    eligibility: Eligibility

    @property
    def photo_url(self) -> str:
        return _photo_url(self.signup)


def _photo_url(signup: ShiftSignup) -> str:
    profile = getattr(signup.volunteer, "volunteer_profile", None)
    return photo_url(profile) if profile is not None else ""


def _minutes(signup: ShiftSignup) -> int | None:
    try:
        entry = signup.hours_entry
    except ShiftSignup.hours_entry.RelatedObjectDoesNotExist:
        return None
    return entry.minutes if entry is not None else None


def _local_time_initial(moment: datetime | None, zone: str) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")


def _roster_page(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    assign_form: AssignForm | None = None,
    bound_attendance: AttendanceForm | None = None,
    bound_signup: int = 0,
) -> HttpResponse:
    shift = _shift_with_counts(pk)
    roster = shift_selectors.shift_roster(shift)
    zone = shift.time_zone
    places = [
        PlaceRow(
            signup=s,
            eligibility=roster.eligibility[s.volunteer_id],
            minutes=_minutes(s),
            attendance_form=(
                bound_attendance
                if bound_attendance is not None and s.pk == bound_signup
                else AttendanceForm(
                    signup_id=s.pk,
                    initial={
                        "check_in": _local_time_initial(s.check_in_at, zone),
                        "check_out": _local_time_initial(s.check_out_at, zone),
                    },
                )
            ),
        )
        for s in roster.places
    ]
    waitlist = [
        WaitRow(position=n, signup=s, eligibility=roster.eligibility[s.volunteer_id])
        for n, s in enumerate(roster.waitlist, start=1)
    ]
    taken = {s.volunteer_id for s in roster.places}
    candidates = assign_choices(shift, taken, find=request.GET.get("find", ""))
    if assign_form is None:
        assign_form = AssignForm(choices=candidates.choices)
    now = timezone.now()
    opens, closes = services.check_in_window(shift)
    url = check_in_url(request, shift)
    return render(
        request,
        "volunteers/coordinator/shifts/roster.html",
        {
            "shift": shift,
            "roster": roster,
            "places": places,
            "waitlist": waitlist,
            "assign_form": assign_form,
            "candidates": candidates,
            "remove_form": RemoveForm(),
            "places_left": max(shift.capacity - shift.places_taken, 0),  # type: ignore[attr-defined]
            "can_record": shift.starts_at - CHECK_IN_OPENS_BEFORE <= now
            and shift.status != ShiftStatus.CANCELLED,
            "started": shift.starts_at <= now,
            "ended": shift.ends_at <= now,
            "future": shift.starts_at > now,
            "check_in_url": url,
            "qr": qr_svg(url),
            "window": time_range_text(opens, closes, zone),
            "window_open": opens <= now <= closes,
            "section": "shifts",
            "invitations": shift_selectors.shift_invitations(shift),
            "series_words": series_pattern(shift.series) if shift.series is not None else "",
        },
    )


def _shift_with_counts(pk: int) -> Shift:
    try:
        return shift_selectors.shift_with_counts(pk)
    except Shift.DoesNotExist:
        raise Http404("No such shift.") from None


@permission_required("volunteering.view")
def roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _roster_page(request, pk)


def _reasons_on(form: forms.Form, exc: NotEligible, field: str) -> None:
    for reason in exc.reasons:
        form.add_error(None, reason)
    form.add_error(field, "To go ahead anyway, give a reason for the override.")


@permission_required("volunteering.manage")
@require_POST
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _shift_with_counts(pk)
    taken = set(
        ShiftSignup.objects.filter(shift=shift, status__in=PLACE_STATUSES).values_list(
            "volunteer_id", flat=True
        )
    )
    try:
        chosen = int(request.POST.get("volunteer", ""))
    except ValueError:
        chosen = 0
    form = AssignForm(request.POST, choices=assign_choices(shift, taken, only=chosen).choices)
    if form.is_valid():
        person = get_object_or_404(User, pk=form.cleaned_data["volunteer"])
        try:
            services.assign_volunteer(
                shift=shift,
                volunteer=person,
                by=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except NotEligible as exc:
            _reasons_on(form, exc, "override_reason")
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("%(person)s now has a place on this shift.") % {"person": str(person)},
            )
            return redirect("volunteers:coord_shift", pk=shift.pk)
    return _roster_page(request, pk, assign_form=form)


def _signup(pk: int) -> ShiftSignup:
    return get_object_or_404(
        ShiftSignup.objects.select_related("volunteer", "shift__role", "shift__location"), pk=pk
    )


@permission_required("volunteering.manage")
@require_POST
def remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take someone off the shift (a place or the waitlist); they hear why."""
    signup = _signup(pk)
    form = RemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        promoted = services.cancel_signup(signup=signup, by=request.user, reason=reason)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        text = f"{signup.volunteer!s} is off this shift."
        if promoted:
            text += " Moved up from the waitlist: " + ", ".join(str(s.volunteer) for s in promoted)
            text += "."
        messages.success(request, text)
    return redirect("volunteers:coord_shift", pk=signup.shift_id)


@permission_required("volunteering.manage")
@require_POST
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = _signup(pk)
    form = AttendanceForm(request.POST, signup_id=signup.pk)
    if form.is_valid():
        moments = form.moments(signup.shift)
        if moments is not None:
            try:
                services.record_attendance(
                    signup=signup,
                    by=request.user,
                    check_in_at=moments[0],
                    check_out_at=moments[1],
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ValidationError as exc:
                put_errors_on_form(form, exc, AttendanceForm.ERROR_FIELDS)
            except NotEligible as exc:
                _reasons_on(form, exc, "override_reason")
            except VolunteeringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    gettext("Attendance of %(volunteer)s saved.")
                    % {"volunteer": str(signup.volunteer)},
                )
                return redirect("volunteers:coord_shift", pk=signup.shift_id)
    return _roster_page(request, signup.shift_id, bound_attendance=form, bound_signup=signup.pk)


@permission_required("volunteering.manage")
@require_POST
def no_show(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = _signup(pk)
    try:
        services.mark_no_show(signup=signup, by=request.user)
    except VolunteeringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("%(volunteer)s marked as a no-show.") % {"volunteer": str(signup.volunteer)},
        )
    return redirect("volunteers:coord_shift", pk=signup.shift_id)


def move_choices(signup: ShiftSignup) -> list[tuple[int, str]]:
    """Shifts to come (next 8 weeks) with places left and the person's eligibility."""
    now = timezone.now()
    shifts = list(
        shift_selectors.coordinator_shifts(start=now, end=now + timedelta(weeks=MOVE_WEEKS_AHEAD))
        .exclude(status=ShiftStatus.CANCELLED)
        .exclude(pk=signup.shift_id)
    )
    checker = EligibilityChecker(
        volunteer_ids=[signup.volunteer_id], roles={s.role for s in shifts}
    )
    choices = []
    for shift in shifts:
        eligibility = checker.check(
            volunteer_id=signup.volunteer_id,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
        left = max(shift.capacity - shift.places_taken, 0)  # type: ignore[attr-defined]
        label = ngettext(
            "%(shift)s at %(place)s — %(left)s left",
            "%(shift)s at %(place)s — %(left)s left",
            left,
        ) % {"shift": describe_shift(shift), "place": shift.location.name, "left": left}
        if shift.status == ShiftStatus.DRAFT:
            label = gettext("%(shift)s (draft)") % {"shift": label}
        label = f"{label} \u2014 {eligibility_note(eligibility)}"
        choices.append((shift.pk, label))
    return choices


@permission_required("volunteering.manage")
def move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = _signup(pk)
    form = MoveForm(request.POST or None, choices=move_choices(signup))
    if request.method == "POST" and form.is_valid():
        target = get_object_or_404(Shift, pk=form.cleaned_data["to_shift"])
        try:
            new = services.move_signup(
                signup=signup,
                to_shift=target,
                by=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except NotEligible as exc:
            _reasons_on(form, exc, "override_reason")
        except VolunteeringError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                gettext("%(volunteer)s moved to this shift.")
                % {"volunteer": str(signup.volunteer)},
            )
            return redirect("volunteers:coord_shift", pk=new.shift_id)
    return render(
        request,
        "volunteers/coordinator/shifts/move.html",
        {"signup": signup, "shift": signup.shift, "form": form, "section": "shifts"},
    )
