"""Year-end statements: net of refunds with totals per currency, the run with its progress,
and who may download which statement."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from accounts.roles import Role
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    StatementRun,
    StatementRunStatus,
)
from donations.money import Money
from donations.services.receipts import sync_receipt
from donations.services.statements import (
    generate_statements,
    start_statement_run,
    statement_document,
    statement_pdf,
)
from notifications.models import Message
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def zone(settings):
    settings.ORG_TIME_ZONE = "America/New_York"
    settings.RECEIPT_NUMBER_PREFIX = "R"


def gift(donor: Donor, minor: int, currency: str, paid_at: datetime, **kwargs: Any) -> Donation:
    refunded = kwargs.pop("refunded_minor", 0)
    status = kwargs.pop(
        "status",
        DonationStatus.REFUNDED
        if refunded >= minor
        else DonationStatus.PARTIALLY_REFUNDED
        if refunded
        else DonationStatus.PAID,
    )
    donation = Donation.objects.create(
        donor=donor,
        amount_minor=minor,
        currency=currency,
        paid_at=paid_at,
        refunded_minor=refunded,
        status=status,
        **kwargs,
    )
    sync_receipt(donation=donation)
    return donation


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def ana() -> Donor:
    user = make_user(email="ana.s@example.org", roles=[Role.DONOR])
    donor = Donor.objects.create(name="Ana Lima", email="ana.s@example.org", user=user)
    # 2026, in New York time: three counted gifts, one refunded in full, one in part.
    gift(donor, 5000, "USD", datetime(2026, 1, 1, 5, 30, tzinfo=UTC))  # 00:30 New York
    gift(donor, 3000, "USD", datetime(2026, 6, 1, 12, tzinfo=UTC), refunded_minor=1000)
    gift(donor, 4000, "USD", datetime(2026, 7, 1, 12, tzinfo=UTC), refunded_minor=4000)
    gift(donor, 500000, "VND", datetime(2026, 8, 1, 12, tzinfo=UTC))
    gift(
        donor, 9900, "USD", datetime(2026, 9, 1, 12, tzinfo=UTC), status=DonationStatus.DISPUTE_LOST
    )
    # Outside 2026 in New York time (the first is 31 Dec 2025, 19:00 there).
    gift(donor, 7000, "USD", datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    gift(donor, 8000, "USD", datetime(2027, 1, 1, 6, 0, tzinfo=UTC))
    return donor


def test_statement_lists_the_net_and_excludes_refunded_amounts(ana):
    doc = statement_document(donor=ana, year=2026)
    assert [(line.received_on.isoformat(), line.money) for line in doc.lines] == [
        ("2026-01-01", Money(5000, "USD")),
        ("2026-06-01", Money(2000, "USD")),
        ("2026-08-01", Money(500000, "VND")),
    ]
    assert doc.totals == [Money(7000, "USD"), Money(500000, "VND")]
    # Each line names the receipt in force (the replacement for the partial refund).
    numbers = [line.receipt_number for line in doc.lines]
    assert all(number.startswith("R2026-") for number in numbers)
    text = text_of(statement_pdf(donor=ana, year=2026))
    assert "Giving statement 2026" in text
    assert "Ana Lima" in text
    assert "$20.00" in text and "$30.00" not in text and "$40.00" not in text
    assert "Total USD $70.00" in text
    assert "Total VND ₫500,000" in text
    assert "$99.00" not in text and "$70.00" in text


def test_statement_shows_gross_fee_and_net_in_the_reporting_currency(ana, settings):
    settings.REPORTING_CURRENCY = "USD"
    # A JPY card gift settled into the USD account: 33.50 gross, 1.27 fee.
    gift(
        ana,
        5000,
        "JPY",
        datetime(2026, 10, 1, 12, tzinfo=UTC),
        settlement_currency="USD",
        settled_gross_minor=3350,
        settled_fee_minor=127,
        settled_net_minor=3223,
    )
    doc = statement_document(donor=ana, year=2026)
    assert [(line.money, line.reporting) for line in doc.lines] == [
        (Money(5000, "USD"), (Money(5000, "USD"), Money(0, "USD"), Money(5000, "USD"))),
        (Money(2000, "USD"), (Money(2000, "USD"), Money(0, "USD"), Money(2000, "USD"))),
        (Money(500000, "VND"), None),  # not settled: no USD figure
        (Money(5000, "JPY"), (Money(3350, "USD"), Money(127, "USD"), Money(3223, "USD"))),
    ]
    assert doc.totals == [Money(5000, "JPY"), Money(7000, "USD"), Money(500000, "VND")]
    assert doc.reporting_totals == (Money(10350, "USD"), Money(127, "USD"), Money(10223, "USD"))
    assert doc.unconverted == 1
    text = text_of(statement_pdf(donor=ana, year=2026))
    assert "Total JPY ¥5,000" in text
    assert "Gross (USD) $103.50" in text
    assert "Fees (USD) $1.27" in text
    assert "Net (USD) $102.23" in text
    assert "1 gift has no amount in USD yet." in text


def test_a_year_without_gifts_says_so(ana):
    text = text_of(statement_pdf(donor=ana, year=2024))
    assert "No gifts were received from you in 2024." in text


def test_the_run_makes_and_emails_every_donors_statement(
    ana, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    other = Donor.objects.create(name="Binh Tran", email="binh.s@example.org")
    gift(other, 2500, "USD", datetime(2026, 3, 3, 12, tzinfo=UTC))
    no_email = Donor.objects.create(name="Cash Giver")
    gift(no_email, 1000, "USD", datetime(2026, 3, 3, 12, tzinfo=UTC))
    refunded_only = Donor.objects.create(name="Refunded", email="r.s@example.org")
    gift(refunded_only, 1000, "USD", datetime(2026, 3, 3, 12, tzinfo=UTC), refunded_minor=1000)
    started: list[int] = []
    monkeypatch.setattr(
        "donations.services.statements._enqueue_run", lambda run_id: started.append(run_id)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = start_statement_run(year=2026, by=coordinator)
    assert started == [run.pk]
    assert run.status == StatementRunStatus.PENDING
    # A second run for the same year is refused while this one is active.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        start_statement_run(year=2026, by=coordinator)
    done = generate_statements(run_id=run.pk)
    assert (done.status, done.total, done.done, done.emailed) == (
        StatementRunStatus.DONE,
        3,
        3,
        2,
    )
    keys = sorted(
        Message.objects.filter(kind="donation.statement").values_list("dedupe_key", flat=True)
    )
    assert keys == sorted(
        [
            f"donation.statement:2026:{run.pk}:{ana.pk}",
            f"donation.statement:2026:{run.pk}:{other.pk}",
        ]
    )
    # Running the task again (a retry) queues nothing new.
    generate_statements(run_id=run.pk)
    assert Message.objects.filter(kind="donation.statement").count() == 2


def test_the_task_runs_the_service(ana, coordinator):
    from donations.tasks import run_statements

    run = StatementRun.objects.create(year=2026, started_by=coordinator)
    assert run_statements(run_id=run.pk) == 1
    run.refresh_from_db()
    assert (run.status, run.percent) == (StatementRunStatus.DONE, 100)


# Pages and downloads

STATEMENTS_URL = "/coordinator/giving/statements/"


def test_a_donor_downloads_only_their_own_statement(client: Client, ana):
    client.force_login(ana.user)
    response = client.get("/donor/statements/2026/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Ana Lima" in text_of(response.content)
    # Another donor gets their own (empty) statement, never Ana's: the URL names no donor.
    other_user = make_user(email="other.s@example.org", roles=[Role.DONOR])
    Donor.objects.create(name="Other", email="other.s@example.org", user=other_user)
    client.force_login(other_user)
    text = text_of(client.get("/donor/statements/2026/pdf").content)
    assert "Ana Lima" not in text and "Other" in text
    # The coordinators' URL (which names a donor) is refused to donors.
    assert client.get(f"{STATEMENTS_URL}2026/donors/{ana.pk}/pdf").status_code == 403


def test_a_login_without_a_donor_record_gets_404(client: Client, volunteer):
    client.force_login(volunteer)
    assert client.get("/donor/statements/2026/pdf").status_code == 404


def test_visitors_are_sent_to_log_in(client: Client):
    response = client.get("/donor/statements/2026/pdf")
    assert response.status_code == 302


def test_a_coordinator_downloads_any_donors_statement(client: Client, coordinator, ana):
    client.force_login(coordinator)
    response = client.get(f"{STATEMENTS_URL}2026/donors/{ana.pk}/pdf")
    assert response.status_code == 200
    assert "Ana Lima" in text_of(response.content)


@pytest.mark.parametrize("who", ["volunteer", "donor"])
def test_only_coordinators_run_statements(client: Client, request, who, coordinator):
    run = StatementRun.objects.create(year=2026, started_by=coordinator)
    client.force_login(request.getfixturevalue(who))
    assert client.get(STATEMENTS_URL).status_code == 403
    assert client.post(STATEMENTS_URL, {"year": "2026"}).status_code == 403
    assert client.get(f"{STATEMENTS_URL}runs/{run.pk}/").status_code == 403
    assert StatementRun.objects.count() == 1


def test_coordinator_starts_a_run_and_the_row_polls_while_active(
    client: Client, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("donations.services.statements._enqueue_run", lambda run_id: None)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(STATEMENTS_URL, {"year": "2026"})
    assert response.status_code == 302
    run = StatementRun.objects.get()
    row = client.get(f"{STATEMENTS_URL}runs/{run.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in row
    run.status = StatementRunStatus.DONE
    run.save()
    row = client.get(f"{STATEMENTS_URL}runs/{run.pk}/").content.decode()
    assert "hx-trigger" not in row
    # A bad year is a form error, not a 500.
    response = client.post(STATEMENTS_URL, {"year": "3000"})
    assert response.status_code == 200
    assert "Choose this year or an earlier one." in response.content.decode()


def test_statement_runs_page_query_count_does_not_grow(client: Client, coordinator):
    client.force_login(coordinator)
    for year in (2020, 2021):
        StatementRun.objects.create(year=year, started_by=coordinator, status="done")
    with CaptureQueriesContext(connection) as small:
        assert client.get(STATEMENTS_URL).status_code == 200
    for year in range(2000, 2015):
        StatementRun.objects.create(year=year, started_by=coordinator, status="done")
    with CaptureQueriesContext(connection) as large:
        assert client.get(STATEMENTS_URL).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_stale_run_does_not_block_the_year(coordinator, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr("donations.services.statements._enqueue_run", lambda run_id: None)
    stale = StatementRun.objects.create(year=2025, started_by=coordinator)
    StatementRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    run = start_statement_run(year=2025, by=coordinator)
    stale.refresh_from_db()
    assert stale.status == StatementRunStatus.FAILED
    assert run.status == StatementRunStatus.PENDING


def test_the_task_is_sent_only_after_commit(
    coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from donations import tasks

    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        tasks.run_statements, "apply_async", lambda args=(), kwargs=None, **_: sent.append(kwargs)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start_statement_run(year=2025, by=coordinator)
    assert sent == []
    for callback in callbacks:
        callback()
    assert sent == [{"run_id": run.pk}]
