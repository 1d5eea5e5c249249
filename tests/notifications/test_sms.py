"""The Twilio backend against a local HTTP stub (no test reaches Twilio)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_httpserver import HTTPServer

from notifications.services.sms import Sms, SmsError, TwilioSmsBackend

PATH = "/2010-04-01/Accounts/AC123/Messages.json"


@pytest.fixture
def twilio(settings: Any, httpserver: HTTPServer) -> HTTPServer:
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = httpserver.url_for("/").rstrip("/")
    return httpserver


def test_posts_the_message_with_basic_auth(twilio: HTTPServer) -> None:
    auth = base64.b64encode(b"AC123:secret").decode()
    twilio.expect_oneshot_request(
        PATH,
        method="POST",
        headers={"Authorization": f"Basic {auth}"},
        data="To=%2B12025550123&From=%2B15005550006&Body=Shift+at+18%3A00",
    ).respond_with_json({"sid": "SM42"}, status=201)
    assert TwilioSmsBackend().send(Sms(to="+12025550123", body="Shift at 18:00")) == "SM42"
    twilio.check_assertions()


def test_a_refusal_is_an_sms_error(twilio: HTTPServer) -> None:
    twilio.expect_oneshot_request(PATH, method="POST").respond_with_json(
        {"message": "invalid number"}, status=400
    )
    with pytest.raises(SmsError, match="Twilio answered 400"):
        TwilioSmsBackend().send(Sms(to="+1", body="x"))


def test_needs_its_settings(settings: Any) -> None:
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        TwilioSmsBackend()
