"""A webhook that changes a monthly gift (its amount, status, currency or interval) writes
one audit entry: by the system (no person), naming the Stripe event, with the old and new
values; a repeat, or an event that changes nothing, writes none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

from accounts.models import AuditEntry
from donations.models import Donor, RecurringStatus, StripeEvent
from donations.stripe_integration import ledger
from donations.stripe_integration import offline_events as se
from tests.donations.portal_data import donor_with_login, monthly
from tests.donations.test_portal_give_and_change import StripeSubscription, _subscription

pytestmark = pytest.mark.django_db

ACTION = "donations.recurring.changed_by_stripe"


@pytest.fixture
def alice() -> Donor:
    return donor_with_login("Alice Ng", "alice@example.org")


def _event(event_type: str, sub: dict[str, object], event_id: str) -> StripeEvent:
    payload = se.build_event(event_type, sub, event_id=event_id)
    return StripeEvent.objects.create(event_id=event_id, type=event_type, payload=payload)


def _rows() -> list[tuple[object, ...]]:
    return [
        (e.action, e.kind, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ]


def test_an_amount_changed_in_stripe_is_audited_once_as_the_system(
    alice: Donor, stripe_stub: HTTPServer
) -> None:
    assert alice.user is not None
    mine = monthly(
        alice, 1500, stripe_subscription_id="sub_dash", fee_covered_minor=75, stripe_status="active"
    )
    StripeSubscription(stripe_stub, "sub_dash", 4200)  # changed in Stripe's dashboard
    event = _event("customer.subscription.updated", _subscription("sub_dash", 1500), "evt_amount")
    for _ in range(2):  # delivered twice: the second changes nothing and is not audited
        ledger.on_subscription(event)
    assert _rows() == [
        (
            ACTION,
            "write",
            None,
            alice.user.pk,
            "donations.recurringgift",
            str(mine.pk),
            {"amount_minor": [1500, 4200], "fee_covered_minor": [75, 0]},
            {
                "currency": "USD",
                "stripe_event": "evt_amount",
                "stripe_event_type": "customer.subscription.updated",
                "delivered_by": "webhook",
                "subscription": "sub_dash",
            },
        )
    ]
    # The audit page names the actor as the system.
    assert AuditEntry.objects.get().actor is None


def test_a_subscription_cancelled_in_stripe_is_audited_with_its_status(alice: Donor) -> None:
    assert alice.user is not None
    mine = monthly(alice, 1500, stripe_subscription_id="sub_gone", stripe_status="active")
    sub = _subscription("sub_gone", 1500)
    sub.update(status="canceled", canceled_at=1_780_000_000)
    event = _event("customer.subscription.deleted", sub, "evt_gone")
    ledger.on_subscription(event)
    ledger.on_subscription(event)
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.CANCELLED
    cancelled = str(datetime.fromtimestamp(1_780_000_000, tz=UTC))
    assert _rows() == [
        (
            "donations.recurring.cancelled_by_stripe",
            "write",
            None,
            alice.user.pk,
            "donations.recurringgift",
            str(mine.pk),
            {
                "cancelled_at": [None, cancelled],
                "status": ["active", "cancelled"],
                "stripe_status": ["active", "canceled"],
            },
            {
                "currency": "USD",
                "stripe_event": "evt_gone",
                "stripe_event_type": "customer.subscription.deleted",
                "delivered_by": "webhook",
                "subscription": "sub_gone",
            },
        )
    ]


def test_an_event_that_changes_nothing_is_not_audited(
    alice: Donor, stripe_stub: HTTPServer
) -> None:
    monthly(alice, 1500, stripe_subscription_id="sub_same", stripe_status="active")
    StripeSubscription(stripe_stub, "sub_same", 1500)
    ledger.on_subscription(
        _event("customer.subscription.updated", _subscription("sub_same", 1500), "evt_same")
    )
    assert _rows() == []


def test_an_abandoned_monthly_checkout_is_audited_once(alice: Donor) -> None:
    assert alice.user is not None
    mine = monthly(alice, 2000, status="incomplete", stripe_subscription_id="")
    session = se.checkout_session(
        session_id="cs_left",
        mode="subscription",
        amount_minor=2000,
        currency="USD",
        email="alice@example.org",
        name="Alice Ng",
        metadata={"recurring_gift_id": str(mine.pk)},
        payment_status="unpaid",
        status="expired",
        created=1_780_000_000,
    )
    ledger.on_checkout_session(_event("checkout.session.expired", session, "evt_left"))
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.ABANDONED
    [(action, _kind, actor, subject, _type, object_id, changes, data)] = _rows()
    assert (action, actor, subject, object_id) == (ACTION, None, alice.user.pk, str(mine.pk))
    assert changes == {
        "checkout_expired_at": [None, str(mine.checkout_expired_at)],
        "status": ["incomplete", "abandoned"],
    }
    assert isinstance(data, dict) and data["stripe_event"] == "evt_left"
