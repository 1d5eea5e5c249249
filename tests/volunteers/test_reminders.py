"""Shift reminders: queued when a place is confirmed, sent in their minute, right or not at all."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from notifications.models import Message, Status
from notifications.services.sending import deliver_message, sweep_outbox
from tests.outbox import Published
from tests.volunteers.factories import (
    make_location,
    make_record,
    make_role,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import ShiftSignupStatus
from volunteers.services import reminders

# A Tuesday in New York (EST, UTC-5): the shift starts 18:00 local = 23:00 UTC.
START = datetime(2026, 12, 8, 23, 0, tzinfo=UTC)
SIGNED_UP = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def reminder_rows(signup_id: int | None = None) -> list[Message]:
    rows = Message.objects.filter(kind="shift.reminder").order_by("scheduled_for", "pk")
    if signup_id is not None:
        rows = rows.filter(dedupe_key__startswith=f"shift.reminder:{signup_id}:")
    return list(rows)


def sweep_and_send(published: Published, at: datetime) -> list[int]:
    """Run the sweep at ``at`` and deliver what it enqueued; the ids sent."""
    published.clear()
    with time_machine.travel(at, tick=False):
        sweep_outbox(now=at)
        for message_id, reservation in list(published):
            deliver_message(message_id=message_id, reservation=reservation)
    return published.ids()


@pytest.fixture
def shift():
    location = make_location("Office", time_zone="America/New_York")
    return make_shift(make_role("Outreach"), location=location, starts_at=START, hours=3)


@pytest.fixture
def ana():
    return make_volunteer(email="ana@example.org", first_name="Ana")


def sign_up(shift, volunteer, at=SIGNED_UP):
    """Sign up at ``at``; the confirmation (with its .ics) is sent and set aside."""
    with time_machine.travel(at, tick=False):
        signup = services.sign_up_for_shift(shift=shift, volunteer=volunteer)
    confirmation = Message.objects.get(dedupe_key=f"shift.signup_confirmed:{signup.pk}")
    with time_machine.travel(at, tick=False):
        assert deliver_message(message_id=confirmation.pk) == "sent"
    assert mail.outbox[-1].attachments[0][0] == f"shift-{shift.pk}.ics"
    mail.outbox.clear()
    return signup


def test_a_confirmed_place_gets_a_48_and_a_3_hour_reminder(shift, ana):
    signup = sign_up(shift, ana)
    rows = reminder_rows(signup.pk)
    assert [(r.dedupe_key, r.scheduled_for, r.status) for r in rows] == [
        (f"shift.reminder:{signup.pk}:48h:20261208T2300Z", START - timedelta(hours=48), "pending"),
        (f"shift.reminder:{signup.pk}:3h:20261208T2300Z", START - timedelta(hours=3), "pending"),
    ]
    # The safety net finds nothing missing.
    with time_machine.travel(START - timedelta(hours=49), tick=False):
        assert reminders.schedule_due_reminders() == 0
    assert len(reminder_rows()) == 2


def test_each_reminder_goes_in_its_minute_in_the_shift_zone(shift, ana, published):
    sign_up(shift, ana)
    due = START - timedelta(hours=48)
    assert sweep_and_send(published, due - timedelta(minutes=1)) == []
    assert mail.outbox == []
    sent = sweep_and_send(published, due)
    assert len(sent) == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ana@example.org"]
    assert "Outreach" in email.subject
    # 23:00 UTC is 18:00 in New York (EST), and the zone is named.
    assert "Starts: Tue 8 Dec 2026, 18:00 (United States (New York) Time)" in email.body
    assert "/volunteer/shifts/" in email.body
    # The same sweep again, and the next minute: nothing more.
    assert sweep_and_send(published, due + timedelta(minutes=1)) == []
    three = START - timedelta(hours=3)
    assert sweep_and_send(published, three - timedelta(minutes=1)) == []
    assert len(sweep_and_send(published, three)) == 1
    assert len(mail.outbox) == 2
    assert [r.status for r in reminder_rows()] == [Status.SENT, Status.SENT]


def test_a_cancelled_place_gets_no_reminder(shift, ana, published):
    signup = sign_up(shift, ana)
    with time_machine.travel(SIGNED_UP + timedelta(hours=1), tick=False):
        services.cancel_signup(signup=signup, by=ana)
    assert {r.status for r in reminder_rows(signup.pk)} == {Status.CANCELLED}
    assert sweep_and_send(published, START - timedelta(hours=3)) == []
    assert mail.outbox == []


def test_a_place_cancelled_behind_the_outbox_back_is_still_not_reminded(shift, ana, published):
    """Even when no hook cancelled the row (e.g. an admin edit), the check at send time does."""
    signup = sign_up(shift, ana)
    type(signup).objects.filter(pk=signup.pk).update(status=ShiftSignupStatus.CANCELLED)
    sweep_and_send(published, START - timedelta(hours=48))
    assert mail.outbox == []
    row = reminder_rows(signup.pk)[0]
    assert (row.status, row.last_error) == (
        Status.CANCELLED,
        "The volunteer no longer has this place.",
    )


def test_a_moved_shift_gets_new_reminders_and_its_old_pending_one_is_cancelled(
    shift, ana, coordinator, published
):
    signup = sign_up(shift, ana)
    sweep_and_send(published, START - timedelta(hours=48))  # the 48-hour one went
    assert len(mail.outbox) == 1
    new_start = START + timedelta(days=1)
    with time_machine.travel(START - timedelta(hours=30), tick=False):
        services.update_shift(
            shift=shift, by=coordinator, starts_at=new_start, ends_at=new_start + timedelta(hours=3)
        )
    rows = {r.dedupe_key: r.status for r in reminder_rows(signup.pk)}
    assert rows == {
        f"shift.reminder:{signup.pk}:48h:20261208T2300Z": Status.SENT,
        f"shift.reminder:{signup.pk}:3h:20261208T2300Z": Status.CANCELLED,
        f"shift.reminder:{signup.pk}:48h:20261209T2300Z": Status.PENDING,
        f"shift.reminder:{signup.pk}:3h:20261209T2300Z": Status.PENDING,
    }
    # The "shift changed" notice goes at once; it is not a reminder.
    mail.outbox.clear()
    assert len(sweep_and_send(published, START - timedelta(hours=30))) == 1
    assert mail.outbox[0].subject.count("Reminder") == 0
    # The new 48-hour reminder goes at its minute (the old start's 24-hour mark) ...
    assert sweep_and_send(published, new_start - timedelta(hours=48, minutes=1)) == []
    assert len(sweep_and_send(published, new_start - timedelta(hours=48))) == 1
    # ... nothing at the old 3-hour mark, and the new 3-hour one at its own.
    assert sweep_and_send(published, START - timedelta(hours=3)) == []
    assert len(sweep_and_send(published, new_start - timedelta(hours=3))) == 1
    assert len(mail.outbox) == 3


def test_a_reminder_says_when_the_volunteer_may_no_longer_do_the_shift(ana, published):
    training = make_training("Hotline protocol", validity_months=12)
    role = make_role("Crisis line", trainings=[training])
    record = make_record(ana, training, completed_on=date(2026, 1, 5))
    location = make_location("Office", time_zone="America/New_York")
    shift = make_shift(role, location=location, starts_at=START)
    sign_up(shift, ana)
    # The training record is withdrawn after signing up (e.g. found to be invalid).
    record.expires_on = date(2026, 12, 1)
    record.save()
    sweep_and_send(published, START - timedelta(hours=48))
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "as things stand you cannot do this shift" in body
    assert "Hotline protocol" in body


def test_signing_up_within_three_hours_still_gets_the_three_hour_one_at_once(shift, ana, published):
    signup = sign_up(shift, ana, at=START - timedelta(hours=2))
    rows = reminder_rows(signup.pk)
    # Both lead times have passed: the confirmation is enough.
    assert rows == []
    signup2 = None
    other = make_volunteer(email="ben@example.org")
    signup2 = sign_up(shift, other, at=START - timedelta(hours=3, seconds=-30))
    rows = reminder_rows(signup2.pk)
    assert [r.dedupe_key.split(":")[2] for r in rows] == ["3h"]


def test_signups_keep_working_while_the_broker_is_down_and_nothing_is_lost(
    client, shift, ana, published
):
    """Acceptance: the broker is down while people sign up and reminders fall due; the
    site keeps working, and once the broker is back the next sweep sends each message once."""
    published.broken = True
    client.force_login(ana)
    with time_machine.travel(SIGNED_UP, tick=False):
        response = client.post(f"/volunteer/shifts/{shift.pk}/sign-up/")
    assert response.status_code == 302
    signup = shift.signups.get(volunteer=ana)
    assert signup.status == ShiftSignupStatus.CONFIRMED
    # The confirmation could not be handed to a worker; it waits in the database.
    assert published.ids() == []
    # The 48-hour reminder falls due while the broker is still down: the sweep gives up.
    due = START - timedelta(hours=48)
    with time_machine.travel(due, tick=False):
        result = sweep_outbox(now=due)
    assert result.enqueued == 0
    assert Message.objects.filter(status=Status.PENDING).count() == 3
    # The broker is back: one sweep sends the confirmation and the due reminder, once each.
    published.broken = False
    sent = sweep_and_send(published, due + timedelta(minutes=1))
    assert len(sent) == 2
    assert sorted(m.subject.split("] ", 1)[1].split(":")[0] for m in mail.outbox) == [
        "Reminder",
        "You are signed up",
    ]
    assert sweep_and_send(published, due + timedelta(minutes=2)) == []
    assert len(mail.outbox) == 2


def test_a_shift_moved_away_and_back_keeps_its_reminders(shift, ana, coordinator, published):
    signup = sign_up(shift, ana)
    later = START + timedelta(hours=2)
    with time_machine.travel(SIGNED_UP + timedelta(hours=1), tick=False):
        services.update_shift(
            shift=shift, by=coordinator, starts_at=later, ends_at=later + timedelta(hours=3)
        )
        # Back to the first time, given in the location's own zone (18:00 in New York).
        back = START.astimezone(zoneinfo.ZoneInfo("America/New_York"))
        services.update_shift(
            shift=shift, by=coordinator, starts_at=back, ends_at=back + timedelta(hours=3)
        )
    pending = sorted(r.dedupe_key for r in reminder_rows(signup.pk) if r.status == Status.PENDING)
    assert pending == [
        f"shift.reminder:{signup.pk}:3h:20261208T2300Z",
        f"shift.reminder:{signup.pk}:48h:20261208T2300Z",
    ]
    mail.outbox.clear()
    sweep_and_send(published, SIGNED_UP + timedelta(hours=1))  # the two "changed" notices
    mail.outbox.clear()
    assert len(sweep_and_send(published, START - timedelta(hours=48))) == 1
    assert "Reminder" in mail.outbox[0].subject


def test_the_batch_refresher_answers_as_the_one_message_refresher_does(shift, ana):
    """A worker's batch is checked in one go: same cancellations, same eligibility note."""
    training = make_training("Hotline protocol", validity_months=12)
    crisis = make_role("Crisis line", trainings=[training])
    location = make_location("Office", time_zone="America/New_York")
    crisis_shift = make_shift(crisis, location=location, starts_at=START)
    moved_shift = make_shift(shift.role, location=location, starts_at=START)
    cancelled_shift = make_shift(shift.role, location=location, starts_at=START)
    ben, cara, dan, eve = (
        make_volunteer(email=f"{name}@example.org", first_name=name.title())
        for name in ("ben", "cara", "dan", "eve")
    )
    lapsing = make_record(dan, training, completed_on=date(2026, 1, 5))
    make_record(eve, training, completed_on=date(2026, 6, 1))
    fine = sign_up(shift, ana)
    cancelled = sign_up(shift, ben)
    moved = sign_up(moved_shift, cara)
    ineligible = sign_up(crisis_shift, dan)
    eligible = sign_up(crisis_shift, eve)
    withdrawn = sign_up(cancelled_shift, make_volunteer(email="fay@example.org"))
    # Behind the outbox's back (no hook cancels the rows): the checks at send time must.
    type(cancelled).objects.filter(pk=cancelled.pk).update(status=ShiftSignupStatus.CANCELLED)
    type(moved_shift).objects.filter(pk=moved_shift.pk).update(
        starts_at=START + timedelta(hours=1), ends_at=START + timedelta(hours=4)
    )
    type(cancelled_shift).objects.filter(pk=cancelled_shift.pk).update(status="cancelled")
    lapsing.expires_on = date(2026, 12, 1)
    lapsing.save()
    signups = [fine, cancelled, moved, ineligible, eligible, withdrawn]
    messages = [reminder_rows(signup.pk)[0] for signup in signups]
    with time_machine.travel(START - timedelta(hours=48), tick=False):
        batch = reminders.refresh_shift_reminders(messages)
        one_by_one = {m.pk: reminders.refresh_shift_reminder(m) for m in messages}
    assert batch == one_by_one
    answers = [batch[m.pk] for m in messages]
    assert answers[1] == "The volunteer no longer has this place."
    assert answers[2] == "The shift moved; a reminder for its new time replaces this one."
    assert answers[5] == "The shift was cancelled."
    assert isinstance(answers[0], dict) and answers[0]["blocked_reasons"] == []
    assert isinstance(answers[4], dict) and answers[4]["blocked_reasons"] == []
    assert isinstance(answers[3], dict)
    assert answers[3]["blocked_reasons"] == [
        "Hotline protocol expired on 1 Dec 2026, before this shift on 8 Dec 2026."
    ]
    assert answers[3]["shift_title"] == "Crisis line"


def test_a_batch_of_reminders_costs_the_same_queries_whatever_its_size(ana):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    training = make_training("Hotline protocol", validity_months=12)
    role = make_role("Crisis line", trainings=[training])
    location = make_location("Office", time_zone="America/New_York")

    def refresh_queries(count: int) -> int:
        shift = make_shift(role, location=location, starts_at=START, capacity=count)
        messages = []
        for index in range(count):
            volunteer = make_volunteer(email=f"v{count}-{index}@example.org")
            make_record(volunteer, training, completed_on=date(2026, 6, 1))
            messages.append(reminder_rows(sign_up(shift, volunteer).pk)[0])
        with (
            time_machine.travel(START - timedelta(hours=48), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            answers = reminders.refresh_shift_reminders(messages)
        assert all(isinstance(answer, dict) for answer in answers.values())
        return len(queries)

    assert refresh_queries(2) == refresh_queries(12)


def test_a_whole_batch_of_reminders_is_sent_through_the_batch_refresher(shift, ana, published):
    ben = make_volunteer(email="ben@example.org", first_name="Ben")
    kept = sign_up(shift, ana)
    gone = sign_up(shift, ben)
    type(gone).objects.filter(pk=gone.pk).update(status=ShiftSignupStatus.CANCELLED)
    sweep_and_send(published, START - timedelta(hours=48))
    assert [email.to for email in mail.outbox] == [["ana@example.org"]]
    first = reminder_rows(kept.pk)[0]
    assert (first.status, first.last_error) == (Status.SENT, "")
    assert reminder_rows(gone.pk)[0].status == Status.CANCELLED
    assert len(published.tasks) == 1  # both reminders in one task


def test_a_batch_of_reminders_puts_each_shift_in_words_once_per_language(monkeypatch):
    """The shift's part of a reminder (its title, times, place, links: two reverse() calls
    before) is made once per shift and language in a batch, not once per reminder."""
    training = make_training("Hotline protocol", validity_months=12)
    role = make_role("Crisis line", trainings=[training])
    location = make_location("Office", time_zone="America/New_York")
    made: list[tuple[int, str]] = []
    from volunteers.services.notify import shift_context as original

    def counted(shift, language):
        made.append((shift.pk, language))
        return original(shift, language)

    monkeypatch.setattr("volunteers.services.reminders.shift_context", counted)

    def contexts_made(per_shift: int) -> list[tuple[int, str]]:
        messages = []
        shifts = [
            make_shift(role, location=location, starts_at=START + timedelta(days=day), capacity=50)
            for day in (0, 1)
        ]
        for shift in shifts:
            for index in range(per_shift):
                volunteer = make_volunteer(
                    email=f"v{per_shift}-{shift.pk}-{index}@example.org",
                    preferred_language="es" if index % 2 else "en",
                )
                make_record(volunteer, training, completed_on=date(2026, 6, 1))
                messages.append(reminder_rows(sign_up(shift, volunteer).pk)[0])
        made.clear()  # signing up queued the reminders (with the shift's words)
        with time_machine.travel(START - timedelta(hours=48), tick=False):
            answers = reminders.refresh_shift_reminders(messages)
        assert len(answers) == 2 * per_shift
        for message in messages:  # each reminder still has its own shift's words
            answer = answers[message.pk]
            assert isinstance(answer, dict)
            assert answer["shift_id"] == message.context["shift_id"]
            assert answer["starts_at"] == message.context["starts_at"]
        return sorted(made)

    few, many = contexts_made(2), contexts_made(12)
    assert len(few) == len(many) == 4  # 2 shifts x 2 languages
    assert len(set(many)) == 4
