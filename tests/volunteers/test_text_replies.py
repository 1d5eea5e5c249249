"""Answering a shift reminder by text, through Twilio's webhook on the running app.

Every request is signed with the `twilio` SDK's own RequestValidator and posted over HTTP
to the app served on 127.0.0.1 (pytest-django's live server); nothing reaches Twilio.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import AuditEntry, User
from accounts.roles import Role
from notifications.models import Channel, InboundSms, Message, NotificationPreference, Status
from notifications.services import deliver_messages
from notifications.services.sms import LocmemSmsBackend
from tests.factories import make_user
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
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus, VolunteerRole

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

TOKEN = "twilio-test-auth-token"
ANA = "+12025550101"


@pytest.fixture(autouse=True)
def twilio(settings: Any, published: Published) -> Iterator[list[Any]]:
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.services.sms.LocmemSmsBackend"
    settings.SHIFT_REMINDER_LEAD_HOURS = [3]
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


class Phone:
    """Twilio, as far as the app can tell: signed form posts to the webhook."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + reverse("notifications:sms_inbound")
        self.count = 0

    def send(
        self, body: str, *, sid: str = "", number: str = ANA, token: str = TOKEN, url: str = ""
    ) -> requests.Response:
        self.count += 1
        params = {
            "MessageSid": sid or f"SM{self.count:032d}",
            "AccountSid": "AC123",
            "From": number,
            "To": "+15005550006",
            "Body": body,
        }
        signature = RequestValidator(token).compute_signature(url or self.url, params)
        return requests.post(
            self.url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
        )


@pytest.fixture
def phone(live_server: Any) -> Phone:
    return Phone(live_server.url)


def reply_of(response: requests.Response) -> str:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    return response.text


@pytest.fixture
def role() -> VolunteerRole:
    return make_role("Crisis text line", trainings=[make_training("Trauma-informed care")])


def volunteer(
    role: VolunteerRole, first_name: str, phone: str = "", *, trained: bool = True
) -> User:
    person = make_volunteer(first_name=first_name, phone=phone)
    if trained:
        for training in role.required_trainings.all():
            make_record(person, training, completed_on=timezone.now().date())
    NotificationPreference.objects.create(user=person, sms_enabled=bool(phone))
    return person


def shift_in(role: VolunteerRole, minutes: int, capacity: int = 1) -> Shift:
    """A shift whose 3-hour reminder is due now (less than the 2-minute grace ago)."""
    start = timezone.now() + timedelta(hours=3, seconds=-30) + timedelta(minutes=minutes)
    return make_shift(role, location=make_location(), starts_at=start, capacity=capacity)


def send_due_reminders() -> None:
    due = Message.objects.filter(
        status=Status.PENDING, kind="shift.reminder", scheduled_for__lte=timezone.now()
    )
    for pk in due.order_by("pk").values_list("pk", flat=True):
        assert deliver_messages(message_ids=[pk])[pk] == "sent"


def test_yes_confirms_exactly_the_signup_of_the_last_reminder(
    phone: Phone, role: VolunteerRole, twilio: list[Any], client: Client
) -> None:
    ana = volunteer(role, "Ana", ANA)
    first, second = shift_in(role, 0), shift_in(role, 240, capacity=2)
    one = services.sign_up_for_shift(shift=first, volunteer=ana)
    two = services.sign_up_for_shift(shift=second, volunteer=ana)
    send_due_reminders()  # the first shift's reminder
    # The second's falls due later (here: now), and is the last one sent.
    Message.objects.filter(context__signup_id=two.pk).update(scheduled_for=timezone.now())
    send_due_reminders()
    assert [sms.to for sms in twilio] == [ANA, ANA]
    assert "Reply YES to confirm, NO to cancel." in twilio[-1].body

    answer = reply_of(phone.send("Yes"))

    assert "Thank you, you are confirmed: Crisis text line on" in answer
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.confirmed_by_text_at is None
    assert two.confirmed_by_text_at is not None
    assert (one.status, two.status) == (ShiftSignupStatus.CONFIRMED, ShiftSignupStatus.CONFIRMED)
    inbound = InboundSms.objects.get()
    assert inbound.keyword == "yes"
    assert inbound.answered == Message.objects.get(channel=Channel.SMS, context__signup_id=two.pk)
    # Audited as done by Ana herself; a second YES changes nothing and records nothing.
    texted = AuditEntry.objects.get(action="volunteers.signup.confirmed_by_text")
    assert (texted.actor_id, texted.subject_id, texted.object_id, texted.changes) == (
        ana.pk,
        ana.pk,
        str(two.pk),
        {"confirmed_by_text_at": [None, str(two.confirmed_by_text_at)]},
    )
    assert texted.data == {"shift": second.pk, "message": inbound.answered_id}
    reply_of(phone.send("YES"))
    assert AuditEntry.objects.filter(action="volunteers.signup.confirmed_by_text").count() == 1
    # The roster says who confirmed by text.
    client.force_login(make_user(roles=[Role.VOLUNTEER_COORDINATOR]))
    roster = client.get(reverse("volunteers:coord_shift", args=[second.pk])).content.decode()
    assert roster.count("Confirmed by text on") == 1
    roster = client.get(reverse("volunteers:coord_shift", args=[first.pk])).content.decode()
    assert "Confirmed by text on" not in roster


def test_no_cancels_and_promotes_the_next_eligible_person_each_told_once(
    phone: Phone, role: VolunteerRole
) -> None:
    ana = volunteer(role, "Ana", ANA)
    cy = volunteer(role, "Cy", trained=False)  # first in line, but not eligible
    ben = volunteer(role, "Ben")
    shift = shift_in(role, 0)
    mine = services.sign_up_for_shift(shift=shift, volunteer=ana)
    for person in (cy, ben):
        ShiftSignup.objects.create(
            shift=shift,
            volunteer=person,
            status=ShiftSignupStatus.WAITLISTED,
            joined_at=timezone.now(),
        )
    send_due_reminders()
    mail.outbox.clear()

    answer = reply_of(phone.send("NO", sid="SM-no-1"))
    again = reply_of(phone.send("NO", sid="SM-no-1"))  # Twilio delivers it a second time

    assert "Your place is cancelled: Crisis text line on" in answer
    assert "<Message>" not in again
    mine.refresh_from_db()
    assert mine.status == ShiftSignupStatus.CANCELLED
    assert ShiftSignup.objects.get(shift=shift, volunteer=ben).status == (
        ShiftSignupStatus.CONFIRMED
    )
    assert ShiftSignup.objects.get(shift=shift, volunteer=cy).status == (
        ShiftSignupStatus.WAITLISTED
    )
    promoted = Message.objects.filter(kind="shift.waitlist_promoted")
    assert [(m.recipient_id, m.channel) for m in promoted] == [(ben.pk, Channel.EMAIL)]
    assert Message.objects.filter(recipient=ana, kind="shift.signup_cancelled").count() == 0
    assert InboundSms.objects.count() == 1
    # Answering again later: the place is gone, and nothing else moves.
    late = reply_of(phone.send("no"))
    assert "no longer booked" in late
    assert Message.objects.filter(kind="shift.waitlist_promoted").count() == 1


def test_the_same_message_delivered_twice_at_once_acts_once(
    phone: Phone, role: VolunteerRole
) -> None:
    ana = volunteer(role, "Ana", ANA)
    ben = volunteer(role, "Ben")
    shift = shift_in(role, 0)
    services.sign_up_for_shift(shift=shift, volunteer=ana)
    ShiftSignup.objects.create(
        shift=shift, volunteer=ben, status=ShiftSignupStatus.WAITLISTED, joined_at=timezone.now()
    )
    send_due_reminders()
    answers: list[str] = []
    barrier = threading.Barrier(2)

    def deliver() -> None:
        barrier.wait()
        answers.append(reply_of(phone.send("NO", sid="SM-twice")))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(answers) == 2
    assert sum("<Message>" in answer for answer in answers) == 1
    assert Message.objects.filter(kind="shift.waitlist_promoted", recipient=ben).count() == 1
    assert InboundSms.objects.count() == 1


def test_stop_turns_texts_off_and_the_next_reminder_goes_by_email_only(
    phone: Phone, role: VolunteerRole, twilio: list[Any]
) -> None:
    ana = volunteer(role, "Ana", ANA)
    queued = shift_in(role, 30)  # its reminder is queued for in 30 minutes, both channels
    services.sign_up_for_shift(shift=queued, volunteer=ana)
    assert sorted(
        Message.objects.filter(kind="shift.reminder").values_list("channel", flat=True)
    ) == [Channel.EMAIL, Channel.SMS]

    answer = reply_of(phone.send("STOP"))

    assert "you will get no more text messages from us" in answer
    assert NotificationPreference.objects.get(user=ana).sms_enabled is False
    # A reminder queued from now on has no text-message twin...
    later = shift_in(role, 240)
    services.sign_up_for_shift(shift=later, volunteer=ana)
    rows = Message.objects.filter(kind="shift.reminder", context__shift_id=later.pk)
    assert [row.channel for row in rows] == [Channel.EMAIL]
    # ...and the one queued before goes by e-mail only when it falls due.
    twilio.clear()
    mail.outbox.clear()
    Message.objects.filter(kind="shift.reminder").update(scheduled_for=timezone.now())
    ids = list(Message.objects.filter(kind="shift.reminder").values_list("pk", flat=True))
    deliver_messages(message_ids=ids)
    assert twilio == []
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {ana.email}
    sms_row = Message.objects.get(kind="shift.reminder", channel=Channel.SMS)
    assert sms_row.status == Status.CANCELLED
    # START turns them back on.
    assert "text messages are on again" in reply_of(phone.send("start"))
    assert NotificationPreference.objects.get(user=ana).sms_enabled is True


@pytest.mark.parametrize(
    "forgery",
    ["wrong token", "no signature", "signed for another address", "body changed"],
)
def test_a_bad_signature_gets_403_and_changes_nothing(
    phone: Phone, role: VolunteerRole, forgery: str
) -> None:
    ana = volunteer(role, "Ana", ANA)
    shift = shift_in(role, 0)
    mine = services.sign_up_for_shift(shift=shift, volunteer=ana)
    send_due_reminders()
    params = {"MessageSid": "SM-forged", "From": ANA, "To": "+15005550006", "Body": "NO"}
    signature = RequestValidator(TOKEN).compute_signature(phone.url, params)
    headers = {"X-Twilio-Signature": signature}
    if forgery == "wrong token":
        headers = {
            "X-Twilio-Signature": RequestValidator("guess").compute_signature(phone.url, params)
        }
    elif forgery == "no signature":
        headers = {}
    elif forgery == "signed for another address":
        headers = {
            "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(
                "https://evil.example/notifications/sms/inbound/", params
            )
        }
    else:
        params = {**params, "Body": "STOP"}
    response = requests.post(phone.url, data=params, headers=headers, timeout=10)
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == ShiftSignupStatus.CONFIRMED
    assert InboundSms.objects.count() == 0
    assert NotificationPreference.objects.get(user=ana).sms_enabled is True


def test_help_unknown_words_and_unknown_numbers_get_a_polite_answer(
    phone: Phone, role: VolunteerRole
) -> None:
    volunteer(role, "Ana", ANA)
    assert "Reply YES to confirm a shift, NO to cancel it" in reply_of(phone.send("help"))
    assert "we did not understand" in reply_of(phone.send("maybe later"))
    assert "no reminder waiting for your answer" in reply_of(phone.send("YES"))
    stranger = reply_of(phone.send("YES", number="+12025550999"))
    assert "not linked to a volunteer account" in stranger
