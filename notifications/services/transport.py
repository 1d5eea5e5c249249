"""Handing rendered messages to the providers: e-mail over SMTP (Django's backend), text
messages through the SMS backend. Every e-mail carries a Message-ID made from its outbox
row, the same on every attempt, so a repeat that still happens (a worker killed while the
server accepted it) is recognisable downstream, and mail clients that drop a second
message with a Message-ID they have seen drop it."""

from __future__ import annotations

import base64
import hashlib
import logging
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME

from notifications.models import Channel, Message
from notifications.services.rendering import Rendered
from notifications.services.sms import BaseSmsBackend, Sms, get_sms_backend

logger = logging.getLogger(__name__)

# Names the outbox row's dedupe key (hashed: a key may hold ids of the app's records).
KEY_HEADER = "X-Outbox-Key"


def key_digest(message: Message) -> str:
    return hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]


def message_id(message: Message) -> str:
    """``<outbox.<row>.<resends>.<key digest>@<sender's domain>>``: stable across retries of
    the same send; a coordinator's resend (``resends``) makes a new one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<outbox.{message.pk}.{message.resends}.{key_digest(message)[:16]}@{domain}>"


def _attachment_content(attachment: dict[str, str]) -> str | bytes:
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"])
    return attachment["content"]


def build_email(message: Message, rendered: Rendered, unsubscribe: str) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id(message), KEY_HEADER: key_digest(message)}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + rendered.subject,
        body=rendered.text,
        to=[message.recipient.email],
        headers=headers,
    )
    email.attach_alternative(rendered.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"], _attachment_content(attachment), attachment["content_type"]
        )
    return email


class Sender:
    """Sends a batch's messages one by one: e-mails over one connection opened for the
    batch, text messages through one SMS backend. One message's failure is its own."""

    def __init__(self) -> None:
        self._email: BaseEmailBackend | None = None
        self._email_error: Exception | None = None
        self._sms: BaseSmsBackend | None = None

    def send(self, message: Message, rendered: Rendered, unsubscribe: str) -> None:
        recipient = message.recipient
        if message.channel == Channel.SMS:
            if self._sms is None:
                self._sms = get_sms_backend()
            self._sms.send(Sms(to=recipient.phone.as_e164, body=rendered.sms))
            return
        if self._email_error is not None:  # the server refused the batch's connection
            raise self._email_error
        if self._email is None:
            self._email = get_connection()
            try:
                self._email.open()
            except Exception as exc:
                self._email_error = exc
                raise
        self._email.send_messages([build_email(message, rendered, unsubscribe)])

    def close(self) -> None:
        if self._email is not None:
            try:
                self._email.close()
            except Exception:  # every e-mail went (or is counted as failed) already
                logger.warning("Outbox: closing the e-mail connection failed.", exc_info=True)
