"""Offline test mode: the local test checkout, the task that posts signed events to our own
webhook, and a gift made end to end through it (the real webhook view and ledger)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

import pytest
import stripe
from django.test import Client
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from core import tasks as core_tasks
from donations import tasks
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
    StripeEvent,
)
from donations.tasks import fixed_event_ids, is_loopback_url, post_offline_events

pytestmark = pytest.mark.django_db

SECRET = "whsec_offline_test"


@pytest.fixture(autouse=True)
def offline(settings) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def enqueued(monkeypatch) -> list[dict[str, Any]]:
    """Tasks the views enqueue, captured instead of sent to a broker."""
    sent: list[dict[str, Any]] = []

    def capture(task: Any, *args: Any, **kwargs: Any) -> None:
        sent.append({"task": task.name, "args": args, "kwargs": kwargs})

    monkeypatch.setattr("donations.views.public.enqueue_on_commit", capture)
    return sent


def start(client: Client, **overrides: str) -> str:
    data = {
        "currency": "USD",
        "amount": "USD:25.00",
        "frequency": "once",
        "tribute_type": "none",
        "name": "Grace Hopper",
        "email": "grace@example.org",
    }
    data.update(overrides)
    response = client.post("/donate/", data)
    assert response.status_code == 302, response.context["form"].errors
    return str(response["Location"])


def test_test_checkout_page_is_clearly_labelled(client: Client):
    url = start(client)
    response = client.get(url)
    html = response.content.decode()

    assert response.status_code == 200
    assert "TEST MODE — no real card is charged." in html
    assert "Pay (test card succeeds)" in html
    assert "Card declined" in html
    assert "$25.00" in html


def test_no_test_checkout_when_stripe_is_configured(client: Client, settings):
    url = start(client)
    settings.STRIPE_SECRET_KEY = "sk_test_real"
    assert client.get(url).status_code == 404
    assert client.post(url, {"scenario": "paid"}).status_code == 404


def test_no_test_checkout_in_production(client: Client, settings):
    url = start(client)
    settings.PRODUCTION = True
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("session_id", ["cs_test_offline_nothere", "cs_live_abc"])
def test_unknown_session_is_404(client: Client, session_id):
    assert client.get(f"/donate/test-checkout/{session_id}/").status_code == 404


def test_paying_enqueues_signed_events_for_our_own_webhook(client: Client, enqueued):
    url = start(client)
    donation = Donation.objects.get()
    session_id = donation.checkout_session_id

    response = client.post(url, {"scenario": "paid"}, SERVER_PORT="8123")

    assert response.status_code == 302
    assert response["Location"] == f"/donate/thanks/?session_id={session_id}"
    [job] = enqueued
    assert job["task"] == "donations.post_offline_events"
    # The test client's host is not a loopback one: the server's own port on 127.0.0.1.
    assert job["kwargs"]["webhook_url"] == "http://127.0.0.1:8123/stripe/webhook/"
    events = job["kwargs"]["events"]
    suffix = session_id.removeprefix("cs_test_offline_")
    assert [event["id"] for event in events] == [f"evt_test_offline_{suffix}_0"]
    assert [event["type"] for event in events] == ["checkout.session.completed"]
    session = events[0]["data"]["object"]
    assert session["metadata"] == {"donation_id": str(donation.pk)}
    assert (session["amount_total"], session["payment_status"]) == (2500, "paid")
    # Nothing is marked paid by the page itself.
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PENDING


def test_a_loopback_host_is_used_as_is(client: Client, enqueued):
    url = start(client)
    client.post(url, {"scenario": "declined"}, HTTP_HOST="127.0.0.1:8000")
    assert enqueued[0]["kwargs"]["webhook_url"] == "http://127.0.0.1:8000/stripe/webhook/"


def test_an_unknown_scenario_posts_nothing(client: Client, enqueued):
    url = start(client)
    response = client.post(url, {"scenario": "refund-everything"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert enqueued == []


def test_fixed_ids_make_a_second_press_a_duplicate():
    events = [{"id": "evt_random_1", "type": "a"}, {"id": "evt_random_2", "type": "b"}]
    fixed = fixed_event_ids("cs_test_offline_abc123", events)
    assert [event["id"] for event in fixed] == [
        "evt_test_offline_abc123_0",
        "evt_test_offline_abc123_1",
    ]
    assert events[0]["id"] == "evt_random_1"  # the input is left alone


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/stripe/webhook/", True),
        ("http://localhost:8000/stripe/webhook/", True),
        ("http://[::1]:8000/stripe/webhook/", True),
        ("http://127.9.9.9/x", True),
        ("http://10.0.0.1/stripe/webhook/", False),
        ("https://example.org/stripe/webhook/", False),
        ("file:///etc/passwd", False),
        ("http://127.0.0.1.example.org/", False),
    ],
)
def test_only_loopback_addresses(url, loopback):
    assert is_loopback_url(url) is loopback


def test_the_task_posts_each_event_signed_with_the_webhook_secret(httpserver: HTTPServer):
    received: list[tuple[bytes, str]] = []

    def handler(request: Request) -> Response:
        received.append((request.get_data(), request.headers["Stripe-Signature"]))
        return Response('{"status": "done"}', status=200, content_type="application/json")

    httpserver.expect_request("/stripe/webhook/", method="POST").respond_with_handler(handler)
    events = [
        {"id": "evt_test_offline_x_0", "object": "event", "type": "checkout.session.completed"},
        {"id": "evt_test_offline_x_1", "object": "event", "type": "invoice.paid"},
    ]
    statuses = post_offline_events(
        webhook_url=httpserver.url_for("/stripe/webhook/"), events=events
    )

    assert statuses == [200, 200]
    ids = []
    for body, signature in received:
        event = stripe.Webhook.construct_event(body, signature, SECRET)
        ids.append(event["id"])
    assert ids == ["evt_test_offline_x_0", "evt_test_offline_x_1"]


def test_the_task_retries_when_the_webhook_fails(httpserver: HTTPServer):
    httpserver.expect_request("/stripe/webhook/").respond_with_data("oops", status=500)
    with pytest.raises(tasks.WebhookPostFailed):
        post_offline_events(
            webhook_url=httpserver.url_for("/stripe/webhook/"),
            events=[{"id": "evt_1", "object": "event", "type": "x"}],
        )
    # A ConnectionError: the base task retries it with backoff.
    assert issubclass(tasks.WebhookPostFailed, ConnectionError)
    assert ConnectionError in getattr(post_offline_events, "autoretry_for", ())


def test_the_task_refuses_other_hosts_and_a_configured_stripe(settings):
    with pytest.raises(ValueError, match="own webhook endpoint only"):
        post_offline_events(webhook_url="http://10.1.2.3/stripe/webhook/", events=[])
    settings.STRIPE_SECRET_KEY = "sk_test_real"
    with pytest.raises(Exception, match="never posted when Stripe is set up"):
        post_offline_events(webhook_url="http://127.0.0.1/stripe/webhook/", events=[])


# End to end: the button, the task, our real webhook view and the ledger.


@pytest.fixture
def loopback_to_django(monkeypatch) -> list[int]:
    """The task's HTTP posts go to this test's Django (the test client) instead of a socket;
    the views' enqueue runs the task at once."""
    statuses: list[int] = []
    django_client = Client()

    class FakeResponse(io.BytesIO):
        def __init__(self, status: int, body: bytes) -> None:
            super().__init__(body)
            self.status = status

        def __enter__(self) -> FakeResponse:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    def urlopen(request: urllib.request.Request, timeout: float) -> FakeResponse:
        assert is_loopback_url(request.full_url)
        path = request.full_url.split("8000", 1)[1]
        data = request.data
        assert isinstance(data, bytes)
        response = django_client.post(
            path,
            data=data,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=request.get_header("Stripe-signature"),
        )
        statuses.append(response.status_code)
        if response.status_code >= 400:
            raise urllib.error.HTTPError(
                request.full_url,
                response.status_code,
                "error",
                Message(),
                io.BytesIO(response.content),
            )
        return FakeResponse(response.status_code, response.content)

    def run_now(task: Any, *args: Any, **kwargs: Any) -> None:
        task.run(*args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr("donations.views.public.enqueue_on_commit", run_now)
    assert core_tasks.enqueue_on_commit is not run_now
    return statuses


def test_a_one_time_gift_paid_on_the_test_checkout_is_paid(client: Client, loopback_to_django):
    url = start(client)
    response = client.post(url, {"scenario": "paid"}, HTTP_HOST="127.0.0.1:8000")

    assert loopback_to_django == [200]
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PAID
    assert donation.paid_at is not None
    thanks = client.get(response["Location"])
    assert "Your payment is confirmed." in thanks.content.decode()

    # A second press changes nothing: the same event ids are duplicates.
    again = client.post(url, {"scenario": "paid"}, HTTP_HOST="127.0.0.1:8000")
    assert again.status_code == 302
    assert StripeEvent.objects.count() == 1
    assert Donation.objects.get().status == DonationStatus.PAID


def test_a_declined_card_leaves_the_gift_failed(client: Client, loopback_to_django):
    url = start(client)
    client.post(url, {"scenario": "declined"}, HTTP_HOST="127.0.0.1:8000")

    assert loopback_to_django == [200, 200]
    assert Donation.objects.get().status == DonationStatus.FAILED


def test_a_monthly_gift_paid_on_the_test_checkout_is_active(client: Client, loopback_to_django):
    url = start(client, frequency="monthly", currency="JPY", amount="JPY:3000")
    client.post(url, {"scenario": "paid"}, HTTP_HOST="127.0.0.1:8000")

    assert loopback_to_django == [200, 200, 200]
    gift = RecurringGift.objects.get()
    assert gift.status == RecurringStatus.ACTIVE
    [instalment] = gift.donations.all()
    assert (instalment.status, instalment.amount_minor, instalment.currency) == (
        DonationStatus.PAID,
        3000,
        "JPY",
    )
    assert Donor.objects.get().email == "grace@example.org"
    assert sorted(StripeEvent.objects.values_list("type", "status")) == [
        ("checkout.session.completed", "done"),
        ("customer.subscription.updated", "done"),
        ("invoice.paid", "done"),
    ]
