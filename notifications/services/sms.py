"""Text messages through a pluggable backend (settings.NOTIFICATIONS_SMS_BACKEND).

- ``ConsoleSmsBackend`` (development): prints the message.
- ``LocmemSmsBackend`` (tests): keeps messages in ``LocmemSmsBackend.outbox``.
- ``TwilioSmsBackend`` (production): Twilio's REST API, configured by TWILIO_* settings.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications import conf

logger = logging.getLogger(__name__)


# The GSM 03.38 basic set and, after the escape, its extension (two septets each). A text
# with any other character (Thai, Vietnamese diacritics) goes as UCS-2.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    """How many segments a phone network bills ``text`` as: 160 GSM-7 septets in one, 153 a
    part when longer; 70 UCS-2 units in one, 67 a part when longer (Thai always is UCS-2)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    if units <= single:
        return 1
    return -(-units // part)


class SmsError(Exception):
    """The provider refused or could not be reached; the outbox retries later."""


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


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
    """POST /2010-04-01/Accounts/<sid>/Messages.json with HTTP basic auth."""

    def __init__(self) -> None:
        self.account_sid = str(getattr(settings, "TWILIO_ACCOUNT_SID", ""))
        self.auth_token = str(getattr(settings, "TWILIO_AUTH_TOKEN", ""))
        self.from_number = str(getattr(settings, "TWILIO_FROM_NUMBER", ""))
        self.api_base = str(getattr(settings, "TWILIO_API_BASE", "https://api.twilio.com"))
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "TwilioSmsBackend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )
        if not self.api_base.startswith(("https://", "http://")):
            raise ImproperlyConfigured("TWILIO_API_BASE must be an http(s) URL.")

    def send(self, sms: Sms) -> str:
        url = f"{self.api_base.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        body = urllib.parse.urlencode(
            {"To": sms.to, "From": self.from_number, "Body": sms.body}
        ).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                payload = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise SmsError(f"Twilio answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Twilio could not be reached: {exc}") from exc
        return str(payload.get("sid", ""))


def get_sms_backend() -> BaseSmsBackend:
    backend_class = import_string(conf.sms_backend_path())
    backend: BaseSmsBackend = backend_class()
    return backend
