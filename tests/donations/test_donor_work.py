"""The donor record: its figures on a hand-made fixture, interactions and tasks (made once
per trigger, also from threads), and a query count that does not grow with gifts."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from donations.models import (
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    DonorTask,
    Interaction,
    RecurringGift,
    StripeEventStatus,
    TaskTrigger,
)
from donations.money import Money
from donations.selectors import donors as selectors
from donations.services import engagement
from donations.stripe_integration import offline_events as se
from tests.donations import ledger_stream as ls
from tests.donations.portal_data import gift

NOW = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


@pytest.fixture
def today(settings):
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.REPORTING_CURRENCY = "USD"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rosa(db, today) -> Donor:
    """Rosa's gifts over three years, in three currencies, with a refund and a failure."""
    rosa = Donor.objects.create(name="Rosa Alvarez", email="rosa@example.org")
    gift(rosa, 5000, paid="2024-03-01", source=DonationSource.CHEQUE, cheque_number="7")
    # A card gift settled in USD: counts by what Stripe paid (gross 97.10 after conversion).
    gift(
        rosa,
        15000,
        "JPY",
        paid="2025-02-10",
        settlement_currency="USD",
        settled_gross_minor=9710,
        settled_fee_minor=312,
        settled_net_minor=9398,
    )
    gift(rosa, 20000, paid="2025-11-30", refunded=5000, status=DonationStatus.PARTIALLY_REFUNDED)
    gift(rosa, 2500, paid="2026-01-15")
    gift(rosa, 4000, paid="2026-05-20")
    gift(rosa, 99900, paid="2026-05-21", status=DonationStatus.FAILED)  # never paid
    gift(rosa, 3000, "EUR", paid="2026-04-02", source=DonationSource.CASH)  # no USD figure
    return rosa


def test_lifetime_first_last_largest_and_this_year(rosa):
    summary = selectors.donor_summary(rosa)
    assert summary.gifts == 6
    # 50.00 + 97.10 + (200.00 - 50.00) + 25.00 + 40.00; the EUR cash gift has no USD figure.
    assert summary.lifetime == Money(36210, "USD")
    assert summary.this_year == Money(6500, "USD")
    assert summary.last_year == Money(24710, "USD")
    assert summary.unconverted == 1
    assert summary.first is not None and summary.first.money == Money(5000, "USD")
    assert summary.last is not None and summary.last.money == Money(4000, "USD")
    # The largest by what it brought: USD 150.00 net of its refund, not JPY 15,000.
    assert summary.largest is not None and summary.largest.money == Money(20000, "USD")
    assert summary.level == "Supporter"  # USD 362.10: at least 250, under 1,000


def test_giving_levels_follow_the_setting(rosa, settings):
    settings.DONOR_LEVELS = {"Bronze": "100", "Silver": "362.10", "Gold": "500"}
    assert selectors.donor_summary(rosa).level == "Silver"
    settings.DONOR_LEVELS = {"Gold": "500"}
    assert selectors.donor_summary(rosa).level == ""


def test_the_donor_page_shows_the_figures(client: Client, coordinator, rosa):
    client.force_login(coordinator)
    page = client.get(f"/coordinator/giving/donors/{rosa.pk}/").content.decode()
    assert "$362.10" in page and "$65.00" in page and "$247.10" in page
    assert "1 gift is not in USD yet" in page


def _more_gifts(donor: Donor, count: int) -> None:
    Donation.objects.bulk_create(
        Donation(
            donor=donor,
            amount_minor=1000 + n,
            currency="USD",
            status=DonationStatus.PAID,
            paid_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        )
        for n in range(count)
    )


def test_the_donor_page_query_count_is_the_same_for_5_and_500_gifts(
    client: Client, coordinator, today
):
    client.force_login(coordinator)
    counts = []
    for size in (5, 500):
        donor = Donor.objects.create(name=f"Size {size}", email=f"size{size}@example.org")
        _more_gifts(donor, size)
        for n in range(3):
            engagement.record_interaction(
                donor=donor,
                kind="call",
                happened_on=NOW.date(),
                text=f"call {n}",
                staff=coordinator,
            )
        engagement.add_task(
            donor=donor, title="Visit", due_on=NOW.date(), assignee=coordinator, by=coordinator
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/coordinator/giving/donors/{donor.pk}/")
        assert response.status_code == 200
        assert response.context["summary"].gifts == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_interactions_are_written_down_and_bad_input_is_a_form_error(
    client: Client, coordinator, rosa
):
    client.force_login(coordinator)
    url = f"/coordinator/giving/donors/{rosa.pk}/contacts/"
    bad = client.post(url, {"contact-kind": "fax", "contact-happened_on": "2026-05-30"})
    assert bad.status_code == 200
    assert set(bad.context["interaction_form"].errors) == {"kind", "text"}
    future = client.post(
        url,
        {"contact-kind": "call", "contact-happened_on": "2026-06-02", "contact-text": "Hi"},
    )
    assert "happened_on" in future.context["interaction_form"].errors
    too_long = client.post(
        url,
        {"contact-kind": "call", "contact-happened_on": "2026-05-30", "contact-text": "x" * 4001},
    )
    assert "text" in too_long.context["interaction_form"].errors
    assert Interaction.objects.count() == 0
    ok = client.post(
        url,
        {"contact-kind": "call", "contact-happened_on": "2026-05-30", "contact-text": "Thanked"},
    )
    assert ok.status_code == 302
    contact = Interaction.objects.get()
    assert (contact.donor, contact.kind, contact.staff, contact.text) == (
        rosa,
        "call",
        coordinator,
        "Thanked",
    )
    page = client.get(f"/coordinator/giving/donors/{rosa.pk}/").content.decode()
    assert "Thanked" in page


def test_a_task_is_added_done_once_and_shown_on_the_page(client: Client, coordinator, rosa):
    client.force_login(coordinator)
    url = f"/coordinator/giving/donors/{rosa.pk}/tasks/"
    bad = client.post(url, {"task-title": "", "task-due_on": "9999-01-01"})
    assert set(bad.context["task_form"].errors) == {"title", "due_on"}
    assert DonorTask.objects.count() == 0
    client.post(url, {"task-title": "Invite to the gala", "task-due_on": "2026-06-10"})
    task = DonorTask.objects.get()
    assert (task.title, task.trigger, task.assignee, str(task.due_on)) == (
        "Invite to the gala",
        TaskTrigger.MANUAL,
        None,
        "2026-06-10",
    )
    client.post(f"/coordinator/giving/tasks/{task.pk}/done/")
    client.post(f"/coordinator/giving/tasks/{task.pk}/done/")  # a double click
    task.refresh_from_db()
    assert task.done_by == coordinator
    assert task.done_at == NOW


# ---------------------------------------------------------------------------------------
# Tasks made by triggers


def _paid_session(donation: Donation, n: int, *, event_type: str = "checkout.session.completed"):
    session = se.checkout_session(
        session_id=f"cs_task_{donation.pk}",
        mode="payment",
        amount_minor=donation.amount_minor,
        currency=donation.currency,
        email=donation.donor.email,
        name=donation.donor.name,
        metadata={"donation_id": str(donation.pk)},
        payment_intent=f"pi_task_{donation.pk}",
        created=ls.T0,
    )
    return se.build_event(
        event_type, session, created=ls.T0 + n, event_id=f"evt_t{donation.pk}_{n}"
    )


@pytest.fixture
def stripe_offline(settings):
    settings.STRIPE_WEBHOOK_SECRET = ls.SECRET
    settings.STRIPE_SECRET_KEY = ""
    settings.REPORTING_CURRENCY = "USD"
    settings.DONOR_TASK_LARGE_GIFT = "1000"


@pytest.mark.django_db
def test_a_first_gift_and_a_large_gift_make_one_task_each(stripe_offline, coordinator, settings):
    settings.DONOR_TASK_ASSIGNEE = coordinator.email
    donor = Donor.objects.create(name="Sam Lee", email="sam@example.org")
    first = Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    big = Donation.objects.create(donor=donor, amount_minor=100000, currency="USD")
    for n in range(3):  # delivered again and again
        assert ls.deliver(_paid_session(first, n)).status == StripeEventStatus.DONE
    assert ls.deliver(_paid_session(big, 0)).status == StripeEventStatus.DONE
    assert ls.deliver(_paid_session(big, 1)).status == StripeEventStatus.DONE
    tasks = sorted(DonorTask.objects.values_list("trigger_key", "title", "assignee"))
    assert tasks == [
        (f"first-gift:{donor.pk}", "Thank Sam Lee for their first gift", coordinator.pk),
        (f"large-gift:{big.pk}", "Thank Sam Lee for a gift of $1,000.00", coordinator.pk),
    ]


@pytest.mark.django_db
def test_a_gift_below_the_threshold_or_unpaid_makes_no_large_gift_task(stripe_offline):
    donor = Donor.objects.create(name="Kim", email="kim@example.org")
    Donation.objects.create(
        donor=donor, amount_minor=200000, currency="USD", status=DonationStatus.PAID,
        paid_at=NOW,
    )  # fmt: skip
    small = Donation.objects.create(donor=donor, amount_minor=99999, currency="USD")
    ls.deliver(_paid_session(small, 0))
    assert DonorTask.objects.count() == 0  # not first, not large


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_gift", [True, False], ids=["two-events-one-gift", "two-gifts"])
def test_threads_paying_a_first_gift_make_one_task(stripe_offline, same_gift):
    """Two events for one first gift, or two first gifts of one donor, at the same moment."""
    donor = Donor.objects.create(name="Tia Moss", email="tia@example.org")
    one = Donation.objects.create(donor=donor, amount_minor=2500, currency="USD")
    two = (
        one
        if same_gift
        else Donation.objects.create(donor=donor, amount_minor=3000, currency="USD")
    )
    events = [
        _paid_session(one, 0),
        _paid_session(two, 1, event_type="checkout.session.async_payment_succeeded"),
    ]
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []
    errors: list[BaseException] = []

    def worker(event: dict[str, Any]) -> None:
        try:
            barrier.wait()
            outcomes.append(ls.deliver(event))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(o.status for o in outcomes) == [StripeEventStatus.DONE] * 2
    assert list(DonorTask.objects.values_list("trigger_key", flat=True)) == [
        f"first-gift:{donor.pk}"
    ]


@pytest.mark.django_db
def test_a_failed_monthly_gift_not_recovered_in_seven_days_makes_one_task(today):
    donor = Donor.objects.create(name="Ola Berg", email="ola@example.org")
    monthly = RecurringGift.objects.create(
        donor=donor, amount_minor=1500, currency="USD", status="past_due"
    )

    def instalment(invoice: str, failed_days_ago: int, *, paid: bool = False) -> Donation:
        failed_at = NOW - timedelta(days=failed_days_ago)
        return Donation.objects.create(
            donor=donor,
            recurring_gift=monthly,
            invoice_id=invoice,
            amount_minor=1500,
            currency="USD",
            status=DonationStatus.PAID if paid else DonationStatus.FAILED,
            failed_at=failed_at,
            paid_at=failed_at + timedelta(days=2) if paid else None,
        )

    old = instalment("in_1", 8)
    instalment("in_2", 6)  # not 7 days yet
    instalment("in_3", 9, paid=True)  # recovered by a retry
    assert engagement.tasks_for_failed_monthly() == 1
    assert engagement.tasks_for_failed_monthly() == 0  # the nightly sweep again
    task = DonorTask.objects.get()
    assert (task.trigger_key, task.donation, task.title) == (
        f"failed-monthly:{old.pk}",
        old,
        "Call Ola Berg: their monthly gift of $15.00 failed",
    )


def test_open_tasks_are_on_the_assignees_home(client: Client, coordinator, rosa):
    other = Donor.objects.create(name="Other", email="other@example.org")
    engagement.add_task(
        donor=rosa, title="Call Rosa", due_on=NOW.date(), assignee=coordinator, by=coordinator
    )
    engagement.add_task(
        donor=other, title="Anyone's task", due_on=NOW.date(), assignee=None, by=coordinator
    )
    done = engagement.add_task(
        donor=other, title="Done task", due_on=NOW.date(), assignee=coordinator, by=coordinator
    )
    engagement.complete_task(task=done, by=coordinator)
    client.force_login(coordinator)
    page = client.get("/coordinator/").content.decode()
    assert "Call Rosa" in page and "Anyone&#x27;s task" in page
    assert "Done task" not in page


def test_a_thank_you_is_tied_to_its_gift_and_shown_beside_it(client: Client, coordinator, rosa):
    client.force_login(coordinator)
    gift_of_rosa = rosa.donations.get(amount_minor=4000)
    other = Donor.objects.create(name="Other", email="other@example.org")
    not_hers = gift(other, 1000, paid="2026-05-01")
    url = f"/coordinator/giving/donors/{rosa.pk}/contacts/"
    base = {"contact-kind": "call", "contact-happened_on": "2026-05-30", "contact-text": "Thanks!"}
    refused = client.post(url, base | {"contact-donation": not_hers.pk})
    assert "donation" in refused.context["interaction_form"].errors
    client.post(url, base | {"contact-donation": gift_of_rosa.pk})
    assert Interaction.objects.get().donation == gift_of_rosa
    page = client.get(f"/coordinator/giving/donors/{rosa.pk}/").content.decode()
    assert "thanked: Call, May 30, 2026" in page


def test_adding_and_completing_a_task_is_audited(coordinator, rosa):
    from accounts.models import AuditEntry

    task = engagement.add_task(
        donor=rosa, title="Call Rosa", due_on=NOW.date(), assignee=coordinator, by=coordinator
    )
    assert engagement.complete_task(task=task, by=coordinator) is True
    assert engagement.complete_task(task=task, by=coordinator) is False  # nothing more written
    task.refresh_from_db()
    assert [
        (e.action, e.actor_id, e.subject_id, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ] == [
        (
            "donations.task.added",
            coordinator.pk,
            rosa.user_id,
            str(task.pk),
            {
                "assignee": [None, coordinator.pk],
                "due_on": [None, str(NOW.date())],
                "title": [None, "Call Rosa"],
            },
            {"donor": rosa.pk},
        ),
        (
            "donations.task.completed",
            coordinator.pk,
            rosa.user_id,
            str(task.pk),
            {"done_at": [None, str(task.done_at)], "done_by": [None, coordinator.pk]},
            {"donor": rosa.pk},
        ),
    ]
