"""The donor portal's "give again" and a monthly donor changing their amount themselves:
through Stripe's subscription update (the real SDK against the local stub), no proration,
the ledger kept by the webhook as usual, an audit entry and a confirmation e-mail."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from accounts.models import AuditEntry
from donations.forms.public import give_again_url
from donations.models import Donor, RecurringGift, RecurringStatus, StripeEvent
from donations.stripe_integration import ledger
from donations.stripe_integration import offline_events as se
from notifications.models import Message
from tests.donations.portal_data import campaign, donor_with_login, gift, monthly

pytestmark = pytest.mark.django_db

KIND = "donation.recurring_amount_changed"


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


# ---------------------------------------------------------------------------------------
# Give again


def _query(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


def test_give_again_prefills_a_preset_with_the_campaign(client: Client, alice, settings):
    settings.DONATION_CURRENCIES = ["USD", "EUR", "JPY"]
    spring = campaign("spring", "Spring appeal")
    gift(alice, 1000, paid="2024-01-05")
    gift(alice, 5000, "EUR", paid="2025-03-01", campaign=spring)
    gift(alice, 9000, paid="2025-04-01", status="refunded", refunded=9000)  # gave it all back
    gift(alice, 2000, status="failed")
    page = login(client, alice).get("/donor/").content.decode()
    expected = "/donate/spring/?frequency=once&amp;currency=EUR&amp;amount=EUR%3A50.00"
    assert f'<a class="button primary" href="{expected}">Give again</a>' in page
    assert "Your last gift was €50.00 on" in page
    # The donation page opens with that button chosen, in euros.
    form = client.get(expected.replace("&amp;", "&")).context["form"]
    assert form["amount"].value() == "EUR:50.00"
    assert form["currency"].value() == "EUR"
    assert form["frequency"].value() == "once"


def test_give_again_with_an_amount_that_is_no_preset_and_the_fee_covered(alice, settings):
    settings.DONATION_CURRENCIES = ["USD", "JPY"]
    closed = campaign("winter")
    closed.active = False
    closed.save()
    last = gift(alice, 3378, paid="2025-05-01", fee_covered_minor=128, campaign=closed)
    path, params = _query(give_again_url(last))
    assert path == "/donate/"  # the campaign closed: the general page
    assert params == {
        "frequency": ["once"],
        "currency": ["USD"],
        "amount": ["other"],
        "custom_amount": ["32.50"],  # 33.78 less the 1.28 that covered the fee
        "cover_fee": ["on"],
    }
    yen = gift(alice, 3500, "JPY", paid="2025-06-01")
    assert _query(give_again_url(yen))[1]["custom_amount"] == ["3500"]
    # A currency no longer taken: the page's own default.
    settings.DONATION_CURRENCIES = ["USD"]
    assert _query(give_again_url(yen))[1] == {"frequency": ["once"]}


def test_the_donate_page_shows_the_other_amount_given_again(client: Client):
    response = client.get("/donate/?frequency=once&currency=USD&amount=other&custom_amount=32.50")
    form = response.context["form"]
    assert form["amount"].value() == "other"
    assert form["custom_amount"].value() == "32.50"
    assert 'class="other-amount shown"' in response.content.decode()


def test_no_give_again_without_a_counted_gift(client: Client, alice):
    gift(alice, 2000, status="failed")
    page = login(client, alice).get("/donor/").content.decode()
    assert 'id="give-again"' not in page


# ---------------------------------------------------------------------------------------
# Change the monthly amount, through Stripe


def _subscription(sub_id: str, minor: int, *, product: str = "prod_gift") -> dict[str, Any]:
    sub = se.subscription(
        subscription_id=sub_id,
        customer="cus_a",
        status="active",
        amount_minor=minor,
        currency="USD",
        metadata={},
        current_period_end=1_790_000_000,
    )
    item = sub["items"]["data"][0]
    item["id"] = "si_gift"
    item["price"]["product"] = product
    return sub


class StripeSubscription:
    """The stub's one subscription: GET answers its state, POST updates its price."""

    def __init__(self, stub: HTTPServer, sub_id: str, minor: int) -> None:
        self.sub_id, self.minor = sub_id, minor
        self.updates: list[Request] = []
        stub.expect_request(f"/v1/subscriptions/{sub_id}", method="GET").respond_with_handler(
            self.get
        )
        stub.expect_request(f"/v1/subscriptions/{sub_id}", method="POST").respond_with_handler(
            self.post
        )

    def _answer(self) -> Response:
        body = json.dumps(_subscription(self.sub_id, self.minor))
        return Response(body, content_type="application/json")

    def get(self, request: Request) -> Response:
        return self._answer()

    def post(self, request: Request) -> Response:
        self.updates.append(request)
        self.minor = int(request.form["items[0][price_data][unit_amount]"])
        return self._answer()


def test_change_updates_stripe_without_proration_audits_and_confirms(
    client: Client, alice, stripe_stub: HTTPServer
):
    mine = monthly(alice, 1500, stripe_subscription_id="sub_live", fee_covered_minor=75)
    stripe = StripeSubscription(stripe_stub, "sub_live", 1500)
    login(client, alice)
    page = client.get("/donor/").content.decode()
    assert f'href="/donor/recurring/{mine.pk}/amount/"' in page
    assert client.get(f"/donor/recurring/{mine.pk}/amount/").status_code == 200
    stamp = int(mine.updated_at.timestamp() * 1_000_000)
    response = client.post(f"/donor/recurring/{mine.pk}/amount/", {"amount": "20"}, follow=True)
    assert response.redirect_chain == [("/donor/", 302)]
    assert "Your monthly gift is now $20.00, from your next payment." in response.content.decode()
    # One update: same item and product, the new price, no proration, a key for this change.
    assert len(stripe.updates) == 1
    sent = stripe.updates[0]
    assert sent.headers["Idempotency-Key"] == f"change-recurring-{mine.pk}-{stamp}-2000"
    assert sent.form.to_dict() == {
        "items[0][id]": "si_gift",
        "items[0][price_data][currency]": "usd",
        "items[0][price_data][product]": "prod_gift",
        "items[0][price_data][unit_amount]": "2000",
        "items[0][price_data][recurring][interval]": "month",
        "items[0][quantity]": "1",
        "proration_behavior": "none",
    }
    mine.refresh_from_db()
    assert (mine.amount_minor, mine.fee_covered_minor, mine.stripe_status) == (2000, 0, "active")
    entry = AuditEntry.objects.get(action="donations.recurring.amount_changed")
    assert entry.actor == alice.user
    assert entry.subject_id == alice.user.pk
    assert entry.changes == {"amount_minor": [1500, 2000], "fee_covered_minor": [75, 0]}
    assert entry.data == {"currency": "USD", "stripe": True}
    message = Message.objects.get(kind=KIND)
    assert message.recipient == alice.user
    assert message.context["old_amount"] == "$15.00"
    assert message.context["new_amount"] == "$20.00"
    assert message.context["portal_url"].endswith("/donor/")
    # Stripe's "updated" event follows: the webhook reads the subscription (20.00) and changes
    # nothing, as often as it comes.
    payload = se.build_event("customer.subscription.updated", _subscription("sub_live", 2000))
    event = StripeEvent.objects.create(
        event_id=payload["id"], type=payload["type"], payload=payload
    )
    for _ in range(2):
        ledger.on_subscription(event)
    mine.refresh_from_db()
    assert (mine.amount_minor, mine.status) == (2000, RecurringStatus.ACTIVE)
    assert Message.objects.filter(kind=KIND).count() == 1
    assert AuditEntry.objects.filter(action="donations.recurring.amount_changed").count() == 1


def test_an_amount_changed_in_stripe_reaches_the_ledger_by_the_webhook(
    alice, stripe_stub: HTTPServer
):
    mine = monthly(alice, 1500, stripe_subscription_id="sub_dash", fee_covered_minor=75)
    StripeSubscription(stripe_stub, "sub_dash", 4200)  # changed in Stripe's dashboard
    # The event's own object is stale (15.00); the state fetched from Stripe wins.
    payload = se.build_event("customer.subscription.updated", _subscription("sub_dash", 1500))
    event = StripeEvent.objects.create(
        event_id=payload["id"], type=payload["type"], payload=payload
    )
    ledger.on_subscription(event)
    mine.refresh_from_db()
    assert (mine.amount_minor, mine.fee_covered_minor) == (4200, 0)


def test_offline_change_is_local_and_an_older_event_does_not_undo_it(
    client: Client, alice, settings
):
    settings.STRIPE_SECRET_KEY = ""
    mine = monthly(alice, 1500, stripe_subscription_id="sub_off")
    response = login(client, alice).post(
        f"/donor/recurring/{mine.pk}/amount/", {"amount": "1,000.50"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.amount_minor == 100050
    # An "updated" event from before the change, delivered late, keeps the new amount.
    payload = se.build_event(
        "customer.subscription.updated", _subscription("sub_off", 1500), created=1_700_000_000
    )
    event = StripeEvent.objects.create(
        event_id=payload["id"],
        type=payload["type"],
        payload=payload,
        stripe_created=se_time(1_700_000_000),
    )
    ledger.on_subscription(event)
    mine.refresh_from_db()
    assert mine.amount_minor == 100050
    assert Message.objects.filter(kind=KIND).count() == 1


def se_time(seconds: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0.30", "The smallest gift Stripe can take in USD is $0.50."),
        ("15", "This is already your amount: type a different one."),
        ("15.00", "This is already your amount: type a different one."),
        ("", "Enter an amount."),
        ("-5", "Enter an amount more than zero."),
        ("25,50", "Enter the amount in digits, with a point before any decimals"),
        ("10.555", "USD amounts need at most 2 decimals, e.g. 25.50."),
        ("1000000", "The largest gift we can take online in USD is $999,999.99."),
    ],
)
def test_bad_amounts_are_form_errors_and_change_nothing(
    client: Client, alice, stripe_stub: HTTPServer, typed: str, message: str
):
    mine = monthly(alice, 1500, stripe_subscription_id="sub_bad")
    stripe = StripeSubscription(stripe_stub, "sub_bad", 1500)
    response = login(client, alice).post(f"/donor/recurring/{mine.pk}/amount/", {"amount": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    mine.refresh_from_db()
    assert mine.amount_minor == 1500
    assert stripe.updates == []
    assert not Message.objects.filter(kind=KIND).exists()
    assert not AuditEntry.objects.filter(action="donations.recurring.amount_changed").exists()


def test_stripe_down_changes_nothing(client: Client, alice, stripe_stub: HTTPServer):
    mine = monthly(alice, 1500, stripe_subscription_id="sub_err")
    stripe_stub.expect_request("/v1/subscriptions/sub_err").respond_with_json(
        {"error": {"type": "api_error", "message": "boom"}}, status=500
    )
    response = login(client, alice).post(f"/donor/recurring/{mine.pk}/amount/", {"amount": "20"})
    assert response.status_code == 503
    assert "Nothing has changed; try again." in response.content.decode()
    mine.refresh_from_db()
    assert mine.amount_minor == 1500
    assert not Message.objects.filter(kind=KIND).exists()
    assert not AuditEntry.objects.filter(action="donations.recurring.amount_changed").exists()


def test_only_the_donors_own_running_gift(client: Client, alice, bob, settings):
    settings.STRIPE_SECRET_KEY = ""
    hers = monthly(alice, 1500)
    login(client, bob)
    assert client.get(f"/donor/recurring/{hers.pk}/amount/").status_code == 404
    assert client.post(f"/donor/recurring/{hers.pk}/amount/", {"amount": "20"}).status_code == 404
    stopped = monthly(bob, 1500, status=RecurringStatus.CANCELLED)
    stopped.cancelled_at = stopped.created_at
    stopped.save()
    response = client.post(f"/donor/recurring/{stopped.pk}/amount/", {"amount": "20"})
    assert response.status_code == 302
    late = monthly(bob, 1500, status=RecurringStatus.INCOMPLETE)
    response = client.post(f"/donor/recurring/{late.pk}/amount/", {"amount": "20"})
    assert response.status_code == 400
    assert "Only a running monthly gift can change its amount." in response.content.decode()
    assert RecurringGift.objects.get(pk=hers.pk).amount_minor == 1500
    assert RecurringGift.objects.get(pk=late.pk).amount_minor == 1500


def test_change_page_query_count_is_the_same_with_few_and_many_gifts(
    client: Client, alice, settings
):
    settings.STRIPE_SECRET_KEY = ""
    mine = monthly(alice, 1500)
    login(client, alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/donor/recurring/{mine.pk}/amount/").status_code == 200
        return len(queries)

    for n in range(3):
        gift(alice, 1000 + n, recurring_gift=mine)
    small = count()
    for n in range(60):
        gift(alice, 2000 + n, recurring_gift=mine)
        monthly(alice, 700 + n)
    assert count() == small
