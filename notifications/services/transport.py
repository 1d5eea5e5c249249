"""Handing rendered messages to the providers: e-mail over SMTP (Django's backend), text
messages through the SMS backend. Every e-mail carries a Message-ID made from its outbox
row, the same on every attempt, so a repeat that still happens (a worker killed while the
server accepted it) is recognisable downstream, and mail clients that drop a second
message with a Message-ID they have seen drop it."""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from email.mime.multipart import MIMEMultipart
from email.utils import parseaddr
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import SafeMIMEMultipart, forbid_multi_line_headers
from django.core.mail.utils import DNS_NAME

from notifications.models import Channel, Message
from notifications.services.push import PushRejected, PushSender
from notifications.services.rendering import Rendered
from notifications.services.sms import BaseSmsBackend, Sms, SmsRejected, get_sms_backend

logger = logging.getLogger(__name__)


class PermanentSendError(Exception):
    """The provider refused this message for good (e.g. Twilio's 4xx, a push subscription
    that expired): the message fails at once instead of being retried."""


# Names the outbox row's dedupe key (hashed: a key may hold ids of the app's records).
KEY_HEADER = "X-Outbox-Key"


def key_digest(message: Message) -> str:
    return hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]


def message_id(message: Message, digest: str = "") -> str:
    """``<outbox.<row>.<resends>.<key digest>@<sender's domain>>``: stable across retries of
    the same send; a coordinator's resend (``resends``) makes a new one. ``digest``: the
    message's ``key_digest`` when the caller has it already."""
    digest = digest or key_digest(message)
    domain = _domain(settings.DEFAULT_FROM_EMAIL)
    return f"<outbox.{message.pk}.{message.resends}.{digest[:16]}@{domain}>"


@functools.lru_cache(maxsize=8)
def _domain(from_email: str) -> str:
    """The sender's domain (parsed once per address, not once per e-mail)."""
    return parseaddr(from_email)[1].rpartition("@")[2] or str(DNS_NAME)


def _attachment_content(attachment: dict[str, str]) -> str | bytes:
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"])
    return attachment["content"]


@functools.lru_cache(maxsize=256)
def _subject_header(subject: str, encoding: str) -> tuple[str, str]:
    """Django's Subject header (folded, encoded when not ASCII), worked out once per
    subject: the reminders of a shift share theirs, and the stdlib's folding is a fifth of
    the cost of building an e-mail."""
    return forbid_multi_line_headers("Subject", subject, encoding)


class _Multipart(SafeMIMEMultipart):
    """Django's message, its Subject header taken from ``_subject_header``."""

    def __setitem__(self, name: str, val: Any) -> None:
        if name == "Subject" and type(val) is str:
            encoding = self.encoding or settings.DEFAULT_CHARSET
            MIMEMultipart.__setitem__(self, *_subject_header(val, encoding))
        else:
            super().__setitem__(name, val)


class OutboxEmail(EmailMultiAlternatives):
    """An e-mail of the outbox: Django's, the same headers and parts, built faster."""

    def _create_message(self, msg: Any) -> Any:
        msg = cast(Any, super())._create_message(msg)  # Django's; not in its stubs
        if type(msg) is SafeMIMEMultipart:
            msg.__class__ = _Multipart  # the same object, its Subject set as above
        return msg


def build_email(message: Message, rendered: Rendered, unsubscribe: str) -> EmailMultiAlternatives:
    digest = key_digest(message)
    headers = {"Message-ID": message_id(message, digest), KEY_HEADER: digest}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = OutboxEmail(
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


def push_payload(message: Message, rendered: Rendered) -> dict[str, str]:
    """What the service worker shows: a title, the words, the page to open, and a tag so a
    repeat replaces the notification instead of adding a second one."""
    url = message.context.get("shift_url") or message.context.get("url") or settings.SITE_URL
    return {
        "title": rendered.subject,
        "body": rendered.sms,
        "url": str(url),
        "tag": key_digest(message)[:16],
    }


class Sender:
    """Sends a batch's messages one by one: e-mails over one connection opened for the
    batch, text messages through one SMS backend. One message's failure is its own."""

    def __init__(self) -> None:
        self._email: BaseEmailBackend | None = None
        self._email_error: Exception | None = None
        self._sms: BaseSmsBackend | None = None
        self._push: PushSender | None = None

    def send(self, message: Message, rendered: Rendered, unsubscribe: str) -> None:
        recipient = message.recipient
        if message.channel == Channel.PUSH:
            if self._push is None:
                self._push = PushSender()
            try:
                self._push.send(user_id=recipient.pk, payload=push_payload(message, rendered))
            except PushRejected as exc:
                raise PermanentSendError(str(exc)) from exc
            return
        if message.channel == Channel.SMS:
            if self._sms is None:
                self._sms = get_sms_backend()
            try:
                self._sms.send(Sms(to=recipient.phone.as_e164, body=rendered.sms))
            except SmsRejected as exc:
                raise PermanentSendError(str(exc)) from exc
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
