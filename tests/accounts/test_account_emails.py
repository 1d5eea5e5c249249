"""Account e-mails (address confirmation, "already registered", password reset) go through the
outbox like every message: essential, urgent, and sent by a worker, so a mail server that is
down delays them instead of failing the request, and each arrives once."""

from __future__ import annotations

import re
import smtplib
from collections.abc import Sequence
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from accounts.services import EmailAlreadyRegistered, register_volunteer
from notifications.models import Message, NotificationPreference, Status
from tests.factories import make_user
from tests.utils import send_outbox

pytestmark = pytest.mark.django_db

DOWN = "tests.accounts.test_account_emails.SMTPDown"
UP = "django.core.mail.backends.locmem.EmailBackend"


class SMTPDown(BaseEmailBackend):
    """A mail server that refuses every connection."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPConnectError(421, "Service not available")


def test_a_password_reset_during_an_smtp_outage_is_sent_once_the_server_is_back(
    client: Client, settings
):
    user = make_user(email="grace@example.org", first_name="Grace")
    # Even someone who turned e-mail off gets it: it is about their account.
    NotificationPreference.objects.update_or_create(user=user, defaults={"email_enabled": False})
    settings.EMAIL_BACKEND = DOWN
    response = client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert response.status_code == 302  # not a 500: the request only queued the e-mail
    assert response["Location"] == "/accounts/password/reset/sent/"
    message = Message.objects.get()
    assert (message.kind, message.recipient_id, message.essential, message.urgent) == (
        "accounts.password_reset",
        user.pk,
        True,
        True,
    )
    # The worker tries while the server is down: nothing sent, the message kept for later.
    assert send_outbox() == 0
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 1
    assert mail.outbox == []

    settings.EMAIL_BACKEND = UP
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert send_outbox() == 1
        assert send_outbox() == 0  # once
    assert [m.to for m in mail.outbox] == [["grace@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    # The link works: it leads to the form for a new password.
    assert client.get(link.group(1), follow=True).status_code == 200


def test_the_confirmation_and_the_already_registered_notice_wait_out_an_outage(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = DOWN

    def apply() -> None:
        register_volunteer(
            email="lin.tran@example.org",
            password="a long enough passphrase 42",
            first_name="Lin",
            last_name="Tran",
        )

    with django_capture_on_commit_callbacks(execute=True):
        apply()  # no exception: the e-mail is only queued
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EmailAlreadyRegistered):
        apply()
    queued = list(Message.objects.order_by("pk").values_list("kind", "essential", "urgent"))
    assert queued == [
        ("accounts.confirm_email", True, True),
        ("accounts.already_registered", True, True),
    ]
    assert send_outbox() == 0
    settings.EMAIL_BACKEND = UP
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert send_outbox() == 2
        assert send_outbox() == 0
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "[Hope Line] Confirm your e-mail address for Hope Line",
        "[Hope Line] You already have an account with Hope Line",
    ]
    assert all(m.to == ["lin.tran@example.org"] for m in mail.outbox)
