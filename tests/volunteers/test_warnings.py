"""Training-session reminders and expiry warnings: once each, naming the shifts at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from notifications.models import Message
from notifications.services import deliver_message
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_location,
    make_record,
    make_role,
    make_session,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import SessionSignup, ShiftSignup, ShiftSignupStatus
from volunteers.services.expiry_warnings import schedule_expiry_warnings, schedule_session_reminders

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # 09:00 in New York
TODAY = date(2026, 11, 2)


def messages(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind).order_by("pk"))


@time_machine.travel(NOW, tick=False)
def test_training_expiry_warns_at_30_then_7_days_naming_the_blocked_shifts():
    ana = make_volunteer(email="ana@example.org")
    training = make_training("Hotline protocol", validity_months=12)
    record = make_record(
        ana, training, completed_on=date(2025, 12, 1), expires_on=date(2026, 12, 1)
    )
    role = make_role("Crisis line", trainings=[training])
    office = make_location("Office", time_zone="America/New_York")
    before = make_shift(role, location=office, starts_at=datetime(2026, 11, 20, 23, tzinfo=UTC))
    after = make_shift(role, location=office, starts_at=datetime(2026, 12, 3, 23, tzinfo=UTC))
    unrelated = make_shift(
        make_role("Outreach"), location=office, starts_at=after.starts_at + timedelta(days=2)
    )
    for shift in (before, after, unrelated):
        # Placed before the rule applied (signing up now would be refused for "after").
        ShiftSignup.objects.create(
            shift=shift, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=NOW
        )

    assert schedule_expiry_warnings(today=date(2026, 10, 31)) == (0, 0)  # 31 days: not yet
    assert schedule_expiry_warnings(today=date(2026, 11, 1)) == (1, 0)  # 30 days before
    assert schedule_expiry_warnings(today=date(2026, 11, 1)) == (0, 0)  # run again: nothing
    [warning] = messages("training.expiry_warning")
    assert warning.recipient == ana
    assert warning.dedupe_key == f"training.expiry_warning:{record.pk}:30d:2026-12-01"
    assert warning.context["training_name"] == "Hotline protocol"
    assert warning.context["expires_on"] == "2026-12-01"
    # Only the shift on or after the expiry would be blocked; the other role needs nothing.
    assert warning.context["blocked_shifts"] == [
        {
            "title": "Crisis line",
            "starts_at": after.starts_at.isoformat(),
            "zone": "America/New_York",
        }
    ]
    assert schedule_expiry_warnings(today=date(2026, 11, 24)) == (1, 0)  # 7 days before
    assert len(messages("training.expiry_warning")) == 2


@time_machine.travel(NOW, tick=False)
def test_a_renewed_training_is_not_warned_and_a_late_record_gets_one_warning():
    ana = make_volunteer(email="ana@example.org")
    ben = make_volunteer(email="ben@example.org")
    training = make_training("Hotline protocol", validity_months=12)
    make_record(ana, training, completed_on=date(2025, 12, 1), expires_on=date(2026, 12, 1))
    make_record(ana, training, completed_on=date(2026, 10, 1), expires_on=date(2027, 10, 1))
    make_record(ben, training, completed_on=date(2025, 11, 7), expires_on=date(2026, 11, 7))
    assert schedule_expiry_warnings(today=TODAY) == (1, 0)
    [warning] = messages("training.expiry_warning")
    assert warning.recipient == ben
    assert warning.dedupe_key.endswith(":7d:2026-11-07")  # 5 days left: one warning, not two


@time_machine.travel(NOW, tick=False)
def test_clearance_expiry_warning():
    ana = make_volunteer(email="ana@example.org")
    check = make_clearance_type("Background check", validity_months=36)
    clearance = make_clearance(
        ana, check, issued_on=date(2023, 11, 30), expires_on=date(2026, 11, 30)
    )
    assert schedule_expiry_warnings(today=TODAY) == (0, 1)
    [warning] = messages("clearance.expiry_warning")
    assert warning.dedupe_key == f"clearance.expiry_warning:{clearance.pk}:30d:2026-11-30"
    assert warning.context["clearance_name"] == "Background check"
    assert warning.context["blocked_shifts"] == []


@time_machine.travel(NOW, tick=False)
def test_session_reminder_goes_to_confirmed_attendees_once():
    ana = make_volunteer(email="ana@example.org")
    ben = make_volunteer(email="ben@example.org")
    training = make_training("Trauma-informed care")
    session = make_session(training, starts_at=NOW + timedelta(hours=20), capacity=1)
    services.sign_up_for_session(session=session, volunteer=ana)
    services.sign_up_for_session(session=session, volunteer=ben)  # waitlisted
    far = make_session(training, starts_at=NOW + timedelta(days=5))
    services.sign_up_for_session(session=far, volunteer=ben)
    assert schedule_session_reminders(now=NOW) == 1
    assert schedule_session_reminders(now=NOW) == 0
    [reminder] = messages("training.session_reminder")
    assert reminder.recipient == ana
    assert reminder.scheduled_for == NOW  # 24 h before was already past: now
    assert reminder.context["training_name"] == "Trauma-informed care"
    assert reminder.context["zone"] == "America/New_York"
    # Ana cancels before it goes: it is dropped at sending.
    services.cancel_session_signup(signup=SessionSignup.objects.get(volunteer=ana), by=ana)
    assert deliver_message(message_id=reminder.pk) == "cancelled"


@time_machine.travel(NOW, tick=False)
def test_the_session_batch_refresher_answers_as_the_one_message_refresher_does():
    from volunteers.models import TrainingSession
    from volunteers.services.expiry_warnings import (
        refresh_session_reminder,
        refresh_session_reminders,
    )

    training = make_training("Trauma-informed care")
    people = [make_volunteer(email=f"p{i}@example.org") for i in range(4)]
    sessions = [make_session(training, starts_at=NOW + timedelta(hours=20)) for _ in people]
    for session, person in zip(sessions, people, strict=True):
        services.sign_up_for_session(session=session, volunteer=person)
    assert schedule_session_reminders(now=NOW) == 4
    rows = messages("training.session_reminder")
    by_person = {row.recipient_id: row for row in rows}
    # One stands; one's sign-up was cancelled, one's session cancelled, one's moved.
    SessionSignup.objects.filter(volunteer=people[1]).update(status="cancelled")
    TrainingSession.objects.filter(pk=sessions[2].pk).update(cancelled=True)
    TrainingSession.objects.filter(pk=sessions[3].pk).update(
        starts_at=NOW + timedelta(hours=21), ends_at=NOW + timedelta(hours=23)
    )
    batch = refresh_session_reminders(rows)
    assert batch == {row.pk: refresh_session_reminder(row) for row in rows}
    assert [batch[by_person[person.pk].pk] for person in people[1:]] == [
        "The volunteer is no longer signed up for this session.",
        "The session was cancelled.",
        "The session moved.",
    ]
    assert batch[by_person[people[0].pk].pk] == by_person[people[0].pk].context
