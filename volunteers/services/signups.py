"""Signing up for shifts, cancelling, and the waitlist that fills freed places.

Every change to who holds a place locks the shift row first (``lock_shift``), then the
volunteers concerned in pk order, so places are counted once and a person's overlapping
shifts are checked once, whatever runs at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    PLACE_STATUSES,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
)
from volunteers.selectors.eligibility import Eligibility, EligibilityChecker, eligibility_for
from volunteers.services.errors import VolunteeringError
from volunteers.services.messaging import (
    notify_signup_cancelled,
    notify_signup_confirmed,
    notify_waitlist_promoted,
)
from volunteers.services.reminders import cancel_signup_reminders
from volunteers.shift_text import describe_shift


class NotEligible(VolunteeringError):
    """Refused for eligibility; ``reasons`` are the plain-language reasons, one per line."""

    def __init__(self, intro: str, reasons: Iterable[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(" ".join((intro, *self.reasons)))


def lock_shift(shift_id: int) -> Shift:
    """The shift row, locked for this transaction (its role and location loaded, not locked)."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("role", "location")
        .get(pk=shift_id)
    )


def lock_shifts(*shift_ids: int) -> dict[int, Shift]:
    """Several shifts locked in pk order, so two transactions never wait on each other."""
    return {pk: lock_shift(pk) for pk in sorted(set(shift_ids))}


def lock_people(*user_ids: int) -> None:
    """Lock the people's rows (pk order): their overlapping-shift check is then race-free."""
    list(
        User.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(user_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def places_taken(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status__in=PLACE_STATUSES).count()


def shift_eligibility(shift: Shift, volunteer: User | int) -> Eligibility:
    return eligibility_for(
        volunteer=volunteer,
        role=shift.role,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        time_zone=shift.time_zone,
    )


def overlapping_shift(
    volunteer_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    exclude_shift_ids: Iterable[int] = (),
) -> Shift | None:
    """A shift the volunteer holds a place on that overlaps [starts_at, ends_at)."""
    signup = (
        ShiftSignup.objects.filter(
            volunteer_id=volunteer_id,
            status__in=[ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.ATTENDED],
            shift__starts_at__lt=ends_at,
            shift__ends_at__gt=starts_at,
        )
        .exclude(shift__status=ShiftStatus.CANCELLED)
        .exclude(shift_id__in=list(exclude_shift_ids))
        .select_related("shift__role", "shift__location")
        .order_by("shift__starts_at")
        .first()
    )
    return signup.shift if signup else None


def overlap_message(other: Shift, *, you: bool = True) -> str:
    who = "You already have" if you else "This volunteer already has"
    return f"{who} a shift at that time: {describe_shift(other)}."


def active_signup(shift: Shift, volunteer_id: int) -> ShiftSignup | None:
    return (
        ShiftSignup.objects.select_for_update(of=("self",))
        .filter(shift=shift, volunteer_id=volunteer_id, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES)
        .first()
    )


def ensure_open_for_signup(shift: Shift, now: datetime) -> None:
    if shift.status == ShiftStatus.CANCELLED:
        raise VolunteeringError(gettext("This shift has been cancelled."))
    if shift.status != ShiftStatus.PUBLISHED:
        raise VolunteeringError(gettext("This shift is not open for sign-up yet."))
    if shift.starts_at <= now:
        raise VolunteeringError(gettext("This shift has already started; choose a later one."))


def sign_up_for_shift(*, shift: Shift, volunteer: User) -> ShiftSignup:
    """A place if one is free and the volunteer may do the role; else a place on the waitlist.

    Refused with the reasons when the volunteer is not eligible, and with the other shift
    named when they already hold a place on an overlapping one.
    """
    # Eligibility does not depend on the places taken, so it is checked before the shift is
    # locked: when many sign up at once, the lock covers only the count and the insert.
    before = Shift.objects.select_related("role", "location").get(pk=shift.pk)
    eligibility = shift_eligibility(before, volunteer)
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        now = timezone.now()
        ensure_open_for_signup(locked, now)
        lock_people(volunteer.pk)
        existing = active_signup(locked, volunteer.pk)
        if existing is not None:
            raise VolunteeringError(
                "You are already on the waitlist for this shift."
                if existing.status == ShiftSignupStatus.WAITLISTED
                else "You already have a place on this shift."
            )
        if (locked.role_id, locked.starts_at, locked.ends_at) != (
            before.role_id,
            before.starts_at,
            before.ends_at,
        ):
            # A coordinator changed the shift meanwhile: check against what it is now.
            eligibility = shift_eligibility(locked, volunteer)
        if not eligibility:
            raise NotEligible("You cannot sign up for this shift yet.", eligibility.reasons)
        other = overlapping_shift(
            volunteer.pk,
            starts_at=locked.starts_at,
            ends_at=locked.ends_at,
            exclude_shift_ids=[locked.pk],
        )
        if other is not None:
            raise VolunteeringError(overlap_message(other))
        free = places_taken(locked) < locked.capacity
        status = ShiftSignupStatus.CONFIRMED if free else ShiftSignupStatus.WAITLISTED
        try:
            with transaction.atomic():
                signup = ShiftSignup.objects.create(
                    shift=locked, volunteer=volunteer, status=status, joined_at=now
                )
        except IntegrityError as exc:  # pragma: no cover - the person lock prevents it
            raise VolunteeringError(gettext("You already have a place on this shift.")) from exc
        audit.record(
            "volunteers.signup.created"
            if status == ShiftSignupStatus.CONFIRMED
            else "volunteers.signup.waitlisted",
            actor=volunteer,
            subject=volunteer,
            obj=signup,
            changes=audit.changed_fields({}, {"status": signup.status}),
            data={"shift": locked.pk},
        )
        if status == ShiftSignupStatus.CONFIRMED:
            notify_signup_confirmed(signup)
    return signup


def promote_waitlisted(shift: Shift, *, by: User | None) -> list[ShiftSignup]:
    """Fill the shift's free places from its waitlist, in order (caller holds the shift lock).
    ``by``: whose change freed the places (None: the system).

    Someone no longer eligible, or now holding an overlapping shift, is skipped: they stay
    on the waitlist with the reason in ``skip_reason``. Nobody is moved into a shift that
    has started or is not published: they would not know to come.
    """
    if shift.status != ShiftStatus.PUBLISHED or shift.starts_at <= timezone.now():
        return []
    free = shift.capacity - places_taken(shift)
    if free <= 0:
        return []
    waiting = list(
        ShiftSignup.objects.select_for_update(of=("self",))
        .filter(shift=shift, status=ShiftSignupStatus.WAITLISTED)
        .select_related("volunteer")
        .order_by("joined_at", "pk")
    )
    if not waiting:
        return []
    # Everyone who may move up, locked at once in pk order (as every other path locks
    # people), so two promotions or a swap never wait on each other in a circle.
    lock_people(*[s.volunteer_id for s in waiting])
    checker = EligibilityChecker(
        volunteer_ids=[s.volunteer_id for s in waiting], roles=[shift.role]
    )
    promoted: list[ShiftSignup] = []
    for signup in waiting:
        if len(promoted) == free:
            break
        eligibility = checker.check(
            volunteer_id=signup.volunteer_id,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
        reasons = list(eligibility.reasons)
        if not reasons:
            other = overlapping_shift(
                signup.volunteer_id,
                starts_at=shift.starts_at,
                ends_at=shift.ends_at,
                exclude_shift_ids=[shift.pk],
            )
            if other is not None:
                reasons.append(overlap_message(other))
        if reasons:
            skip = " ".join(reasons)
            if signup.skip_reason != skip:
                signup.skip_reason = skip
                signup.save(update_fields=["skip_reason", "updated_at"])
            continue
        signup.status = ShiftSignupStatus.CONFIRMED
        signup.skip_reason = ""
        signup.shift = shift
        signup.save(update_fields=["status", "skip_reason", "updated_at"])
        audit.record(
            "volunteers.signup.promoted",
            actor=by,
            subject=signup.volunteer_id,
            obj=signup,
            changes={
                "status": [ShiftSignupStatus.WAITLISTED.value, ShiftSignupStatus.CONFIRMED.value]
            },
            data={"shift": shift.pk},
        )
        notify_waitlist_promoted(signup)
        promoted.append(signup)
    return promoted


def withdraw_open_offers(signup: ShiftSignup, now: datetime) -> None:
    SwapOffer.objects.filter(signup=signup, status=SwapStatus.OPEN).update(
        status=SwapStatus.WITHDRAWN, decided_at=now
    )


def cancel_signup(
    *, signup: ShiftSignup, by: User, reason: str = "", tell_volunteer: bool = True
) -> list[ShiftSignup]:
    """Cancel a place or a waitlist entry; returns the people promoted into the freed place.

    A volunteer cancels their own until the shift starts; a coordinator cancels anyone's
    (the volunteer hears about it, with ``reason``, unless ``tell_volunteer`` is False: an
    erasure, whose person must not be written to). Whoever moves up is told either way.
    """
    with transaction.atomic():
        shift = lock_shift(signup.shift_id)
        locked = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("volunteer")
            .get(pk=signup.pk)
        )
        by_coordinator = user_can(by, "volunteering.manage") and by.pk != locked.volunteer_id
        if by.pk != locked.volunteer_id and not user_can(by, "volunteering.manage"):
            raise VolunteeringError(gettext("You can only cancel your own sign-up."))
        if locked.status not in (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.WAITLISTED):
            raise VolunteeringError(gettext("This sign-up cannot be cancelled any more."))
        now = timezone.now()
        if shift.starts_at <= now and not user_can(by, "volunteering.manage"):
            raise VolunteeringError(gettext("The shift has started; tell the coordinator instead."))
        held_place = locked.status == ShiftSignupStatus.CONFIRMED
        before = {"status": locked.status, "cancelled_at": locked.cancelled_at}
        locked.status = ShiftSignupStatus.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit.record(
            "volunteers.signup.cancelled",
            actor=by,
            subject=locked.volunteer,
            obj=locked,
            changes=audit.changed_fields(
                before, {"status": locked.status, "cancelled_at": locked.cancelled_at}
            ),
            data={"shift": shift.pk, "reason": reason.strip() if by_coordinator else ""},
        )
        withdraw_open_offers(locked, now)
        locked.shift = shift
        cancel_signup_reminders(locked.pk)
        if by_coordinator and tell_volunteer:
            notify_signup_cancelled(locked, reason.strip())
        promoted = promote_waitlisted(shift, by=by) if held_place else []
    signup.refresh_from_db()
    return promoted
