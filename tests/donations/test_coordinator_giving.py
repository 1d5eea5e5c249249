"""Coordinator giving pages: who may open them, filters and search, query counts, and the
re-process action of the Stripe events log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    Donor,
    RecurringGift,
    RecurringStatus,
    StripeEvent,
    StripeEventStatus,
)

pytestmark = pytest.mark.django_db

BASE = "/coordinator/giving"
PAGES = [
    f"{BASE}/donations/",
    f"{BASE}/campaigns/",
    f"{BASE}/recurring/",
    f"{BASE}/stripe-events/",
]


def gift(donor: Donor, minor: int = 2500, currency: str = "USD", **kwargs: Any) -> Donation:
    status = kwargs.pop("status", DonationStatus.PAID)
    return Donation.objects.create(
        donor=donor,
        amount_minor=minor,
        currency=currency,
        status=status,
        paid_at=None
        if status in (DonationStatus.PENDING, DonationStatus.FAILED)
        else timezone.now(),
        **kwargs,
    )


def event(event_id: str, status: str = StripeEventStatus.DONE, **kwargs: Any) -> StripeEvent:
    return StripeEvent.objects.create(
        event_id=event_id,
        type=kwargs.pop("type", "checkout.session.completed"),
        payload={"id": event_id, "object": "event"},
        status=status,
        **kwargs,
    )


# Permissions


@pytest.mark.parametrize("url", PAGES)
def test_visitors_are_sent_to_log_in(client: Client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_volunteers_and_donors_are_refused(client: Client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_may_reprocess(client: Client, request, who):
    failed = event("evt_f", status=StripeEventStatus.FAILED, type="no.handler")
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"{BASE}/stripe-events/reprocess/", {"event": failed.pk}).status_code == 403
    client.logout()
    assert client.post(f"{BASE}/stripe-events/reprocess/", {"event": failed.pk}).status_code == 302
    failed.refresh_from_db()
    assert failed.status == StripeEventStatus.FAILED


@pytest.mark.parametrize("url", PAGES)
def test_coordinators_open_every_page(client: Client, coordinator: User, url):
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_coordinator_home_and_navigation_link_to_giving(client: Client, coordinator: User):
    client.force_login(coordinator)
    html = client.get("/coordinator/").content.decode()
    for url in PAGES:
        assert f'href="{url}"' in html


# The donations list


@pytest.fixture
def ledger(db: None) -> dict[str, Any]:
    winter = Campaign.objects.create(name="Winter", slug="winter")
    grace = Donor.objects.create(name="Grace Hopper", email="grace@example.org")
    ada = Donor.objects.create(name="Ada Lovelace", email="ada@example.org")
    first = gift(grace, 2500, campaign=winter, payment_intent_id="pi_grace")
    second = gift(ada, 3000, "JPY", status=DonationStatus.REFUNDED, refunded_minor=3000)
    third = gift(ada, 500000, "VND", status=DonationStatus.FAILED, campaign=winter)
    for donation, when in (
        (first, datetime(2031, 1, 10, 15, tzinfo=UTC)),
        (second, datetime(2031, 2, 1, 3, tzinfo=UTC)),
        (third, datetime(2031, 3, 5, 12, tzinfo=UTC)),
    ):
        # A paid gift is dated by its payment; an unpaid (failed) one by when it was made.
        paid_at = when if donation.paid_at else None
        Donation.objects.filter(pk=donation.pk).update(created_at=when, paid_at=paid_at)
    return {"winter": winter, "first": first, "second": second, "third": third}


def listed(client: Client, **params: Any) -> list[int]:
    response = client.get(f"{BASE}/donations/", params)
    assert response.status_code == 200
    return [donation.pk for donation in response.context["page"].object_list]


def test_donations_list_filters_and_search(client: Client, coordinator: User, ledger):
    client.force_login(coordinator)
    first, second, third = ledger["first"].pk, ledger["second"].pk, ledger["third"].pk

    assert listed(client) == [third, second, first]
    assert listed(client, campaign=ledger["winter"].pk) == [third, first]
    assert listed(client, status="refunded") == [second]
    assert listed(client, currency="VND") == [third]
    assert listed(client, q="ADA@") == [third, second]
    assert listed(client, q="lovelace") == [third, second]
    assert listed(client, q="pi_grace") == [first]
    assert listed(client, q="pi_gra") == []  # Stripe ids match whole
    # Days in the organisation's zone (America/New_York): 1 Feb 03:00 UTC is 31 Jan there.
    assert listed(client, date_from="2031-01-31", date_to="2031-01-31") == [second]
    assert listed(client, date_from="2031-02-01") == [third]
    assert listed(client, date_to="2031-01-10") == [first]


def test_a_gift_entered_late_is_listed_by_the_day_it_was_given(
    client: Client, coordinator: User, ledger
):
    client.force_login(coordinator)
    cheque = gift(ledger["first"].donor, 1000)
    Donation.objects.filter(pk=cheque.pk).update(
        created_at=datetime(2031, 4, 1, 12, tzinfo=UTC),
        paid_at=datetime(2031, 1, 20, 15, tzinfo=UTC),
    )
    first, second, third = ledger["first"].pk, ledger["second"].pk, ledger["third"].pk
    assert listed(client) == [third, second, cheque.pk, first]
    assert listed(client, date_from="2031-01-20", date_to="2031-01-20") == [cheque.pk]


def test_donations_list_shows_formatted_amounts(client: Client, coordinator: User, ledger):
    client.force_login(coordinator)
    html = client.get(f"{BASE}/donations/").content.decode()
    assert "$25.00" in html
    assert "¥3,000" in html
    assert "₫500,000" in html
    assert "refunded ¥3,000" in html


def test_bad_filters_are_form_errors_not_500(client: Client, coordinator: User, ledger):
    client.force_login(coordinator)
    response = client.get(
        f"{BASE}/donations/",
        {"date_from": "2031-13-45", "campaign": "999999", "status": "lost", "currency": "KWD"},
    )
    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {
        "date_from",
        "campaign",
        "status",
        "currency",
    }
    response = client.get(
        f"{BASE}/donations/", {"date_from": "2031-02-02", "date_to": "2031-02-01"}
    )
    assert response.context["filters"].errors == {
        "date_to": ["The end date is before the start date."]
    }


def test_donations_list_paginates(client: Client, coordinator: User):
    client.force_login(coordinator)
    donor = Donor.objects.create(name="G", email="g@example.org")
    Donation.objects.bulk_create(
        Donation(donor=donor, amount_minor=100 + n, currency="USD", status=DonationStatus.PAID)
        for n in range(55)
    )
    first = client.get(f"{BASE}/donations/", {"currency": "USD"})
    assert len(first.context["page"].object_list) == 50
    assert "currency=USD&amp;page=2" in first.content.decode()
    second = client.get(f"{BASE}/donations/", {"currency": "USD", "page": "2"})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.postgres
def test_an_unfiltered_list_of_a_huge_table_shows_an_estimated_total(
    client: Client, coordinator: User, monkeypatch: pytest.MonkeyPatch
):
    from core.pagination import EstimatingPaginator

    client.force_login(coordinator)
    donor = Donor.objects.create(name="G", email="g@example.org")
    now = timezone.now()
    Donation.objects.bulk_create(
        Donation(
            donor=donor,
            amount_minor=100 + n,
            currency="USD",
            status=DonationStatus.PAID,
            paid_at=now,
        )
        for n in range(30)
    )
    # Unfinished checkouts, which the list leaves out: the estimate takes their share off.
    Donation.objects.bulk_create(
        Donation(donor=donor, amount_minor=100 + n, currency="USD", status=status)
        for n in range(5)
        for status in (DonationStatus.PENDING, DonationStatus.ABANDONED)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE donations_donation")  # what autovacuum keeps up to date
    with CaptureQueriesContext(connection) as exact:
        first = client.get(f"{BASE}/donations/").context["page"].paginator
        assert (first.estimated, first.count) == (False, 30)
    monkeypatch.setattr(EstimatingPaginator, "ESTIMATE_ABOVE", 10)  # "huge" for the test
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/donations/")
    # The same number of queries whether it counts or estimates (one either way).
    assert len(queries.captured_queries) == len(exact.captured_queries)
    paginator = response.context["page"].paginator
    assert (paginator.estimated, paginator.count) == (True, 30)
    html = response.content.decode()
    assert "About 30 donations" in html
    assert "filter the list for an exact count" in html
    # Any filter counts exactly.
    filtered = client.get(f"{BASE}/donations/", {"currency": "USD"})
    assert (
        filtered.context["page"].paginator.estimated,
        filtered.context["page"].paginator.count,
    ) == (False, 30)
    pending = client.get(f"{BASE}/donations/", {"status": "pending"}).context["page"]
    assert (pending.paginator.estimated, pending.paginator.count) == (False, 5)
    assert "30 donations" in filtered.content.decode()
    assert "About" not in filtered.content.decode()


def test_donations_list_queries_do_not_grow(client: Client, coordinator: User):
    client.force_login(coordinator)
    winter = Campaign.objects.create(name="Winter", slug="winter")

    def add(count: int) -> None:
        for n in range(count):
            donor = Donor.objects.create(name=f"D{n}", email=f"d{n}-{count}@example.org")
            recurring = RecurringGift.objects.create(donor=donor, amount_minor=1000, currency="USD")
            gift(donor, 1000, campaign=winter, recurring_gift=recurring)

    add(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"{BASE}/donations/").status_code == 200
    add(55)
    with CaptureQueriesContext(connection) as large:
        response = client.get(f"{BASE}/donations/")
    assert response.context["page"].paginator.count == 60
    assert len(small) == len(large)


# Campaigns and recurring gifts


def test_campaign_list_shows_progress(client: Client, coordinator: User):
    client.force_login(coordinator)
    donor = Donor.objects.create(name="G", email="g@example.org")
    winter = Campaign.objects.create(
        name="Winter", slug="winter", goal_minor=10000, goal_currency="USD"
    )
    Campaign.objects.create(name="General fund", slug="general")
    gift(donor, 2500, campaign=winter)
    gift(donor, 2500, campaign=winter, status=DonationStatus.DISPUTED)
    gift(donor, 2500, campaign=winter, status=DonationStatus.PENDING)

    response = client.get(f"{BASE}/campaigns/")
    rows = {campaign.slug: progress for campaign, progress in response.context["rows"]}
    assert (rows["winter"].raised.minor, rows["winter"].percent) == (2500, 25)
    assert rows["general"].goal is None
    assert "$25.00" in response.content.decode()


def test_campaign_list_queries_do_not_grow(client: Client, coordinator: User):
    client.force_login(coordinator)
    donor = Donor.objects.create(name="G", email="g@example.org")

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            campaign = Campaign.objects.create(
                name=f"C{n}", slug=f"c{n}", goal_minor=1000, goal_currency="USD"
            )
            gift(donor, 500, campaign=campaign)

    add(2, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(f"{BASE}/campaigns/")
    add(20, 2)
    with CaptureQueriesContext(connection) as large:
        client.get(f"{BASE}/campaigns/")
    assert len(small) == len(large)


def test_recurring_list_filters_by_status(client: Client, coordinator: User):
    client.force_login(coordinator)
    donor = Donor.objects.create(name="G", email="g@example.org")
    active = RecurringGift.objects.create(
        donor=donor, amount_minor=1000, currency="USD", status=RecurringStatus.ACTIVE
    )
    RecurringGift.objects.create(
        donor=donor, amount_minor=2000, currency="USD", status=RecurringStatus.PAST_DUE
    )
    response = client.get(f"{BASE}/recurring/", {"status": "active"})
    assert [g.pk for g in response.context["page"].object_list] == [active.pk]
    assert "$10.00" in response.content.decode()


# Stripe events log


def test_events_log_filters_and_shows_errors(client: Client, coordinator: User):
    client.force_login(coordinator)
    now = timezone.now()
    event("evt_ok", received_at=now - timedelta(minutes=2))
    bad = event(
        "evt_bad",
        status=StripeEventStatus.FAILED,
        type="invoice.paid",
        error="KeyError: 'lines'",
        attempts=2,
        received_at=now - timedelta(minutes=1),
    )
    response = client.get(f"{BASE}/stripe-events/", {"status": "failed"})
    assert [e.pk for e in response.context["page"].object_list] == [bad.pk]
    html = response.content.decode()
    assert "KeyError: &#x27;lines&#x27;" in html
    assert "Re-process" in html
    response = client.get(f"{BASE}/stripe-events/", {"type": "checkout.session.completed"})
    assert [e.event_id for e in response.context["page"].object_list] == ["evt_ok"]


def test_reprocess_runs_failed_events_again(client: Client, coordinator: User):
    client.force_login(coordinator)
    failed = event("evt_f", status=StripeEventStatus.FAILED, type="no.handler", error="boom")
    response = client.post(
        f"{BASE}/stripe-events/reprocess/",
        {"event": [failed.pk], "query": "status=failed"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{BASE}/stripe-events/?status=failed", 302)]
    failed.refresh_from_db()
    assert failed.status == StripeEventStatus.IGNORED
    assert [str(m) for m in response.context["messages"]] == [
        "Re-processed: 1 ignored (no handler for this type)."
    ]


def test_reprocess_refuses_an_event_that_has_not_failed(client: Client, coordinator: User):
    client.force_login(coordinator)
    done = event("evt_done")
    response = client.post(f"{BASE}/stripe-events/reprocess/", {"event": [done.pk]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "That event has not failed (any more); nothing to re-process."
    ]
    done.refresh_from_db()
    assert (done.status, done.attempts) == (StripeEventStatus.DONE, 0)


def test_reprocess_needs_post(client: Client, coordinator: User):
    client.force_login(coordinator)
    assert client.get(f"{BASE}/stripe-events/reprocess/").status_code == 405


def test_an_absurd_date_is_a_form_error(client: Client, coordinator: User, ledger):
    client.force_login(coordinator)
    response = client.get(f"{BASE}/donations/", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert response.context["filters"].errors == {"date_to": ["Enter a date before the year 2200."]}
