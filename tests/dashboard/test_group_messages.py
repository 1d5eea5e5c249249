"""Messages to a group: audiences, preview, preferences, delivery, bad input, and a send
posted twice at once (real threads on PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User
from dashboard.models import GroupMessage
from notifications.models import Message, NotificationPreference, Status
from notifications.services import deliver_messages
from notifications.services.sms import sms_segments
from tests.outbox import Published
from tests.volunteers.factories import make_role, make_shift, make_volunteer
from volunteers.models import ShiftSignup, ShiftSignupStatus, VolunteerProfile

URL = "/coordinator/messages/new/"


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """Nothing reaches a real broker."""


def form(audience: str = "role", **fields: Any) -> dict[str, Any]:
    data = {
        "token": str(uuid.uuid4()),
        "audience": audience,
        "subject": "Saturday's outreach",
        "body": "We meet at the library now.",
        "by_email": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def volunteers_for(role, count: int, prefix: str = "v") -> list[User]:
    people = [
        make_volunteer(
            email=f"{prefix}{n}@x.example", first_name=f"{prefix.upper()}{n:03d}", last_name="Test"
        )
        for n in range(count)
    ]
    for person in people:
        VolunteerProfile.objects.get(user=person).wanted_roles.add(role)
    return people


@pytest.mark.django_db
def test_preview_shows_the_first_real_recipient_and_the_reach(client: Client, coordinator):
    role = make_role("Outreach")
    ana = make_volunteer(email="ana@x.example", first_name="Ana", last_name="Souza")
    ana.phone = "+14155550100"
    ana.save()
    VolunteerProfile.objects.get(user=ana).wanted_roles.add(role)
    NotificationPreference.objects.create(user=ana, sms_enabled=True)
    ben = volunteers_for(role, 1, prefix="zed")[0]
    NotificationPreference.objects.create(user=ben, non_essential_opt_out=True)
    client.force_login(coordinator)
    response = client.post(URL, form(role=role.pk, by_sms="on", preview="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "As Ana Souza (ana@x.example) will read it:" in page
    assert "Hello Ana," in response.context["preview"].text
    assert "We meet at the library now." in response.context["preview"].text
    assert response.context["preview_sms"] == "Hope Line: We meet at the library now."
    reach = response.context["reach"]
    assert (reach.people, reach.email, reach.sms, reach.nobody) == (2, 1, 1, 1)
    assert Message.objects.count() == 0 and GroupMessage.objects.count() == 0


@pytest.mark.django_db
def test_send_respects_opt_outs_and_shows_delivery_per_recipient(
    client: Client, coordinator, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    role = make_role("Outreach")
    ana, ben, cy = volunteers_for(role, 3)
    NotificationPreference.objects.create(user=ben, non_essential_opt_out=True)
    client.force_login(coordinator)
    response = client.post(URL, form(role=role.pk, send="1"))
    group = GroupMessage.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/coordinator/messages/{group.pk}/"
    )
    rows = {m.recipient_id: m for m in Message.objects.filter(kind="coordinator.group_message")}
    assert {pk: rows[pk].status for pk in rows} == {
        ana.pk: Status.PENDING,
        ben.pk: Status.CANCELLED,
        cy.pk: Status.PENDING,
    }
    assert (group.sender, group.recipient_count, group.audience_label) == (
        coordinator,
        3,
        "Volunteers for Outreach",
    )
    outcomes = deliver_messages(message_ids=sorted(m.pk for m in rows.values()))
    assert outcomes == {
        rows[ana.pk].pk: "sent",
        rows[ben.pk].pk: "skipped",
        rows[cy.pk].pk: "sent",
    }
    assert sorted(m.to[0] for m in mail.outbox) == [ana.email, cy.email]
    assert mail.outbox[0].subject == "[Hope Line] Saturday's outreach"
    page = client.get(response["Location"])
    statuses = [(str(r.recipient), r.status) for r in page.context["rows"]]
    assert statuses == [
        ("V000 Test", Status.SENT),
        ("V001 Test", Status.CANCELLED),
        ("V002 Test", Status.SENT),
    ]
    assert page.context["counts"] == [("Sent", 2), ("Cancelled", 1)]


@pytest.mark.django_db
def test_an_essential_message_to_a_shift_reaches_those_who_opted_out(client: Client, coordinator):
    shift = make_shift()
    people = [make_volunteer(email=f"s{n}@x.example") for n in range(2)]
    for person in people:
        ShiftSignup.objects.create(
            shift=shift,
            volunteer=person,
            status=ShiftSignupStatus.CONFIRMED,
            joined_at=shift.created_at,
        )
    NotificationPreference.objects.create(user=people[0], non_essential_opt_out=True)
    client.force_login(coordinator)
    client.post(URL, form("shift_team", shift=shift.pk, essential="on", send="1"))
    assert sorted(Message.objects.values_list("status", flat=True)) == [Status.PENDING] * 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"role": None}, "role", "Choose one for this audience."),
        ({"by_email": None}, "by_email", "Choose e-mail, text message or both."),
        ({"subject": "x" * 121}, "subject", "at most 120 characters (it has 121)"),
        (
            {"by_sms": "on", "body": "word " * 320},
            "body",
            "As a text message this is 11 parts; at most 10 are sent.",
        ),
        ({"essential": "on"}, "essential", "Only a message to a shift's team or waitlist"),
    ],
)
def test_bad_input_is_a_form_error_and_queues_nothing(
    client: Client, coordinator, fields, field, error
):
    role = make_role("Outreach")
    volunteers_for(role, 2)
    client.force_login(coordinator)
    response = client.post(URL, form(**{"role": role.pk, "send": "1", **fields}))
    assert response.status_code == 400
    assert any(error in e for e in response.context["form"].errors[field]), response.context[
        "form"
    ].errors
    assert Message.objects.count() == 0 and GroupMessage.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_audience_is_a_form_error(client: Client, coordinator):
    role = make_role("Nobody wants this")
    client.force_login(coordinator)
    response = client.post(URL, form(role=role.pk, send="1"))
    assert response.status_code == 400
    assert response.context["form"].errors["audience"] == [
        "Nobody is in this group: there is no one to send to."
    ]
    assert Message.objects.count() == 0 and GroupMessage.objects.count() == 0


def test_sms_segments() -> None:
    assert sms_segments("") == 0
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("a" * 153 * 10) == 10
    assert sms_segments("€" * 80) == 1  # two units each in GSM
    assert sms_segments("€" * 81) == 2
    assert sms_segments("ก" * 70) == 1
    assert sms_segments("ก" * 71) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_send_to_300_posted_twice_at_once_queues_300_messages_once(coordinator) -> None:
    role = make_role("Outreach")
    users = User.objects.bulk_create(
        User(email=f"p{n}@x.example", first_name=f"P{n:03d}", is_active=True) for n in range(300)
    )
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="volunteer")[0].user_set.add(*users)
    profiles = VolunteerProfile.objects.bulk_create(
        VolunteerProfile(user=user, status="active") for user in users
    )
    VolunteerProfile.wanted_roles.through.objects.bulk_create(
        VolunteerProfile.wanted_roles.through(volunteerprofile_id=p.pk, volunteerrole_id=role.pk)
        for p in profiles
    )
    data = form(role=role.pk, send="1")
    barrier = threading.Barrier(2)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            client = Client()
            client.force_login(coordinator)
            barrier.wait(timeout=30)
            answers.append(client.post(URL, data))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert [a.status_code for a in answers] == [302, 302]
    assert GroupMessage.objects.count() == 1
    assert Message.objects.filter(kind="coordinator.group_message").count() == 300
    assert Message.objects.values("recipient").distinct().count() == 300
