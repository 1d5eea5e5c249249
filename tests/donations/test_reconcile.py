"""Nightly reconciliation against a local stub of Stripe's event list (real SDK): with the
webhook endpoint down, 50 events are applied once each and the ledger equals live delivery."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.db import transaction
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from donations.models import Donation, Donor, EventDelivery, StripeEvent
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.reconcile import late_events, reconcile_events
from tests.donations import ledger_stream as ls

pytestmark = pytest.mark.django_db

NOW = ls.T0 + 200 * ls.DAY


def fifty_events() -> list[dict[str, Any]]:
    """The ledger stream (17 events) and 33 one-time gifts, spread over the last two days."""
    events = ls.build_stream(ls.make_pending())
    for n in range(33):
        donor = Donor.objects.create(name=f"Extra {n}", email=f"extra{n}@example.org")
        pending = Donation.objects.create(donor=donor, amount_minor=1000 + n, currency="USD")
        session = se.checkout_session(
            session_id=f"cs_extra_{n}",
            mode="payment",
            amount_minor=1000 + n,
            currency="USD",
            email=donor.email,
            name=donor.name,
            metadata={"donation_id": str(pending.pk)},
            payment_intent=f"pi_extra_{n}",
            created=ls.T0,
        )
        events.append(se.build_event("checkout.session.completed", session, event_id=f"evt_x{n}"))
    for index, event in enumerate(events):
        event["created"] = NOW - 2 * ls.DAY + index * 60
    assert len(events) == 50
    return events


def serve(stub: HTTPServer, events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The events list, newest first, paged by 10 whatever the limit asked; and the two
    subscriptions as Stripe has them at the end. Returns the list requests' arguments."""
    asked: list[dict[str, str]] = []
    newest_first = sorted(events, key=lambda e: (e["created"], e["id"]), reverse=True)

    def list_events(request: Request) -> Response:
        asked.append(dict(request.args))
        since = int(request.args["created[gte]"])
        rows = [e for e in newest_first if e["created"] >= since]
        after = request.args.get("starting_after")
        if after:
            rows = rows[[e["id"] for e in rows].index(after) + 1 :]
        body = {
            "object": "list",
            "url": "/v1/events",
            "data": rows[:10],
            "has_more": len(rows) > 10,
        }
        return Response(json.dumps(body), content_type="application/json")

    stub.expect_request("/v1/events", method="GET").respond_with_handler(list_events)
    for sub_id, status in (("sub_chris", "active"), ("sub_dana", "canceled")):
        last = [
            e["data"]["object"]
            for e in events
            if e["type"].startswith("customer.subscription") and e["data"]["object"]["id"] == sub_id
        ][-1]
        stub.expect_request(f"/v1/subscriptions/{sub_id}").respond_with_json(
            last | {"status": status}
        )
    return asked


def test_an_endpoint_down_loses_nothing_and_a_second_run_changes_nothing(stripe_stub):
    with time_machine.travel(NOW, tick=False):
        events = fifty_events()
        asked = serve(stripe_stub, events)
        with transaction.atomic():
            for event in events:
                assert not ls.deliver(event, secret="whsec_stub").failed
            live = ls.snapshot()
            transaction.set_rollback(True)
        assert StripeEvent.objects.count() == 0  # the endpoint "never received" them

        found = reconcile_events(days=3)
        assert (found.listed, found.applied, found.retried) == (50, 50, 0)
        assert ls.snapshot() == live
        assert StripeEvent.objects.filter(delivered_by=EventDelivery.RECONCILIATION).count() == 50
        assert len(late_events()) == 50
        # Five pages of ten, each after the last id of the one before, from three days ago.
        assert len(asked) == 5
        assert {a["created[gte]"] for a in asked} == {str(NOW - 3 * ls.DAY)}

        again = reconcile_events(days=3)
        assert (again.listed, again.applied, again.retried) == (50, 0, 0)
        assert ls.snapshot() == live


def test_events_delivered_live_are_not_applied_again(stripe_stub):
    with time_machine.travel(NOW, tick=False):
        events = fifty_events()
        serve(stripe_stub, events)
        for event in events[:30]:
            ls.deliver(event, secret="whsec_stub")
        found = reconcile_events(days=3)
        assert (found.listed, found.applied) == (50, 20)
        late = {e.event_id for e in late_events()}
        assert late == {e["id"] for e in events[30:]}


def test_days_outside_stripes_thirty_are_refused(stripe_stub):
    with pytest.raises(ValueError, match="between 1 and 30"):
        reconcile_events(days=31)


def test_the_events_page_lists_the_events_applied_late(client, coordinator, stripe_stub):
    with time_machine.travel(NOW, tick=False):
        events = fifty_events()
        serve(stripe_stub, events)
        for event in events[:45]:
            ls.deliver(event, secret="whsec_stub")
        reconcile_events(days=3)
    client.force_login(coordinator)
    page = client.get(
        "/coordinator/giving/stripe-events/", {"delivered_by": "reconciliation"}
    ).content.decode()
    assert page.count('<span class="tag">applied late</span>') == 5
    assert all(e["id"] in page for e in events[45:])
