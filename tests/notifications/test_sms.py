"""The Twilio backend (the official SDK) against a local HTTP stub (no test reaches Twilio):
4xx are permanent failures, 429, 5xx and an unreachable host are retried."""

from __future__ import annotations

import base64
import socket
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from notifications.models import Channel, Message, NotificationPreference, Status
from notifications.services import deliver_message, enqueue_message
from notifications.services.sms import Sms, SmsError, SmsRejected, TwilioSmsBackend
from tests.factories import make_user
from tests.notifications.conftest import SAMPLE_CONTEXTS

PATH = "/2010-04-01/Accounts/AC123/Messages.json"


@pytest.fixture
def twilio(settings: Any, httpserver: HTTPServer) -> HTTPServer:
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = httpserver.url_for("/").rstrip("/")
    return httpserver


def error(status: int) -> dict[str, Any]:
    return {"code": 21211, "message": "refused", "more_info": "", "status": status}


def test_posts_the_message_with_basic_auth_through_the_sdk(twilio: HTTPServer) -> None:
    seen: list[dict[str, list[str]]] = []

    def handler(request: Request) -> Response:
        auth = base64.b64encode(b"AC123:secret").decode()
        assert request.headers["Authorization"] == f"Basic {auth}"
        seen.append(parse_qs(request.get_data(as_text=True)))
        return Response('{"sid": "SM42", "status": "queued"}', 201, mimetype="application/json")

    twilio.expect_oneshot_request(PATH, method="POST").respond_with_handler(handler)
    assert TwilioSmsBackend().send(Sms(to="+12025550123", body="Shift at 18:00")) == "SM42"
    twilio.check_assertions()
    assert seen == [{"To": ["+12025550123"], "From": ["+15005550006"], "Body": ["Shift at 18:00"]}]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_a_4xx_is_a_permanent_refusal(twilio: HTTPServer, status: int) -> None:
    twilio.expect_oneshot_request(PATH, method="POST").respond_with_json(
        error(status), status=status
    )
    with pytest.raises(SmsRejected, match=f"Twilio answered {status}"):
        TwilioSmsBackend().send(Sms(to="+12025550123", body="x"))


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_5xx_or_too_many_requests_is_retried(twilio: HTTPServer, status: int) -> None:
    twilio.expect_oneshot_request(PATH, method="POST").respond_with_json(
        error(status), status=status
    )
    with pytest.raises(SmsError) as caught:
        TwilioSmsBackend().send(Sms(to="+12025550123", body="x"))
    assert not isinstance(caught.value, SmsRejected)


def test_an_unreachable_provider_is_retried(settings: Any) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{port}"
    with pytest.raises(SmsError, match="could not be reached") as caught:
        TwilioSmsBackend().send(Sms(to="+12025550123", body="x"))
    assert not isinstance(caught.value, SmsRejected)


def test_needs_its_settings(settings: Any) -> None:
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        TwilioSmsBackend()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "outcome", "row_status"),
    [(400, "failed", Status.FAILED), (503, "retry", Status.PENDING)],
)
def test_the_outbox_fails_a_refused_text_at_once_and_retries_an_outage(
    twilio: HTTPServer, settings: Any, status: int, outcome: str, row_status: str
) -> None:
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.services.sms.TwilioSmsBackend"
    person = make_user(phone="+12025550123")
    NotificationPreference.objects.create(user=person, sms_enabled=True, email_enabled=False)
    enqueue_message(
        recipient=person,
        kind="shift.reminder",
        dedupe_key="sms-outcome",
        context=SAMPLE_CONTEXTS["shift.reminder"],
    )
    message = Message.objects.get(channel=Channel.SMS)
    twilio.expect_oneshot_request(PATH, method="POST").respond_with_json(
        error(status), status=status
    )
    assert deliver_message(message_id=message.pk) == outcome
    message.refresh_from_db()
    assert (message.status, message.attempts) == (row_status, 1)
    assert f"Twilio answered {status}" in message.last_error
