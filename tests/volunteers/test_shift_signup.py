"""Shift sign-up, waitlist, cancellation, swaps and coordinator overrides (service level)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from notifications.models import Message
from notifications.services import deliver_message
from tests.volunteers.factories import (
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import (
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    ShiftStatus,
    SwapOffer,
    SwapStatus,
    VolunteerRole,
)
from volunteers.selectors.shifts import my_schedule, shift_roster, waitlist_position
from volunteers.services import NotEligible, VolunteeringError

pytestmark = pytest.mark.django_db

# 18:00-21:00 in New York (EDT, UTC-4).
START = datetime(2099, 7, 14, 22, 0, tzinfo=UTC)


def statuses(shift: Shift) -> list[tuple[int, str]]:
    return list(
        ShiftSignup.objects.filter(shift=shift)
        .order_by("joined_at", "pk")
        .values_list("volunteer_id", "status")
    )


def kinds(user: User) -> list[str]:
    """The notices ``user`` got, in order (reminders are tested in test_reminders.py)."""
    messages = Message.objects.filter(recipient=user).exclude(kind="shift.reminder")
    return list(messages.order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def trained_role() -> VolunteerRole:
    return make_role("Crisis text line", trainings=[make_training("Trauma-informed care")])


def trained_volunteer(role: VolunteerRole, **fields: object) -> User:
    person = make_volunteer(**fields)  # type: ignore[arg-type]
    for training in role.required_trainings.all():
        make_record(person, training, completed_on=date(2099, 1, 5))
    return person


def test_an_eligible_volunteer_gets_a_place_and_a_confirmation_with_a_calendar_file() -> None:
    shift = make_shift(starts_at=START, capacity=2)
    person = make_volunteer()
    signup = services.sign_up_for_shift(shift=shift, volunteer=person)
    assert signup.status == ShiftSignupStatus.CONFIRMED
    message = Message.objects.exclude(kind="shift.reminder").get(recipient=person)
    assert message.kind == "shift.signup_confirmed"
    # And its two reminders, 48 and 3 hours before the start.
    assert sorted(
        Message.objects.filter(recipient=person, kind="shift.reminder").values_list(
            "dedupe_key", flat=True
        )
    ) == [
        f"shift.reminder:{signup.pk}:3h:20990714T2200Z",
        f"shift.reminder:{signup.pk}:48h:20990714T2200Z",
    ]
    assert message.dedupe_key == f"shift.signup_confirmed:{signup.pk}"
    assert message.context["shift_title"] == "Outreach"
    assert message.context["zone"] == "America/New_York"
    assert message.context["starts_at"] == "2099-07-14T22:00:00+00:00"
    [attachment] = message.attachments
    assert attachment["filename"] == f"shift-{shift.pk}.ics"
    assert "DTSTART;TZID=America/New_York:20990714T180000" in attachment["content"]


def test_a_full_shift_puts_people_on_the_waitlist_in_order() -> None:
    shift = make_shift(starts_at=START, capacity=1)
    first, second, third = (make_volunteer() for _ in range(3))
    for person in (first, second, third):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    assert statuses(shift) == [
        (first.pk, ShiftSignupStatus.CONFIRMED),
        (second.pk, ShiftSignupStatus.WAITLISTED),
        (third.pk, ShiftSignupStatus.WAITLISTED),
    ]
    third_signup = ShiftSignup.objects.get(shift=shift, volunteer=third)
    assert waitlist_position(third_signup) == 2
    assert my_schedule(third).waitlist_positions == {third_signup.pk: 2}
    assert kinds(second) == []  # joining a waitlist sends nothing


def test_an_ineligible_volunteer_is_refused_with_the_reasons(trained_role: VolunteerRole) -> None:
    shift = make_shift(trained_role, starts_at=START)
    with pytest.raises(NotEligible) as caught:
        services.sign_up_for_shift(shift=shift, volunteer=make_volunteer())
    assert caught.value.reasons == ("You have not completed Trauma-informed care.",)
    assert str(caught.value) == (
        "You cannot sign up for this shift yet. You have not completed Trauma-informed care."
    )
    assert ShiftSignup.objects.count() == 0


def test_an_applicant_is_refused() -> None:
    shift = make_shift(starts_at=START)
    with pytest.raises(NotEligible) as caught:
        services.sign_up_for_shift(shift=shift, volunteer=make_volunteer(status="applicant"))
    assert caught.value.reasons == ("Your volunteer application is still being reviewed.",)


def test_an_overlapping_confirmed_shift_is_refused_naming_it() -> None:
    person = make_volunteer()
    evening = make_shift(starts_at=START, location=make_location("Drop-in centre"))
    services.sign_up_for_shift(shift=evening, volunteer=person)
    later = make_shift(starts_at=START + timedelta(hours=2))
    with pytest.raises(VolunteeringError) as caught:
        services.sign_up_for_shift(shift=later, volunteer=person)
    assert str(caught.value) == (
        "You already have a shift at that time: Outreach on Tue 14 Jul 2099, "
        "18:00\u201321:00 (United States (New York) Time)."
    )
    # Back to back is not an overlap.
    next_one = make_shift(starts_at=START + timedelta(hours=3))
    assert services.sign_up_for_shift(shift=next_one, volunteer=person).status == "confirmed"


def test_signing_up_twice_is_refused() -> None:
    shift = make_shift(starts_at=START)
    person = make_volunteer()
    services.sign_up_for_shift(shift=shift, volunteer=person)
    with pytest.raises(VolunteeringError, match="already have a place"):
        services.sign_up_for_shift(shift=shift, volunteer=person)


@pytest.mark.parametrize("status", [ShiftStatus.DRAFT, ShiftStatus.CANCELLED])
def test_draft_and_cancelled_shifts_take_no_signups(status: str) -> None:
    shift = make_shift(starts_at=START, status=status)
    with pytest.raises(VolunteeringError):
        services.sign_up_for_shift(shift=shift, volunteer=make_volunteer())


def test_cancelling_promotes_the_first_eligible_and_skips_an_ineligible_one(
    trained_role: VolunteerRole,
) -> None:
    shift = make_shift(trained_role, starts_at=START, capacity=1)
    holder = trained_volunteer(trained_role)
    lapsed = trained_volunteer(trained_role)
    next_in_line = trained_volunteer(trained_role)
    for person in (holder, lapsed, next_in_line):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    # The second in line's training is withdrawn after they joined the waitlist.
    lapsed.training_records.all().delete()

    holder_signup = ShiftSignup.objects.get(shift=shift, volunteer=holder)
    promoted = services.cancel_signup(signup=holder_signup, by=holder)

    assert [s.volunteer_id for s in promoted] == [next_in_line.pk]
    assert statuses(shift) == [
        (holder.pk, ShiftSignupStatus.CANCELLED),
        (lapsed.pk, ShiftSignupStatus.WAITLISTED),
        (next_in_line.pk, ShiftSignupStatus.CONFIRMED),
    ]
    skipped = ShiftSignup.objects.get(shift=shift, volunteer=lapsed)
    assert skipped.skip_reason == "You have not completed Trauma-informed care."
    assert kinds(next_in_line) == ["shift.waitlist_promoted"]
    assert kinds(lapsed) == []
    roster = shift_roster(shift)
    assert [s.volunteer_id for s in roster.waitlist] == [lapsed.pk]
    assert roster.eligibility[lapsed.pk].reasons == (
        "You have not completed Trauma-informed care.",
    )


def test_a_waitlisted_person_with_an_overlapping_place_is_skipped() -> None:
    shift = make_shift(starts_at=START, capacity=1)
    holder, busy = make_volunteer(), make_volunteer()
    services.sign_up_for_shift(shift=shift, volunteer=holder)
    services.sign_up_for_shift(shift=shift, volunteer=busy)
    other = make_shift(starts_at=START + timedelta(hours=1), location=make_location("Office"))
    services.sign_up_for_shift(shift=other, volunteer=busy)
    services.cancel_signup(signup=ShiftSignup.objects.get(shift=shift, volunteer=holder), by=holder)
    skipped = ShiftSignup.objects.get(shift=shift, volunteer=busy)
    assert skipped.status == ShiftSignupStatus.WAITLISTED
    assert skipped.skip_reason.startswith("You already have a shift at that time: Outreach on")


def test_cancelling_a_waitlist_entry_promotes_nobody() -> None:
    shift = make_shift(starts_at=START, capacity=1)
    holder, waiting, last = make_volunteer(), make_volunteer(), make_volunteer()
    for person in (holder, waiting, last):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    entry = ShiftSignup.objects.get(shift=shift, volunteer=waiting)
    assert services.cancel_signup(signup=entry, by=waiting) == []
    assert entry.status == ShiftSignupStatus.CANCELLED
    assert ShiftSignup.objects.get(shift=shift, volunteer=last).status == "waitlisted"


def test_someone_else_cannot_cancel_a_signup(coordinator: User) -> None:
    shift = make_shift(starts_at=START)
    owner, stranger = make_volunteer(), make_volunteer()
    signup = services.sign_up_for_shift(shift=shift, volunteer=owner)
    with pytest.raises(VolunteeringError, match="only cancel your own"):
        services.cancel_signup(signup=signup, by=stranger)
    services.cancel_signup(signup=signup, by=coordinator, reason="Shift overstaffed")
    assert signup.status == ShiftSignupStatus.CANCELLED
    message = Message.objects.get(recipient=owner, kind="shift.signup_cancelled")
    assert message.context["reason"] == "Shift overstaffed"


def deliver(user: User, kind: str) -> mail.EmailMessage:
    """Send ``user``'s one message of ``kind`` as the worker would; the e-mail that went."""
    message = Message.objects.get(recipient=user, kind=kind)
    mail.outbox.clear()
    assert deliver_message(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_a_volunteer_taken_off_a_shift_is_told_by_email(coordinator: User) -> None:
    shift = make_shift(starts_at=START)
    owner = make_volunteer(email="owner@example.org", first_name="Rosa")
    signup = services.sign_up_for_shift(shift=shift, volunteer=owner)
    services.cancel_signup(signup=signup, by=coordinator, reason="Too many leads booked")
    email = deliver(owner, "shift.signup_cancelled")
    assert email.to == ["owner@example.org"]
    assert email.subject == "[Hope Line] You were taken off a shift: Outreach"
    assert "A coordinator took you off this shift, so you do not need to come:" in email.body
    assert "Starts: Tue 14 Jul 2099, 18:00 (United States (New York) Time)" in email.body
    assert "The coordinator's note: Too many leads booked" in email.body
    assert "Other shifts you can sign up for: http://127.0.0.1:8000/volunteer/shifts/" in email.body


def test_a_volunteer_moved_to_another_shift_is_told_where(coordinator: User) -> None:
    first = make_shift(starts_at=START)
    second = make_shift(starts_at=START + timedelta(days=1, hours=1))
    mover = make_volunteer(email="mover@example.org")
    old = services.sign_up_for_shift(shift=first, volunteer=mover)
    services.move_signup(signup=old, to_shift=second, by=coordinator)
    email = deliver(mover, "shift.signup_cancelled")
    assert email.subject == "[Hope Line] Your place on Outreach moved to another shift"
    assert "A coordinator moved your place from this shift to another one:" in email.body
    assert "Starts: Tue 14 Jul 2099, 18:00 (United States (New York) Time)" in email.body
    assert (
        "Your new shift: Outreach, Wed 15 Jul 2099, 19:00 (United States (New York) Time). Its "
        "confirmation, with a calendar file, comes in a separate message."
    ) in email.body
    assert f"Details: http://127.0.0.1:8000/volunteer/shifts/{second.pk}/" in email.body
    assert "note" not in email.body


def test_raising_capacity_promotes_and_lowering_below_places_is_refused(
    coordinator: User,
) -> None:
    shift = make_shift(starts_at=START, capacity=2)
    people = [make_volunteer() for _ in range(4)]
    for person in people:
        services.sign_up_for_shift(shift=shift, volunteer=person)
    with pytest.raises(ValidationError) as caught:
        services.update_shift(shift=shift, by=coordinator, capacity=1)
    assert caught.value.message_dict == {
        "capacity": [
            "2 people already have a place, so the shift needs at least 2 places. "
            "Cancel or move people on the roster first."
        ]
    }
    promoted = services.update_shift(shift=shift, by=coordinator, capacity=3)
    assert [s.volunteer_id for s in promoted] == [people[2].pk]
    assert shift.capacity == 3
    assert [s for _, s in statuses(shift)] == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_a_shift_must_end_after_it_starts(coordinator: User) -> None:
    role, location = make_role("Outreach"), make_location()
    with pytest.raises(ValidationError) as caught:
        services.create_shift(
            role=role,
            location=location,
            starts_at=START,
            ends_at=START - timedelta(hours=1),
            capacity=3,
            by=coordinator,
        )
    assert caught.value.message_dict == {"ends_at": ["The shift must end after it starts."]}
    with pytest.raises(ValidationError) as caught:
        services.create_shift(
            role=role,
            location=location,
            starts_at=START,
            ends_at=START + timedelta(hours=1),
            capacity=-1,
            by=coordinator,
        )
    assert caught.value.message_dict == {
        "capacity": ["A shift needs at least one place. To stop a shift, cancel it."]
    }
    shift = services.create_shift(
        role=role,
        location=location,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        capacity=3,
        by=coordinator,
    )
    with pytest.raises(ValidationError) as caught:
        services.update_shift(shift=shift, by=coordinator, ends_at=START)
    assert caught.value.message_dict == {"ends_at": ["The shift must end after it starts."]}
    assert len(shift.check_in_code) >= 40


def test_changing_the_time_tells_everyone_signed_up(coordinator: User) -> None:
    shift = make_shift(starts_at=START, capacity=1)
    holder, waiting = make_volunteer(), make_volunteer()
    services.sign_up_for_shift(shift=shift, volunteer=holder)
    services.sign_up_for_shift(shift=shift, volunteer=waiting)
    services.update_shift(
        shift=shift,
        by=coordinator,
        starts_at=START + timedelta(hours=1),
        ends_at=START + timedelta(hours=4),
    )
    changed = Message.objects.filter(kind="shift.changed").order_by("recipient_id")
    assert [m.recipient_id for m in changed] == sorted([holder.pk, waiting.pk])
    message = changed.get(recipient=holder)
    assert message.context["note"] == (
        "The time changed from Tue 14 Jul 2099, 18:00\u201321:00 "
        "(United States (New York) Time) to "
        "Tue 14 Jul 2099, 19:00\u201322:00 (United States (New York) Time)."
    )
    assert message.context["previous_starts_at"] == "2099-07-14T22:00:00+00:00"
    # Changing only the capacity tells nobody.
    services.update_shift(shift=shift, by=coordinator, capacity=1)
    assert Message.objects.filter(kind="shift.changed").count() == 2


def test_cancelling_a_shift_cancels_everyone_and_tells_them(coordinator: User) -> None:
    shift = make_shift(starts_at=START, capacity=1)
    holder, waiting = make_volunteer(), make_volunteer()
    services.sign_up_for_shift(shift=shift, volunteer=holder)
    services.sign_up_for_shift(shift=shift, volunteer=waiting)
    with pytest.raises(ValidationError):
        services.cancel_shift(shift=shift, by=coordinator, reason="  ")
    cancelled = services.cancel_shift(shift=shift, by=coordinator, reason="Storm warning")
    assert len(cancelled) == 2
    assert shift.status == ShiftStatus.CANCELLED
    assert {s for _, s in statuses(shift)} == {"cancelled"}
    messages = Message.objects.filter(kind="shift.cancelled")
    assert sorted(m.recipient_id for m in messages) == sorted([holder.pk, waiting.pk])
    assert {m.context["reason"] for m in messages} == {"Storm warning"}


def test_a_shift_cancelled_or_moved_at_short_notice_is_told_urgently(coordinator: User) -> None:
    """Within 24 hours of the start the notice goes through the outbox's urgent queue."""
    now = timezone.now()
    tonight, next_week = (make_shift(starts_at=now + delta) for delta in (SOON, WEEK))
    moved = make_shift(starts_at=now + WEEK)
    for shift in (tonight, next_week, moved):
        services.sign_up_for_shift(shift=shift, volunteer=make_volunteer())
    for shift in (tonight, next_week):
        services.cancel_shift(shift=shift, by=coordinator, reason="Storm warning")
    # Moved from next week to tomorrow morning: urgent too.
    services.update_shift(
        shift=moved, by=coordinator, starts_at=now + SOON, ends_at=now + SOON + SOON
    )
    urgent = dict(
        Message.objects.filter(kind__in=["shift.cancelled", "shift.changed"]).values_list(
            "context__shift_id", "urgent"
        )
    )
    assert urgent == {tonight.pk: True, next_week.pk: False, moved.pk: True}


SOON, WEEK = timedelta(hours=5), timedelta(days=7)


def test_a_swap_transfers_the_place_atomically() -> None:
    shift = make_shift(starts_at=START, capacity=1)
    giver, taker = make_volunteer(), make_volunteer()
    signup = services.sign_up_for_shift(shift=shift, volunteer=giver)
    offer = services.offer_swap(signup=signup, by=giver)
    with pytest.raises(VolunteeringError, match="already offered"):
        services.offer_swap(signup=signup, by=giver)
    new = services.accept_swap(offer=offer, volunteer=taker)
    assert new.status == ShiftSignupStatus.CONFIRMED
    assert statuses(shift) == [(giver.pk, "cancelled"), (taker.pk, "confirmed")]
    assert offer.status == SwapStatus.ACCEPTED
    assert offer.taken_by_id == taker.pk
    assert offer.new_signup_id == new.pk
    assert kinds(giver) == ["shift.signup_confirmed", "shift.swap_accepted"]
    assert kinds(taker) == ["shift.signup_confirmed"]
    with pytest.raises(VolunteeringError, match="already been taken"):
        services.accept_swap(offer=offer, volunteer=make_volunteer())


def test_a_swap_offer_tells_the_eligible_people_waiting(trained_role: VolunteerRole) -> None:
    shift = make_shift(trained_role, starts_at=START, capacity=1)
    giver, waiting, lapsed = (trained_volunteer(trained_role) for _ in range(3))
    for person in (giver, waiting, lapsed):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    lapsed.training_records.all().delete()
    offer = services.offer_swap(signup=ShiftSignup.objects.get(volunteer=giver), by=giver)
    offered = Message.objects.filter(kind="shift.swap_offered")
    assert [m.recipient_id for m in offered] == [waiting.pk]
    # The waiting person takes it: their waitlist entry becomes the place.
    new = services.accept_swap(offer=offer, volunteer=waiting)
    assert new.pk == ShiftSignup.objects.get(volunteer=waiting).pk
    assert statuses(shift) == [
        (giver.pk, "cancelled"),
        (waiting.pk, "confirmed"),
        (lapsed.pk, "waitlisted"),
    ]


def test_a_swap_to_an_ineligible_volunteer_is_refused(trained_role: VolunteerRole) -> None:
    shift = make_shift(trained_role, starts_at=START)
    giver = trained_volunteer(trained_role)
    offer = services.offer_swap(
        signup=services.sign_up_for_shift(shift=shift, volunteer=giver), by=giver
    )
    with pytest.raises(NotEligible) as caught:
        services.accept_swap(offer=offer, volunteer=make_volunteer())
    assert caught.value.reasons == ("You have not completed Trauma-informed care.",)
    offer.refresh_from_db()
    assert offer.status == SwapStatus.OPEN
    assert statuses(shift) == [(giver.pk, "confirmed")]


def test_a_swap_to_someone_busy_then_is_refused() -> None:
    shift = make_shift(starts_at=START)
    giver, busy = make_volunteer(), make_volunteer()
    offer = services.offer_swap(
        signup=services.sign_up_for_shift(shift=shift, volunteer=giver), by=giver
    )
    services.sign_up_for_shift(
        shift=make_shift(starts_at=START - timedelta(hours=1), location=make_location("Office")),
        volunteer=busy,
    )
    with pytest.raises(VolunteeringError, match="already have a shift at that time"):
        services.accept_swap(offer=offer, volunteer=busy)


def test_withdrawing_an_offer_and_cancelling_closes_it() -> None:
    shift = make_shift(starts_at=START)
    giver = make_volunteer()
    signup = services.sign_up_for_shift(shift=shift, volunteer=giver)
    offer = services.offer_swap(signup=signup, by=giver)
    services.withdraw_swap(offer=offer, by=giver)
    assert offer.status == SwapStatus.WITHDRAWN
    again = services.offer_swap(signup=signup, by=giver)
    services.cancel_signup(signup=signup, by=giver)
    again.refresh_from_db()
    assert again.status == SwapStatus.WITHDRAWN
    assert SwapOffer.objects.filter(status=SwapStatus.OPEN).count() == 0


def test_a_coordinator_override_is_recorded_with_who_and_why(
    coordinator: User, trained_role: VolunteerRole
) -> None:
    shift = make_shift(trained_role, starts_at=START, capacity=1)
    untrained = make_volunteer()
    with pytest.raises(NotEligible) as caught:
        services.assign_volunteer(shift=shift, volunteer=untrained, by=coordinator)
    assert caught.value.reasons == ("You have not completed Trauma-informed care.",)
    signup = services.assign_volunteer(
        shift=shift,
        volunteer=untrained,
        by=coordinator,
        override_reason="Shadowing a trained volunteer tonight",
    )
    signup.refresh_from_db()
    assert signup.status == ShiftSignupStatus.CONFIRMED
    assert signup.override_by_id == coordinator.pk
    assert signup.override_reason == "Shadowing a trained volunteer tonight"
    # A full shift also needs an override.
    with pytest.raises(NotEligible) as caught:
        services.assign_volunteer(
            shift=shift, volunteer=trained_volunteer(trained_role), by=coordinator
        )
    assert caught.value.reasons == ("The shift is full (1 of 1 place taken).",)


def test_an_eligible_assignment_needs_no_override(coordinator: User) -> None:
    shift = make_shift(starts_at=START)
    signup = services.assign_volunteer(shift=shift, volunteer=make_volunteer(), by=coordinator)
    assert signup.override_by_id is None
    assert signup.override_reason == ""


def test_moving_a_volunteer_frees_the_old_place_for_the_waitlist(coordinator: User) -> None:
    first = make_shift(starts_at=START, capacity=1)
    second = make_shift(starts_at=START + timedelta(days=1), capacity=1)
    mover, waiting = make_volunteer(), make_volunteer()
    old = services.sign_up_for_shift(shift=first, volunteer=mover)
    services.sign_up_for_shift(shift=first, volunteer=waiting)
    new = services.move_signup(signup=old, to_shift=second, by=coordinator)
    assert new.shift_id == second.pk
    assert old.status == ShiftSignupStatus.CANCELLED
    assert statuses(first) == [(mover.pk, "cancelled"), (waiting.pk, "confirmed")]
    assert statuses(second) == [(mover.pk, "confirmed")]
    assert kinds(mover) == [
        "shift.signup_confirmed",
        "shift.signup_confirmed",
        "shift.signup_cancelled",
    ]


def test_the_calendar_feed_holds_confirmed_shifts_in_their_zones() -> None:
    from volunteers.ical import volunteer_feed
    from volunteers.selectors.shifts import volunteer_for_feed

    person = make_volunteer()
    london = make_location("London office", time_zone="Europe/London")
    services.sign_up_for_shift(shift=make_shift(starts_at=START), volunteer=person)
    services.sign_up_for_shift(
        shift=make_shift(starts_at=START + timedelta(days=2), location=london), volunteer=person
    )
    feed = volunteer_feed(person.pk).decode()
    assert feed.count("BEGIN:VEVENT") == 2
    assert "DTSTART;TZID=America/New_York:20990714T180000" in feed
    assert "DTSTART;TZID=Europe/London:20990716T230000" in feed
    assert "BEGIN:VTIMEZONE" in feed
    shift_ids = sorted(Shift.objects.values_list("pk", flat=True))
    assert [f"UID:shift-{pk}@" in feed for pk in shift_ids] == [True, True]

    token = services.calendar_feed_for(volunteer=person).token
    assert len(token) >= 40
    assert volunteer_for_feed(token) == person
    services.reset_calendar_feed(volunteer=person)
    assert volunteer_for_feed(token) is None
    assert volunteer_for_feed("wrong") is None
