"""The donor portal: own history and totals, monthly gifts (update card, cancel), details,
and nothing of anyone else's by URL guessing."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_httpserver import HTTPServer
from werkzeug import Request

from accounts.models import AuditEntry
from accounts.roles import Role
from donations.models import (
    DonationStatus,
    Donor,
    RecurringStatus,
    StripeEvent,
)
from donations.selectors.donors import donor_gifts, yearly_totals
from donations.stripe_integration import ledger
from donations.stripe_integration import offline_events as se
from donations.stripe_integration.subscriptions import cancel_idempotency_key, cancel_recurring_gift
from notifications.models import Message
from tests.donations.portal_data import campaign, donor_with_login, gift, monthly
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> Donor:
    return donor_with_login("Alice Ng", "alice@example.org")


@pytest.fixture
def bob() -> Donor:
    return donor_with_login("Bob Ray", "bob@example.org")


def login(client: Client, donor: Donor) -> Client:
    assert donor.user is not None
    client.force_login(donor.user)
    return client


def test_history_and_totals_per_year_and_currency_net_of_refunds(client: Client, alice, bob):
    gift(alice, 2500, paid="2025-03-01")
    gift(alice, 10000, paid="2025-07-01", refunded=4000, status=DonationStatus.PARTIALLY_REFUNDED)
    gift(alice, 5000, paid="2025-08-01", refunded=5000, status=DonationStatus.REFUNDED)
    gift(alice, 500000, "VND", paid="2025-09-01")
    gift(alice, 3000, paid="2026-01-10")
    gift(alice, 9900, paid="2026-02-10", status=DonationStatus.FAILED)
    gift(bob, 777700, paid="2025-03-01")
    totals = [(t.year, t.money.currency, t.money.minor, t.gifts) for t in yearly_totals(alice)]
    assert totals == [
        (2026, "USD", 3000, 1),
        (2025, "USD", 2500 + 6000 + 0, 3),
        (2025, "VND", 500000, 1),
    ]
    page = login(client, alice).get("/donor/").content.decode()
    assert "$30.00" in page  # 2026
    assert "$85.00" in page  # 2025 net
    assert "₫500,000" in page
    assert "$7,777.00" not in page  # Bob's gift


def test_visitors_log_in_and_people_without_gifts_or_donor_role_are_refused(client: Client):
    assert client.get("/donor/").status_code == 302
    client.force_login(make_user(roles=[Role.VOLUNTEER]))
    assert client.get("/donor/").status_code == 403


def test_a_donor_without_gifts_sees_an_empty_portal(client: Client, donor):
    client.force_login(donor)
    response = client.get("/donor/")
    assert response.status_code == 200
    assert "No gifts are recorded under this account yet." in response.content.decode()


def test_a_volunteer_with_a_donor_record_sees_the_portal(client: Client):
    volunteer_donor = donor_with_login("Ana Vo", "ana.vo@example.org", roles=(Role.VOLUNTEER,))
    gift(volunteer_donor, 4200)
    response = login(client, volunteer_donor).get("/donor/")
    assert response.status_code == 200
    assert "$42.00" in response.content.decode()


def test_url_guessing_finds_nothing_of_another_donor(client: Client, alice, bob):
    bobs = monthly(bob)
    login(client, alice)
    assert client.get(f"/donor/recurring/{bobs.pk}/cancel/").status_code == 404
    assert client.post(f"/donor/recurring/{bobs.pk}/cancel/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.cancelled_at is None
    assert bobs.status == RecurringStatus.ACTIVE


def test_details_and_preferences_record_when_consent_changed(client: Client, alice):
    login(client, alice)
    data = {
        "name": "Alice  Ng-Smith",
        "address_line1": "1 Main St",
        "address_line2": "",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "us",
        "communication_consent": "on",
        "give_anonymously": "on",
    }
    assert client.post("/donor/details/", data).status_code == 302
    alice.refresh_from_db()
    assert (alice.name, alice.country, alice.city) == ("Alice Ng-Smith", "US", "Springfield")
    assert alice.communication_consent is True
    assert alice.give_anonymously is True
    first = alice.communication_consent_at
    assert first is not None
    # Saving again without a change keeps the time; withdrawing records a new one.
    client.post("/donor/details/", data)
    alice.refresh_from_db()
    assert alice.communication_consent_at == first
    del data["communication_consent"]
    client.post("/donor/details/", data)
    consent, consent_at = Donor.objects.values_list(
        "communication_consent", "communication_consent_at"
    ).get(pk=alice.pk)
    assert consent is False
    assert consent_at is not None and consent_at > first


def test_bad_country_is_a_form_error(client: Client, alice):
    login(client, alice)
    response = client.post("/donor/details/", {"name": "Alice", "country": "U1"})
    assert response.status_code == 200
    assert "Use the two-letter country code" in response.content.decode()


def test_monthly_gift_offers_card_update_and_cancel(client: Client, alice):
    mine = monthly(alice)
    page = login(client, alice).get("/donor/").content.decode()
    assert "/donor/update-card/" in page
    assert f"/donor/recurring/{mine.pk}/cancel/" in page


def test_cancel_in_offline_mode_is_local_and_the_deleted_webhook_changes_nothing(
    client: Client, alice, settings
):
    settings.STRIPE_SECRET_KEY = ""
    mine = monthly(alice, stripe_subscription_id="sub_offline")
    login(client, alice)
    assert client.get(f"/donor/recurring/{mine.pk}/cancel/").status_code == 200
    assert client.post(f"/donor/recurring/{mine.pk}/cancel/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.CANCELLED
    assert mine.stripe_status == "canceled"
    cancelled_at = mine.cancelled_at
    assert cancelled_at is not None
    message = Message.objects.get(kind="donation.recurring_cancelled")
    assert message.recipient == alice.user
    assert message.dedupe_key == f"donation.recurring_cancelled:{mine.pk}"
    # A second click changes nothing and queues nothing.
    assert client.post(f"/donor/recurring/{mine.pk}/cancel/").status_code == 302
    assert Message.objects.filter(kind="donation.recurring_cancelled").count() == 1
    # One audit entry, by the donor, about them, with what changed.
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_id, e.changes)
        for e in AuditEntry.objects.filter(object_type="donations.recurringgift")
    ] == [
        (
            "donations.recurring.cancelled",
            alice.user.pk,
            alice.user.pk,
            str(mine.pk),
            {
                "cancelled_at": [None, str(cancelled_at)],
                "status": ["active", "cancelled"],
                "stripe_status": ["", "canceled"],
            },
        )
    ]
    # Stripe's later "deleted" event (cancelled a second later) leaves the ledger as it is.
    later = int(cancelled_at.timestamp()) + 1
    payload = se.build_event(
        "customer.subscription.deleted",
        se.subscription(
            subscription_id="sub_offline",
            customer=mine.stripe_customer_id,
            status="canceled",
            amount_minor=1500,
            currency="USD",
            metadata={"recurring_gift_id": str(mine.pk)},
            current_period_end=later,
            canceled_at=later,
        ),
        created=later,
    )
    event = StripeEvent.objects.create(
        event_id=payload["id"], type=payload["type"], payload=payload
    )
    ledger.on_subscription(event)
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.CANCELLED
    assert mine.cancelled_at == cancelled_at
    assert AuditEntry.objects.filter(object_type="donations.recurringgift").count() == 1


def test_cancel_calls_stripe_with_an_idempotency_key(alice, stripe_stub: HTTPServer):
    mine = monthly(alice, stripe_subscription_id="sub_live_1")
    seen: list[Request] = []

    def handler(request: Request):
        from werkzeug import Response

        seen.append(request)
        body = {
            "id": "sub_live_1",
            "object": "subscription",
            "status": "canceled",
            "canceled_at": 1_790_000_000,
            "customer": "cus_x",
            "metadata": {},
        }
        return Response(json.dumps(body), content_type="application/json")

    stripe_stub.expect_request(
        "/v1/subscriptions/sub_live_1", method="DELETE"
    ).respond_with_handler(handler)
    outcome = cancel_recurring_gift(gift=mine)
    assert outcome.already_cancelled is False
    assert len(seen) == 1
    assert seen[0].headers["Idempotency-Key"] == f"cancel-recurring-{mine.pk}"
    assert cancel_idempotency_key(mine) == f"cancel-recurring-{mine.pk}"
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.CANCELLED
    assert mine.cancelled_at is not None
    assert int(mine.cancelled_at.timestamp()) == 1_790_000_000
    # Cancelled already: Stripe is not asked again.
    assert cancel_recurring_gift(gift=mine).already_cancelled is True
    assert len(seen) == 1


def test_cancel_of_a_subscription_stripe_cancelled_already(alice, stripe_stub: HTTPServer):
    mine = monthly(alice, stripe_subscription_id="sub_gone")
    stripe_stub.expect_request("/v1/subscriptions/sub_gone", method="DELETE").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "already canceled"}}, status=400
    )
    stripe_stub.expect_request("/v1/subscriptions/sub_gone", method="GET").respond_with_json(
        {"id": "sub_gone", "object": "subscription", "status": "canceled", "canceled_at": None}
    )
    cancel_recurring_gift(gift=mine)
    mine.refresh_from_db()
    assert mine.status == RecurringStatus.CANCELLED


def test_stripe_failure_changes_nothing(client: Client, alice, stripe_stub: HTTPServer):
    mine = monthly(alice, stripe_subscription_id="sub_err")
    stripe_stub.expect_request("/v1/subscriptions/sub_err", method="DELETE").respond_with_json(
        {"error": {"type": "api_error", "message": "boom"}}, status=500
    )
    response = login(client, alice).post(f"/donor/recurring/{mine.pk}/cancel/")
    assert response.status_code == 503
    mine.refresh_from_db()
    assert mine.cancelled_at is None


def _fill(donor: Donor, count: int) -> None:
    fund = campaign(f"fund-{donor.pk}-{count}")
    for i in range(count):
        gift(donor, 1000 + i, paid=f"202{4 + i % 3}-0{1 + i % 9}-11", campaign=fund)
        monthly(donor, 500 + i)


def test_portal_query_count_does_not_grow_with_gifts(client: Client, alice):
    login(client, alice)
    _fill(alice, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/donor/").status_code == 200
    _fill(alice, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/donor/").status_code == 200
    assert len(small) == len(large)


def _receipt(donation, number: int):
    from donations.models.receipts import Receipt

    return Receipt.objects.create(
        donation=donation,
        year=2025,
        number=number,
        issued_at=donation.created_at,
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        language="en",
        donor_name=donation.donor.name,
    )


def test_receipts_and_statements_are_only_the_donors_own(client: Client, alice, bob):
    from pypdf import PdfReader

    from tests.utils import read_download

    mine = _receipt(gift(alice, 2500, paid="2025-03-01"), 1)
    theirs = _receipt(gift(bob, 777700, paid="2025-03-01"), 2)
    login(client, alice)
    page = client.get("/donor/").content.decode()
    assert f"/donor/receipts/{mine.pk}/pdf" in page
    assert f"/donor/receipts/{theirs.pk}/pdf" not in page
    assert "/donor/statements/2025/pdf" in page
    assert client.get(f"/donor/receipts/{theirs.pk}/pdf").status_code == 404
    own = client.get(f"/donor/receipts/{mine.pk}/pdf")
    assert own.status_code == 200
    statement = client.get("/donor/statements/2025/pdf")
    assert statement.status_code == 200
    body = statement.getvalue() if not statement.streaming else read_download(statement)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "Alice Ng" in text
    assert "Bob Ray" not in text
    assert "7,777.00" not in text


def test_gifts_are_newest_first_by_the_date_each_shows(client: Client, alice):
    """A gift that failed today (no payment date: it shows when it was made) comes first,
    not after every paid gift; on the portal, the coordinator's donor profile and the
    person's whole record alike."""

    def made_at(when: str, minor: int, status: str = DonationStatus.PAID):
        with time_machine.travel(datetime.fromisoformat(when), tick=False):
            return gift(alice, minor, paid=datetime.fromisoformat(when), status=status)

    october = made_at("2026-10-09T15:00:00+00:00", 1000)
    failed_today = made_at("2026-12-06T15:00:00+00:00", 2000, DonationStatus.FAILED)
    november_11 = made_at("2026-11-11T15:00:00+00:00", 3000)
    november_7 = made_at("2026-11-07T15:00:00+00:00", 4000)
    expected = [failed_today.pk, november_11.pk, november_7.pk, october.pk]
    assert [g.pk for g in donor_gifts(alice)] == expected
    response = login(client, alice).get("/donor/")
    assert [g.pk for g in response.context["gifts"]] == expected
    shown = re.findall(r'<time datetime="(2026-[0-9-]+)T', response.content.decode())
    assert shown == ["2026-12-06", "2026-11-11", "2026-11-07", "2026-10-09"]
    staff = make_user(roles=[Role.FUNDRAISER], email="coord.order@example.org")
    client.force_login(staff)
    profile = client.get(f"/coordinator/giving/donors/{alice.pk}/")
    assert [g.pk for g in profile.context["gifts"]] == expected
    assert alice.user is not None
    record = client.get(f"/coordinator/people/{alice.user.pk}/")
    assert [g.pk for g in record.context["gifts"]] == expected
