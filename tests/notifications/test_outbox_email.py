"""The outbox's e-mail (notifications.services.transport.OutboxEmail) is Django's, header
for header and part for part: only its Subject header is worked out once per subject."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives

from notifications.services.transport import OutboxEmail

SUBJECTS = [
    "Reminder: Crisis line, Tue 15 Jul 2031, 18:00",
    "Reminder: A rather long shift title that goes on and on, Tue 15 Jul 2031, 18:00 "
    "(United States (New York) Time)",
    "Nhắc nhở: Đường dây khủng hoảng, Th 3 15 thg 7 2031, 18:00 (Giờ Việt Nam)",
    "แจ้งเตือน: สายด่วน อ. 15 ก.ค. 2574 18:00 (เวลาอินโดจีน) " * 2,
    "",
]


def build(cls: type[EmailMultiAlternatives], subject: str) -> EmailMultiAlternatives:
    email = cls(
        subject=subject,
        body="Hello,\n\nA reminder.\n",
        to=["volunteer@example.org"],
        headers={"Message-ID": "<outbox.1.0.abc@example.org>", "Date": "fixed"},
    )
    email.attach_alternative("<p>Hello,</p>", "text/html")
    return email


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_same_message_as_djangos(subject: str) -> None:
    for _time in range(2):  # worked out, then remembered
        ours, django = (
            build(OutboxEmail, subject).message(),
            build(EmailMultiAlternatives, subject).message(),
        )
        assert ours.items() == django.items()
        assert [str(part) for part in ours.get_payload()] == [
            str(part) for part in django.get_payload()
        ]
        for message in (ours, django):
            message.set_boundary("===boundary==")
        assert ours.as_bytes() == django.as_bytes()
