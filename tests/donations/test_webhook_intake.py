"""The webhook endpoint: verify with the SDK, store each event once, dispatch by type."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import stripe
from django.db import DataError, connection
from django.test import Client
from django.urls import reverse

from donations.models import Donor, StripeEvent, StripeEventStatus
from donations.stripe_integration import intake as webhooks
from donations.stripe_integration.client import STRIPE_API_VERSION

SECRET = "whsec_test_intake_secret"
URL = "/stripe/webhook/"
UNHANDLED = "balance.available"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture(autouse=True)
def no_ledger_handlers(monkeypatch):
    """The intake on its own: each test installs the handler it needs (the ledger has its
    own tests in test_ledger.py)."""
    monkeypatch.setattr(webhooks, "HANDLERS", {})


def checkout_session(session_id: str = "cs_test_a1") -> dict[str, Any]:
    """A completed one-time checkout.session, shaped as the pinned API version sends it."""
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": 2500,
        "amount_total": 2500,
        "created": 1767225600,
        "currency": "usd",
        "customer": None,
        "customer_details": {
            "address": None,
            "email": "grace@example.org",
            "name": "Grace Hopper",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "customer_email": "grace@example.org",
        "invoice": None,
        "livemode": False,
        "metadata": {"donation_id": "42"},
        "mode": "payment",
        "payment_intent": "pi_3QaBc1",
        "payment_status": "paid",
        "status": "complete",
        "submit_type": "donate",
        "subscription": None,
        "success_url": "https://ngo.example.org/give/thanks/",
    }


def event(
    event_id: str = "evt_1QaBc1",
    type_: str = "checkout.session.completed",
    obj: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A v1 snapshot event (stripe/_event.py: id, object, api_version, created, data, ...)."""
    return {
        "id": event_id,
        "object": "event",
        "account": None,
        "api_version": STRIPE_API_VERSION,
        "context": None,
        "created": 1767225601,
        "data": {"object": obj if obj is not None else checkout_session()},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def signature(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header, made by the SDK's own helper (``t=...,v1=...``)."""
    header: str = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)
    return header


def post(client: Client, body: str, sig: str | None = "sign"):
    headers = {}
    if sig == "sign":
        sig = signature(body)
    if sig is not None:
        headers["Stripe-Signature"] = sig
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def deliver(client: Client, payload: dict[str, Any]):
    return post(client, json.dumps(payload))


def test_route_name():
    assert reverse("donations:stripe_webhook") == URL


# --- Refused: 400, nothing stored -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_sig", "error"),
    [
        (lambda body: signature(body, secret="whsec_someone_else"), "invalid signature"),
        (lambda body: signature(body + " "), "invalid signature"),
        (lambda body: signature(body, timestamp=int(time.time()) - 600), "invalid signature"),
        (lambda body: "t=abc", "invalid signature"),
        (lambda body: None, "missing Stripe-Signature header"),
    ],
    ids=["wrong-secret", "tampered-body", "stale-timestamp", "garbled-header", "no-header"],
)
def test_unverified_delivery_gets_400_and_stores_nothing(client, make_sig, error):
    body = json.dumps(event())
    response = post(client, body, sig=make_sig(body))
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_timestamp_within_tolerance_is_accepted(client):
    body = json.dumps(event())
    response = post(client, body, sig=signature(body, timestamp=int(time.time()) - 240))
    assert response.status_code == 200
    assert StripeEvent.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ('{"id": "evt_1", "object": "event",', "malformed payload"),
        ("", "malformed payload"),
        ("[1, 2]", "malformed payload"),
        ('{"id": "evt_1", "object": "event", "type": "x", "amount": NaN}', "malformed payload"),
        ('{"id": "evt_1", "object": "charge", "type": "charge.succeeded"}', "not a Stripe event"),
        ('{"object": "event", "type": "charge.succeeded"}', "not a Stripe event"),
    ],
    ids=["truncated", "empty", "list", "nan", "not-an-event", "no-id"],
)
def test_signed_but_malformed_body_gets_400_and_stores_nothing(client, body, error):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_without_a_configured_secret_every_delivery_is_refused(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(client, event())
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_only_post(client):
    assert client.get(URL).status_code == 405


# --- Stored once, dispatched by type ----------------------------------------------------


@pytest.mark.django_db
def test_event_is_stored_as_sent(client):
    payload = event(type_=UNHANDLED, obj={"object": "balance", "available": []})
    response = deliver(client, payload)
    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.event_id == "evt_1QaBc1"
    assert stored.type == UNHANDLED
    assert stored.api_version == STRIPE_API_VERSION
    assert stored.livemode is False
    assert stored.payload == payload
    assert stored.stripe_created is not None
    assert stored.stripe_created.timestamp() == 1767225601


@pytest.mark.django_db
def test_unknown_type_is_ignored_with_200(client):
    response = deliver(client, event(type_=UNHANDLED))
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    stored = StripeEvent.objects.get()
    assert stored.status == StripeEventStatus.IGNORED
    assert stored.attempts == 0
    assert stored.processed_at is not None


@pytest.mark.django_db
def test_same_event_twice_is_one_row_and_two_200s(client):
    first = deliver(client, event())
    second = deliver(client, event())
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == {"status": "ignored"}
    assert second.json() == {"status": "ignored", "duplicate": True}
    assert StripeEvent.objects.count() == 1


class FakeHandler:
    """Records its calls; makes a donor (to show its writes commit or roll back); may fail."""

    def __init__(self, fail_times: int = 0, message: str = "boom") -> None:
        self.fail_times = fail_times
        self.message = message
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, stripe_event: StripeEvent) -> None:
        with self.lock:
            self.calls.append((stripe_event.event_id, stripe_event.status))
            failing = len(self.calls) <= self.fail_times
        Donor.objects.create(name="From the webhook", email=f"{len(self.calls)}@example.org")
        if failing:
            raise RuntimeError(self.message)


@pytest.mark.django_db
def test_handler_success_marks_done(client, monkeypatch):
    handler = FakeHandler()
    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)
    response = deliver(client, event())
    assert response.status_code == 200
    assert response.json() == {"status": "done"}
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.attempts, stored.error) == ("done", 1, "")
    assert stored.processed_at is not None
    assert handler.calls == [("evt_1QaBc1", "processing")]
    assert Donor.objects.count() == 1
    # A redelivery of a done event is a no-op.
    again = deliver(client, event())
    assert again.status_code == 200
    assert again.json() == {"status": "done", "duplicate": True}
    assert len(handler.calls) == 1


@pytest.mark.django_db
def test_failing_handler_gives_500_then_redelivery_retries(client, monkeypatch, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_do_not_store"
    handler = FakeHandler(fail_times=1, message="lost the database sk_test_do_not_store")
    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)

    first = deliver(client, event())
    assert first.status_code == 500
    assert first.json() == {"error": "processing failed, please retry"}
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert stored.error == "RuntimeError: lost the database [secret]"
    # The failed handler's writes were rolled back; the failure itself was kept.
    assert Donor.objects.count() == 0

    second = deliver(client, event())
    assert second.status_code == 200
    assert second.json() == {"status": "done", "duplicate": True}
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.error) == ("done", 2, "")
    assert Donor.objects.count() == 1
    assert len(handler.calls) == 2
    assert StripeEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_value_the_database_refuses_is_a_permanent_failure(client, monkeypatch):
    """A handler writing what no column takes (here a name longer than its column, which
    PostgreSQL refuses and SQLite would not, so the handler raises it as PostgreSQL does)
    fails the same way on every delivery: 200, recorded, marked final."""

    def handler(stripe_event: StripeEvent) -> None:
        Donor.objects.create(name="Grace", email="grace@example.org")
        raise DataError("value too long for type character varying(255)")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)
    response = deliver(client, event())
    assert (response.status_code, response.json()) == (200, {"status": "failed"})
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.permanent_failure, stored.attempts) == ("failed", True, 1)
    assert stored.error == "DataError: value too long for type character varying(255)"
    assert Donor.objects.count() == 0


@pytest.mark.django_db
def test_a_transient_failure_after_a_permanent_one_is_retried_again(client, monkeypatch):
    """The mark follows the last attempt: a redelivery that fails for a passing reason is
    answered 500 and no longer marked final."""
    failures: list[Exception] = [DataError("numeric out of range"), RuntimeError("deadlock")]

    def handler(stripe_event: StripeEvent) -> None:
        raise failures.pop(0)

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)
    assert deliver(client, event()).status_code == 200
    assert deliver(client, event()).status_code == 500
    stored = StripeEvent.objects.get()
    assert (stored.status, stored.permanent_failure, stored.attempts) == ("failed", False, 2)


@pytest.mark.django_db
def test_stripe_error_is_stored_without_its_message(client, monkeypatch):
    def handler(stripe_event: StripeEvent) -> None:
        raise stripe.APIConnectionError("card 4242424242424242 and key sk_live_x")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)
    assert deliver(client, event()).status_code == 500
    assert StripeEvent.objects.get().error == (
        "APIConnectionError (status None, code None, request None)"
    )


@pytest.mark.django_db
def test_reprocessing_runs_only_failed_events_again(monkeypatch):
    calls: list[str] = []
    monkeypatch.setitem(webhooks.HANDLERS, "x", lambda ev: calls.append(ev.event_id))
    failed = StripeEvent.objects.create(
        event_id="evt_f", type="x", payload={}, status=StripeEventStatus.FAILED, attempts=3
    )
    done = StripeEvent.objects.create(
        event_id="evt_d", type="x", payload={}, status=StripeEventStatus.DONE
    )
    assert webhooks.reprocess_failed_events(event_ids=[failed.pk, done.pk]) == {"done": 1}
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, done.status) == ("done", 4, "done")
    assert calls == ["evt_f"]


# --- Real threads on PostgreSQL ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_deliveries_store_and_handle_one_event(monkeypatch):
    handler = FakeHandler()
    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", handler)
    body = json.dumps(event())
    sig = signature(body)
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    bodies: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    results_lock = threading.Lock()

    def worker() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            response = post(client, body, sig=sig)
            with results_lock:
                statuses.append(response.status_code)
                bodies.append(response.json())
        except BaseException as exc:
            with results_lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert statuses == [200] * threads_count
    assert sorted(b.get("duplicate", False) for b in bodies) == [False] + [True] * 9
    assert all(b["status"] == "done" for b in bodies)
    assert StripeEvent.objects.count() == 1
    assert StripeEvent.objects.get().attempts == 1
    assert len(handler.calls) == 1
    assert Donor.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_action_reprocesses_failed_events(client, monkeypatch):
    from accounts.roles import Role
    from tests.factories import make_user

    monkeypatch.setitem(webhooks.HANDLERS, "x", lambda ev: None)
    failed = StripeEvent.objects.create(
        event_id="evt_f", type="x", payload={}, status=StripeEventStatus.FAILED
    )
    client.force_login(make_user(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR]))
    response = client.post(
        "/admin/donations/stripeevent/",
        {"action": "reprocess", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Re-processed: 1 done."]
    failed.refresh_from_db()
    assert failed.status == "done"
