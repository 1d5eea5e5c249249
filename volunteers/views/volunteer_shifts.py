"""Volunteers' shift pages (phone first): find shifts, sign up, cancel, swap, check in,
and check in (their schedule, hours and calendar feed: volunteer_schedule.py).

Every page shows only the logged-in volunteer's own things: nothing here takes a person's id,
and an id of someone else's sign-up or offer is a 404. Rule breaks come back from the
services as VolunteeringError (NotEligible with the reasons) and are shown as messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, volunteer_required
from core.locales import django_date, zone_name
from volunteers import services
from volunteers.forms.volunteer_shifts import (
    CheckInCodeForm,
    ShiftFilterForm,
    SwapOfferForm,
)
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
)
from volunteers.selectors import shifts as shift_selectors
from volunteers.selectors.team import shift_contact, shift_team
from volunteers.services.attendance import code_matches
from volunteers.shift_text import describe_shift, local_time

SHIFTS_PER_PAGE = 20
HOURS_PER_PAGE = 25


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (a local ``next``), else to ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _shift_url(shift: Shift | int) -> str:
    return reverse("volunteers:shift_detail", args=[shift if isinstance(shift, int) else shift.pk])


def _visible_shift(pk: int) -> Shift:
    """A shift a volunteer may look at (published or cancelled, never a draft), with counts."""
    try:
        shift = shift_selectors.shift_with_counts(pk)
    except Shift.DoesNotExist as exc:
        raise Http404("No such shift.") from exc
    if shift.status == ShiftStatus.DRAFT:
        raise Http404("No such shift.")
    return shift


def _my_signup(shift: Shift, volunteer_id: int) -> ShiftSignup | None:
    return ShiftSignup.objects.filter(
        shift=shift, volunteer_id=volunteer_id, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES
    ).first()


# ---------------------------------------------------------------- open shifts


@volunteer_required
@require_GET
def open_shifts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shifts to come, filtered; places left and the volunteer's eligibility on each."""
    form = ShiftFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    role, location = data.get("role"), data.get("location")
    day_from, day_to = data.get("day_from"), data.get("day_to")
    shifts = shift_selectors.open_shifts(
        volunteer=request.user,
        role_id=role.pk if role else None,
        location_id=location.pk if location else None,
        day_from=day_from,
        day_to=day_to,
    )
    page = Paginator(shifts, SHIFTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "cards": shift_selectors.shift_cards(list(page.object_list), request.user),
        "query": query.urlencode(),
        "filtered": any((role, location, day_from, day_to)),
    }
    template = "volunteers/shifts/open_shifts.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "shift-results":
        template = "volunteers/shifts/_open_shift_results.html"
    return render(request, template, context)


# ---------------------------------------------------------------- one shift


@dataclass(frozen=True)
class CheckInState:
    opens: str  # e.g. "Tue 3 Nov, 17:30", in the shift's zone
    closes: str
    is_open: bool
    checked_in: str  # the local time, or ""
    checked_out: str


def _local_text(moment: datetime | None, zone: str, fmt: str = "D j M, H:i") -> str:
    return django_date(local_time(moment, zone), fmt) if moment else ""


@volunteer_required
@require_GET
def shift_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(pk)
    user = request.user
    signup = _my_signup(shift, user.pk)
    card = shift_selectors.shift_cards([shift], user)[0]
    my_offer = (
        SwapOffer.objects.filter(signup=signup, status=SwapStatus.OPEN).first()
        if signup is not None and signup.status == ShiftSignupStatus.CONFIRMED
        else None
    )
    now = timezone.now()
    opens, closes = services.check_in_window(shift)
    holds_place = signup is not None and signup.status in (
        ShiftSignupStatus.CONFIRMED,
        ShiftSignupStatus.ATTENDED,
    )
    others_offers = (
        SwapOffer.objects.filter(signup__shift=shift, status=SwapStatus.OPEN)
        .exclude(signup__volunteer=user)
        .count()
        if signup is None or signup.status == ShiftSignupStatus.WAITLISTED
        else 0
    )
    context = {
        "shift": shift,
        "card": card,
        "signup": signup,
        "holds_place": holds_place,
        "position": shift_selectors.waitlist_position(signup) if signup else None,
        "my_offer": my_offer,
        "others_offers": others_offers,
        "upcoming": shift.starts_at > now and shift.status == ShiftStatus.PUBLISHED,
        "check_in": CheckInState(
            opens=_local_text(opens, shift.time_zone),
            closes=_local_text(closes, shift.time_zone),
            is_open=holds_place
            and opens <= now <= closes
            and shift.status == ShiftStatus.PUBLISHED,
            checked_in=_local_text(signup.check_in_at if signup else None, shift.time_zone, "H:i"),
            checked_out=_local_text(
                signup.check_out_at if signup else None, shift.time_zone, "H:i"
            ),
        ),
        "code_form": CheckInCodeForm(),
        "swap_form": SwapOfferForm(),
        "team": shift_team(shift, user),
        "contact": shift_contact(shift),
    }
    return render(request, "volunteers/shifts/shift_detail.html", context)


def _refused(request: HttpRequest, exc: services.VolunteeringError) -> None:
    """A rule the request broke, in the service's words (NotEligible: with every reason)."""
    messages.error(request, str(exc))


@volunteer_required
@require_POST
def shift_sign_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(pk)
    try:
        signup = services.sign_up_for_shift(shift=shift, volunteer=request.user)
    except services.VolunteeringError as exc:
        _refused(request, exc)
    else:
        if signup.status == ShiftSignupStatus.CONFIRMED:
            messages.success(
                request,
                _("You have a place: %(shift)s. A confirmation is on its way.")
                % {"shift": describe_shift(shift)},
            )
        else:
            messages.info(
                request,
                _("The shift is full; you are number %(position)s on the waitlist.")
                % {"position": shift_selectors.waitlist_position(signup)},
            )
    return _back(request, _shift_url(shift))


@volunteer_required
@require_http_methods(["GET", "POST"])
def shift_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST cancels the volunteer's place or waitlist entry."""
    shift = _visible_shift(pk)
    signup = _my_signup(shift, request.user.pk)
    if signup is None or signup.status not in (
        ShiftSignupStatus.CONFIRMED,
        ShiftSignupStatus.WAITLISTED,
    ):
        messages.error(request, _("You have no place on this shift to cancel."))
        return redirect(_shift_url(shift))
    if request.method == "GET":
        return render(request, "volunteers/shifts/cancel.html", {"shift": shift, "signup": signup})
    was_waiting = signup.status == ShiftSignupStatus.WAITLISTED
    try:
        services.cancel_signup(signup=signup, by=request.user)
    except services.VolunteeringError as exc:
        _refused(request, exc)
        return redirect(_shift_url(shift))
    label = describe_shift(shift)
    messages.success(
        request,
        _("You have left the waitlist for %(shift)s.") % {"shift": label}
        if was_waiting
        else _("Your place is cancelled: %(shift)s. Thank you for letting us know.")
        % {"shift": label},
    )
    return redirect("volunteers:my_schedule")


@volunteer_required
@require_POST
def swap_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(pk)
    signup = _my_signup(shift, request.user.pk)
    form = SwapOfferForm(request.POST)
    if signup is None:
        messages.error(request, _("You have no place on this shift to offer."))
    elif not form.is_valid():
        messages.error(request, _("The note can be at most 300 characters."))
    else:
        try:
            services.offer_swap(signup=signup, by=request.user, note=form.cleaned_data["note"])
        except services.VolunteeringError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                _(
                    "Your place is offered to others. It stays yours, and you are expected, "
                    "until someone takes it."
                ),
            )
    return redirect(_shift_url(shift))


@volunteer_required
@require_POST
def swap_withdraw(request: AuthenticatedHttpRequest, offer_pk: int) -> HttpResponse:
    offer = get_object_or_404(
        SwapOffer.objects.select_related("signup"), pk=offer_pk, signup__volunteer=request.user
    )
    try:
        services.withdraw_swap(offer=offer, by=request.user)
    except services.VolunteeringError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your offer is withdrawn; the place stays yours."))
    return _back(request, _shift_url(offer.signup.shift_id))


@volunteer_required
@require_GET
def swap_offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Places other volunteers offer, with whether this volunteer may take each."""
    cards = shift_selectors.open_swap_offers(volunteer=request.user)
    return render(request, "volunteers/shifts/swap_offers.html", {"cards": cards})


@volunteer_required
@require_POST
def swap_accept(request: AuthenticatedHttpRequest, offer_pk: int) -> HttpResponse:
    offer = get_object_or_404(
        SwapOffer.objects.select_related("signup__shift__role", "signup__shift__location"),
        pk=offer_pk,
    )
    try:
        services.accept_swap(offer=offer, volunteer=request.user)
    except services.VolunteeringError as exc:
        _refused(request, exc)
        return redirect("volunteers:swap_offers")
    messages.success(
        request,
        _("The place is yours: %(shift)s. A confirmation is on its way.")
        % {"shift": describe_shift(offer.signup.shift)},
    )
    return redirect(_shift_url(offer.signup.shift_id))


# ---------------------------------------------------------------- check-in


def _check_in_refusal(shift: Shift, code: str) -> str | None:
    """Why the code cannot be used now (the same rules the services apply), or None."""
    if not code_matches(shift, code):
        return _(
            "This check-in code is not for this shift. Scan the code shown where your shift is."
        )
    if shift.status != ShiftStatus.PUBLISHED:
        return _("This shift is not taking place.")
    now = timezone.now()
    opens, closes = services.check_in_window(shift)
    if now < opens:
        return _("Check-in opens at %(time)s (%(zone)s), 30 minutes before the shift.") % {
            "time": f"{local_time(opens, shift.time_zone):%H:%M}",
            "zone": zone_name(shift.time_zone),
        }
    if now > closes:
        return _(
            "Check-in for this shift has closed. Ask the coordinator to record your attendance."
        )
    return None


def _do_check(request: AuthenticatedHttpRequest, shift: Shift, code: str, action: str) -> bool:
    """Check in or out with ``code``; a message says how it went. True when it worked."""
    try:
        if action == "out":
            services.check_out_with_code(shift=shift, volunteer=request.user, code=code)
        else:
            services.check_in_with_code(shift=shift, volunteer=request.user, code=code)
    except services.VolunteeringError as exc:
        _refused(request, exc)
        return False
    if action == "out":
        messages.success(request, _("You have checked out. Thank you! Your hours are recorded."))
    else:
        messages.success(request, _("You are checked in. Have a good shift!"))
    return True


@volunteer_required
@require_POST
def shift_check_in_form(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check in or out from the shift page, with the code or link typed or pasted."""
    shift = _visible_shift(pk)
    form = CheckInCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Paste the code or the link shown where your shift is."))
    else:
        action = "out" if request.POST.get("action") == "out" else "in"
        _do_check(request, shift, form.cleaned_data["code"], action)
    return redirect(_shift_url(shift))


@volunteer_required
@require_http_methods(["GET", "POST"])
def shift_check_in(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    """The link in the QR code at the location: GET shows the shift and a button, POST acts.

    A code of another shift, or one used outside the check-in window, is refused (403)."""
    shift = _visible_shift(pk)
    refusal = _check_in_refusal(shift, code)
    if request.method == "POST" and refusal is None:
        action = "out" if request.POST.get("action") == "out" else "in"
        if _do_check(request, shift, code, action):
            return redirect(_shift_url(shift))
        return redirect(request.path)
    signup = _my_signup(shift, request.user.pk)
    context = {"shift": shift, "signup": signup, "refusal": refusal, "code": code}
    return render(
        request,
        "volunteers/shifts/check_in.html",
        context,
        status=403 if refusal else 200,
    )
