"""Reads of the volunteer's home on a phone: the next shift first, then the one action that
opens each wanted role, then open shifts that fit. A fixed number of queries, whatever the
volunteer's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from core.dates import org_today
from volunteers.models import (
    ACTIVE_SHIFT_SIGNUP_STATUSES,
    SessionSignup,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SignupStatus,
    TrainingSession,
    VolunteerRole,
)
from volunteers.selectors.availability import availability_of
from volunteers.selectors.shifts import ShiftCard, shift_cards, with_counts
from volunteers.selectors.trainings import RoleNeeds

SUGGESTED_SHIFTS = 3
# How many open shifts are read to find the few that fit the volunteer's availability.
CANDIDATES = 60


def next_signup(volunteer: User) -> ShiftSignup | None:
    """The volunteer's next place: the confirmed sign-up of a published shift that has not
    ended, soonest first (one query)."""
    return (
        ShiftSignup.objects.select_related("shift__role", "shift__location")
        .filter(
            volunteer=volunteer,
            status=ShiftSignupStatus.CONFIRMED,
            shift__status=ShiftStatus.PUBLISHED,
            shift__ends_at__gt=timezone.now(),
        )
        .order_by("shift__starts_at", "shift_id")
        .first()
    )


@dataclass(frozen=True)
class RoleAction:
    """What a wanted role still needs, and the training session that helps most."""

    role: VolunteerRole
    missing: tuple[str, ...]
    session: TrainingSession | None  # the next session with a place of a missing training
    opens_role: bool  # booking (and completing) it is the last thing the role needs


def role_actions(volunteer: User, needs: list[RoleNeeds]) -> list[RoleAction]:
    """For each role the volunteer asked for and cannot do yet, the one action that fixes
    it: a session of a missing training, soonest first, preferring a training that is the
    last thing missing. One query for the sessions of every missing training."""
    open_needs = [
        need
        for need in needs
        if need.wanted and not need.eligibility.eligible and not need.role.is_qualification
    ]
    training_ids = {pk for need in open_needs for pk in need.eligibility.missing_trainings}
    first_session: dict[int, TrainingSession] = {}
    if training_ids:
        booked = SessionSignup.objects.filter(
            session=OuterRef("pk"),
            volunteer=volunteer,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
        )
        sessions = (
            TrainingSession.objects.filter(
                training_id__in=training_ids, cancelled=False, starts_at__gt=timezone.now()
            )
            .select_related("training")
            .annotate(
                taken=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
                mine=Exists(booked),
            )
            .order_by("starts_at", "pk")
        )
        for found in sessions:
            if found.mine or found.taken >= found.capacity:
                continue
            first_session.setdefault(found.training_id, found)
    actions = []
    for need in open_needs:
        missing = need.eligibility.missing
        candidates: list[TrainingSession] = [
            first_session[pk] for pk in need.eligibility.missing_trainings if pk in first_session
        ]
        last_one = len(missing) == 1 and len(need.eligibility.missing_trainings) == 1
        session: TrainingSession | None = min(
            candidates, key=lambda s: (s.starts_at, s.pk), default=None
        )
        actions.append(
            RoleAction(
                role=need.role,
                missing=missing,
                session=session,
                opens_role=last_one and session is not None,
            )
        )
    # The actions that open a role first: they are worth the most.
    return sorted(actions, key=lambda action: not action.opens_role)


def suggested_training(actions: list[RoleAction]) -> RoleAction | None:
    """The session to book first: one that opens a wanted role, else the first that helps."""
    return next((action for action in actions if action.session is not None), None)


def suggested_shifts(
    volunteer: User, needs: list[RoleNeeds], *, limit: int = SUGGESTED_SHIFTS
) -> list[ShiftCard]:
    """Open shifts with a place left, of roles the volunteer may do, that they have not
    booked, on their days and hours and not while they are away: soonest first (a fixed
    number of queries: the candidates are read in one page of CANDIDATES)."""
    role_ids = [need.role.pk for need in needs if need.eligibility.eligible]
    if not role_ids:
        return []
    mine = ShiftSignup.objects.filter(
        shift=OuterRef("pk"), volunteer=volunteer, status__in=ACTIVE_SHIFT_SIGNUP_STATUSES
    )
    shifts = (
        with_counts(
            Shift.objects.filter(
                status=ShiftStatus.PUBLISHED, starts_at__gt=timezone.now(), role_id__in=role_ids
            )
        )
        .filter(capacity__gt=F("places_taken"))
        .exclude(Exists(mine))
        .order_by("starts_at", "pk")
    )
    availability = availability_of(volunteer, today=org_today())
    fitting = [shift for shift in shifts[:CANDIDATES] if availability.fits(shift)][:limit]
    cards = shift_cards(fitting, volunteer)
    return [card for card in cards if card.eligibility.eligible]
