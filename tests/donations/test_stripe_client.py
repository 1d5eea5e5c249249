"""The Checkout Session request, sent by the real SDK to a local stub (no network)."""

from __future__ import annotations

import json
import logging
import socket

import pytest
import stripe
from django.core.exceptions import ImproperlyConfigured
from pytest_httpserver import HTTPServer
from stripe._api_version import _ApiVersion
from werkzeug import Request

from donations.money import Money, check_minimum
from donations.stripe_integration.client import (
    STRIPE_API_VERSION,
    CheckoutSession,
    StripeUnavailable,
    checkout_for_gift,
    get_client,
)

SAFE_MESSAGE = "The payment page could not be opened. Please try again in a minute."
SESSIONS = "/v1/checkout/sessions"
METADATA = {"donation_id": "42", "donor_id": "7", "campaign": "winter-appeal"}


def session_json(session_id: str = "cs_test_a1", mode: str = "payment") -> dict[str, object]:
    """A checkout.session as the create call returns it (only the fields we read, and a few)."""
    return {
        "id": session_id,
        "object": "checkout.session",
        "livemode": False,
        "mode": mode,
        "status": "open",
        "payment_status": "unpaid",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        "metadata": METADATA,
    }


def gift(amount: Money, frequency: str = "once", key: str = "donation-42-attempt-1"):
    return checkout_for_gift(
        amount=amount,
        frequency=frequency,  # type: ignore[arg-type]
        product_name="Gift to Hope Line",
        customer_email="donor@example.org",
        success_url="https://ngo.example.org/give/thanks/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://ngo.example.org/give/",
        metadata=METADATA,
        idempotency_key=key,
    )


def only_request(server: HTTPServer) -> Request:
    assert len(server.log) == 1, [str(r) for r, _ in server.log]
    return server.log[0][0]


@pytest.mark.parametrize(
    ("amount", "currency", "unit_amount"),
    [
        ("25.00", "USD", "2500"),
        ("3000", "JPY", "3000"),
        ("500000", "VND", "500000"),
        ("10.000", "KWD", "10000"),
    ],
)
def test_unit_amount_in_stripe_minor_units(stripe_stub, amount, currency, unit_amount):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json())
    money = Money.of(amount, currency)
    check_minimum(money)

    gift(money)

    form = only_request(stripe_stub).form
    assert form["line_items[0][price_data][unit_amount]"] == unit_amount
    assert form["line_items[0][price_data][currency]"] == currency.lower()
    assert form["line_items[0][quantity]"] == "1"


def test_one_time_gift_request(stripe_stub):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json())

    result = gift(Money.of("25.00", "USD"))

    assert result == CheckoutSession(
        id="cs_test_a1", url="https://checkout.stripe.com/c/pay/cs_test_a1"
    )
    request = only_request(stripe_stub)
    form = request.form
    assert request.content_type == "application/x-www-form-urlencoded"
    assert form["mode"] == "payment"
    assert form["submit_type"] == "donate"
    assert form["customer_email"] == "donor@example.org"
    assert form["success_url"].endswith("?session_id={CHECKOUT_SESSION_ID}")
    assert form["cancel_url"] == "https://ngo.example.org/give/"
    assert form["line_items[0][price_data][product_data][name]"] == "Gift to Hope Line"
    for key, value in METADATA.items():
        assert form[f"metadata[{key}]"] == value
        assert form[f"payment_intent_data[metadata][{key}]"] == value
    assert not any("recurring" in name or "subscription_data" in name for name in form)


def test_monthly_gift_request(stripe_stub):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(
        session_json("cs_test_m1", mode="subscription")
    )

    result = gift(Money.of("10.00", "EUR"), frequency="monthly")

    assert result.id == "cs_test_m1"
    form = only_request(stripe_stub).form
    assert form["mode"] == "subscription"
    assert form["line_items[0][price_data][recurring][interval]"] == "month"
    assert form["line_items[0][price_data][unit_amount]"] == "1000"
    assert form["line_items[0][price_data][currency]"] == "eur"
    for key, value in METADATA.items():
        assert form[f"metadata[{key}]"] == value
        assert form[f"subscription_data[metadata][{key}]"] == value
    assert "submit_type" not in form
    assert not any(name.startswith("payment_intent_data") for name in form)


def test_headers_carry_key_version_and_idempotency_key(stripe_stub):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json())

    gift(Money.of("25.00", "USD"), key="donation-42-attempt-1")

    headers = only_request(stripe_stub).headers
    assert headers["Idempotency-Key"] == "donation-42-attempt-1"
    assert headers["Stripe-Version"] == STRIPE_API_VERSION == _ApiVersion.CURRENT
    assert headers["Authorization"] == "Bearer sk_test_stub"


def test_sdk_retry_after_a_server_error_reuses_the_idempotency_key(stripe_stub):
    stripe_stub.expect_ordered_request(SESSIONS, method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "Something went wrong."}}, status=500
    )
    stripe_stub.expect_ordered_request(SESSIONS, method="POST").respond_with_json(session_json())

    result = gift(Money.of("25.00", "USD"), key="donation-42-attempt-1")

    assert result.id == "cs_test_a1"
    keys = [request.headers["Idempotency-Key"] for request, _ in stripe_stub.log]
    assert keys == ["donation-42-attempt-1", "donation-42-attempt-1"]
    bodies = [request.get_data() for request, _ in stripe_stub.log]
    assert bodies[0] == bodies[1]
    stripe_stub.check_assertions()


def test_resubmitted_form_reuses_the_idempotency_key(stripe_stub):
    """The caller derives the key from its pending record: a second submission sends it again."""
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(session_json())

    first = gift(Money.of("25.00", "USD"), key="donation-42-attempt-1")
    second = gift(Money.of("25.00", "USD"), key="donation-42-attempt-1")

    assert first == second
    keys = [request.headers["Idempotency-Key"] for request, _ in stripe_stub.log]
    assert keys == ["donation-42-attempt-1", "donation-42-attempt-1"]


def test_stripe_error_becomes_a_safe_message(stripe_stub, caplog):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_json(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "email_invalid",
                "param": "customer_email",
                "message": "Invalid email address: donor@example.org",
            }
        },
        status=400,
        headers={"Request-Id": "req_stub_1"},
    )

    with (
        caplog.at_level(logging.WARNING, logger="donations"),
        pytest.raises(StripeUnavailable) as raised,
    ):
        gift(Money.of("25.00", "USD"))

    assert str(raised.value) == raised.value.message == SAFE_MESSAGE
    assert isinstance(raised.value.__cause__, stripe.InvalidRequestError)
    assert len(stripe_stub.log) == 1  # a 400 is not retried
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "InvalidRequestError" in logged
    assert "req_stub_1" in logged
    assert "sk_test_stub" not in logged
    assert "donor@example.org" not in logged


def test_unreachable_stripe_becomes_a_safe_message_after_bounded_retries(settings, stripe_stub):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(StripeUnavailable, match="could not be opened") as raised:
        gift(Money.of("25.00", "USD"))

    assert isinstance(raised.value.__cause__, stripe.APIConnectionError)


def test_persistent_server_errors_stop_after_two_retries(stripe_stub):
    stripe_stub.expect_request(SESSIONS, method="POST").respond_with_data(
        json.dumps({"error": {"type": "api_error", "message": "Down."}}),
        status=503,
        content_type="application/json",
    )

    with pytest.raises(StripeUnavailable) as raised:
        gift(Money.of("25.00", "USD"))

    assert isinstance(raised.value.__cause__, stripe.APIError)
    assert len(stripe_stub.log) == 3


def test_no_secret_key_means_no_client(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="offline test mode"):
        get_client()


def test_empty_idempotency_key_is_refused(stripe_stub):
    with pytest.raises(ValueError, match="idempotency key"):
        gift(Money.of("25.00", "USD"), key="")
    assert stripe_stub.log == []
