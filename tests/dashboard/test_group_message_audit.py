"""A message sent to a group writes the exact audit row (who sent what to whom)."""

from __future__ import annotations

import uuid

import pytest

from accounts.models import AuditEntry, User
from dashboard.selectors.audiences import Audience
from dashboard.services.group_messages import send_group_message
from tests.outbox import Published
from tests.volunteers.factories import make_volunteer

pytestmark = pytest.mark.django_db


def test_a_group_message_is_audited_once(coordinator: User, published: Published) -> None:
    people = [make_volunteer(email=f"g{n}@x.example", first_name=f"G{n}") for n in range(3)]
    audience = Audience(kind="role", label="Everyone with the role Outreach", people=people)
    token = uuid.uuid4()
    arguments = {
        "token": token,
        "sender": coordinator,
        "audience": audience,
        "parameters": {"role": 7},
        "subject": "Saturday",
        "body": "We meet at the library.",
        "by_email": True,
        "by_sms": False,
    }
    sent = send_group_message(**arguments)  # type: ignore[arg-type]
    again = send_group_message(**arguments)  # type: ignore[arg-type]  # posted twice
    assert (sent.created, again.created) == (True, False)
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "dashboard.group_message.sent",
            coordinator.pk,
            None,
            "dashboard.groupmessage",
            str(sent.group.pk),
            {
                "audience": [None, "role"],
                "by_email": [None, True],
                "by_sms": [None, False],
                "essential": [None, False],
                "recipient_count": [None, 3],
                "subject": [None, "Saturday"],
            },
            {"audience_label": "Everyone with the role Outreach", "parameters": {"role": 7}},
        )
    ]
