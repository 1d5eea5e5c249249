"""Text messages through a pluggable backend (settings.NOTIFICATIONS_SMS_BACKEND).

- ``ConsoleSmsBackend`` (development): prints the message.
- ``LocmemSmsBackend`` (tests): keeps messages in ``LocmemSmsBackend.outbox``.
- ``TwilioSmsBackend`` (production): Twilio's official SDK, configured by TWILIO_* settings.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import ClassVar

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications import conf

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT = 15  # seconds


class SmsError(Exception):
    """The provider could not take the message now; the outbox retries later."""


class SmsRejected(SmsError):
    """The provider refused the message for good (its 4xx): not retried."""


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


# GSM 03.38: the characters a text message carries in 7 bits (the extension table's count twice).
_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = "^{}\\[~]|€\f"


def sms_segments(text: str) -> int:
    """How many parts a text message of ``text`` is sent in: 160 GSM characters in one part
    or 153 a part when split; 70 UCS-2 characters (any other character, e.g. Thai or
    Vietnamese tone marks) in one part or 67 a part (emoji count twice)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    if units <= single:
        return 1 if units else 0
    return -(-units // part)


class BaseSmsBackend:
    def send(self, sms: Sms) -> str:
        """Send one text; returns the provider's id for it. Raises SmsError."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, sms: Sms) -> str:
        sys.stdout.write(f"SMS to {sms.to}:\n{sms.body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return "console"


class LocmemSmsBackend(BaseSmsBackend):
    outbox: ClassVar[list[Sms]] = []

    def send(self, sms: Sms) -> str:
        self.outbox.append(sms)
        return f"locmem-{len(self.outbox)}"


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's REST API through the official SDK (TWILIO_* settings).

    Twilio's 4xx answers (a number that cannot receive texts, one that replied STOP, bad
    credentials) are permanent: ``SmsRejected``, never retried. Its 5xx, 429 (too many
    requests), timeouts and network errors are ``SmsError``: the outbox retries them.
    ``TWILIO_API_BASE`` points the SDK at another host (tests: a local stub).
    """

    def __init__(self) -> None:
        self.account_sid = str(getattr(settings, "TWILIO_ACCOUNT_SID", ""))
        self.auth_token = str(getattr(settings, "TWILIO_AUTH_TOKEN", ""))
        self.from_number = str(getattr(settings, "TWILIO_FROM_NUMBER", ""))
        self.api_base = str(getattr(settings, "TWILIO_API_BASE", "") or "")
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "TwilioSmsBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )
        if self.api_base and not self.api_base.startswith(("https://", "http://")):
            raise ImproperlyConfigured("TWILIO_API_BASE must be an http(s) URL.")
        self.client = Client(
            self.account_sid,
            self.auth_token,
            http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT, max_retries=0),
        )
        if self.api_base:
            self.client.api.base_url = self.api_base.rstrip("/")

    def send(self, sms: Sms) -> str:
        try:
            message = self.client.messages.create(to=sms.to, from_=self.from_number, body=sms.body)
        except TwilioRestException as exc:
            detail = f"Twilio answered {exc.status} (code {exc.code}): {exc.msg}"[:300]
            if 400 <= exc.status < 500 and exc.status != 429:
                raise SmsRejected(detail) from exc
            raise SmsError(detail) from exc
        except TwilioException as exc:
            raise SmsError(f"Twilio could not be reached: {exc}") from exc
        except (requests.RequestException, OSError) as exc:
            raise SmsError(f"Twilio could not be reached: {exc}") from exc
        return str(message.sid or "")


def get_sms_backend() -> BaseSmsBackend:
    backend_class = import_string(conf.sms_backend_path())
    backend: BaseSmsBackend = backend_class()
    return backend
