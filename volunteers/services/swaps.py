"""Swap / cover: a volunteer offers their confirmed place, another eligible volunteer takes it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import user_can
from accounts.services import audit
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus, SwapOffer, SwapStatus
from volunteers.selectors.eligibility import EligibilityChecker
from volunteers.services.errors import VolunteeringError
from volunteers.services.messaging import notify_swap_accepted, notify_swap_offered
from volunteers.services.signups import (
    NotEligible,
    active_signup,
    lock_people,
    lock_shift,
    overlap_message,
    overlapping_shift,
    shift_eligibility,
)


def _who_could_take(shift: Shift, *, exclude: int) -> list[User]:
    """The people waiting for this shift who may do it: they hear about the offer."""
    waiting = list(
        ShiftSignup.objects.filter(shift=shift, status=ShiftSignupStatus.WAITLISTED)
        .exclude(volunteer_id=exclude)
        .select_related("volunteer")
        .order_by("joined_at", "pk")
    )
    checker = EligibilityChecker(
        volunteer_ids=[s.volunteer_id for s in waiting], roles=[shift.role]
    )
    return [
        s.volunteer
        for s in waiting
        if checker.check(
            volunteer_id=s.volunteer_id,
            role=shift.role,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            time_zone=shift.time_zone,
        )
    ]


def offer_swap(*, signup: ShiftSignup, by: User, note: str = "") -> SwapOffer:
    """Offer one's own confirmed place on a shift that has not started to someone else."""
    with transaction.atomic():
        shift = lock_shift(signup.shift_id)
        locked = ShiftSignup.objects.select_for_update(of=("self",)).get(pk=signup.pk)
        if locked.volunteer_id != by.pk:
            raise VolunteeringError(gettext("You can only offer your own place."))
        if locked.status != ShiftSignupStatus.CONFIRMED:
            raise VolunteeringError(gettext("Only a confirmed place can be offered."))
        if shift.starts_at <= timezone.now():
            raise VolunteeringError(gettext("The shift has started; it can no longer be swapped."))
        try:
            with transaction.atomic():
                offer = SwapOffer.objects.create(signup=locked, note=note.strip()[:300])
        except IntegrityError as exc:
            raise VolunteeringError(gettext("You have already offered this place.")) from exc
        audit.record(
            "volunteers.swap.offered",
            actor=by,
            subject=locked.volunteer_id,
            obj=offer,
            changes=audit.changed_fields({}, {"status": offer.status, "note": offer.note}),
            data={"signup": locked.pk, "shift": shift.pk},
        )
        locked.shift = shift
        notify_swap_offered(offer.pk, locked, _who_could_take(shift, exclude=by.pk))
    return offer


def withdraw_swap(*, offer: SwapOffer, by: User) -> None:
    """The volunteer keeps their place after all (or a coordinator closes the offer)."""
    with transaction.atomic():
        lock_shift(offer.signup.shift_id)
        locked = (
            SwapOffer.objects.select_for_update(of=("self",))
            .select_related("signup")
            .get(pk=offer.pk)
        )
        if locked.signup.volunteer_id != by.pk and not user_can(by, "volunteering.manage"):
            raise VolunteeringError(gettext("You can only withdraw your own offer."))
        if locked.status != SwapStatus.OPEN:
            raise VolunteeringError(gettext("This offer is no longer open."))
        before = {"status": locked.status, "decided_at": locked.decided_at}
        locked.status = SwapStatus.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        audit.record(
            "volunteers.swap.withdrawn",
            actor=by,
            subject=locked.signup.volunteer_id,
            obj=locked,
            changes=audit.changed_fields(
                before, {"status": locked.status, "decided_at": locked.decided_at}
            ),
        )
    offer.refresh_from_db()


def accept_swap(*, offer: SwapOffer, volunteer: User) -> ShiftSignup:
    """Take the offered place: the giver's sign-up is cancelled and the taker's confirmed,
    in one transaction. The taker must be eligible and free at that time."""
    with transaction.atomic():
        shift = lock_shift(offer.signup.shift_id)
        locked = (
            SwapOffer.objects.select_for_update(of=("self",))
            .select_related("signup__volunteer")
            .get(pk=offer.pk)
        )
        old = ShiftSignup.objects.select_for_update(of=("self",)).get(pk=locked.signup_id)
        old.volunteer = locked.signup.volunteer
        now = timezone.now()
        if locked.status != SwapStatus.OPEN or old.status != ShiftSignupStatus.CONFIRMED:
            raise VolunteeringError(gettext("This offer has already been taken or withdrawn."))
        if shift.starts_at <= now:
            raise VolunteeringError(gettext("The shift has started; it can no longer be swapped."))
        if old.volunteer_id == volunteer.pk:
            raise VolunteeringError(gettext("This is your own place."))
        lock_people(old.volunteer_id, volunteer.pk)
        existing = active_signup(shift, volunteer.pk)
        if existing is not None and existing.status != ShiftSignupStatus.WAITLISTED:
            raise VolunteeringError(gettext("You already have a place on this shift."))
        eligibility = shift_eligibility(shift, volunteer)
        if not eligibility:
            raise NotEligible("You cannot take this shift.", eligibility.reasons)
        other = overlapping_shift(
            volunteer.pk,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            exclude_shift_ids=[shift.pk],
        )
        if other is not None:
            raise VolunteeringError(overlap_message(other))
        old.status = ShiftSignupStatus.CANCELLED
        old.cancelled_at = now
        old.save(update_fields=["status", "cancelled_at", "updated_at"])
        if existing is not None:  # the taker was waiting for this shift: use that entry
            existing.status = ShiftSignupStatus.CONFIRMED
            existing.skip_reason = ""
            existing.save(update_fields=["status", "skip_reason", "updated_at"])
            new = existing
        else:
            new = ShiftSignup.objects.create(
                shift=shift, volunteer=volunteer, status=ShiftSignupStatus.CONFIRMED, joined_at=now
            )
        new.volunteer = volunteer
        locked.status = SwapStatus.ACCEPTED
        locked.taken_by = volunteer
        locked.new_signup = new
        locked.decided_at = now
        locked.save(update_fields=["status", "taken_by", "new_signup", "decided_at"])
        _audit_accepted(locked, old, new, by=volunteer, shift=shift, was_waiting=existing)
        old.shift = new.shift = shift
        notify_swap_accepted(locked.pk, old, new)
    offer.refresh_from_db()
    return new


def _audit_accepted(
    offer: SwapOffer,
    old: ShiftSignup,
    new: ShiftSignup,
    *,
    by: User,
    shift: Shift,
    was_waiting: ShiftSignup | None,
) -> None:
    """A swap taken: the offer (about the giver), the giver's place given up and the
    taker's place, each its own entry (about its own person), all by the taker."""
    audit.record(
        "volunteers.swap.accepted",
        actor=by,
        subject=old.volunteer_id,
        obj=offer,
        changes=audit.changed_fields(
            {"status": SwapStatus.OPEN, "taken_by": None, "new_signup": None},
            {"status": offer.status, "taken_by": by, "new_signup": new},
        ),
        data={"signup": old.pk, "shift": shift.pk},
    )
    audit.record(
        "volunteers.signup.swapped_away",
        actor=by,
        subject=old.volunteer_id,
        obj=old,
        changes=audit.changed_fields(
            {"status": ShiftSignupStatus.CONFIRMED, "cancelled_at": None},
            {"status": old.status, "cancelled_at": old.cancelled_at},
        ),
        data={"shift": shift.pk, "swap": offer.pk},
    )
    audit.record(
        "volunteers.signup.swapped_in",
        actor=by,
        subject=by,
        obj=new,
        changes=audit.changed_fields(
            {"status": ShiftSignupStatus.WAITLISTED if was_waiting is not None else None},
            {"status": new.status},
        ),
        data={"shift": shift.pk, "swap": offer.pk},
    )
