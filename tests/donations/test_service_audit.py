"""Services that change giving data write the exact audit row: the year-end statement run,
a CSV of past gifts uploaded and imported, a deposit batch and its lines, a contact with a
donor, the Stripe account import."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AuditEntry, User
from core.dates import org_zone
from donations.models import Deposit, Donation, Donor, GiftImport, StatementRun
from donations.money import Money
from donations.services import engagement, offline
from donations.services.donors import update_donor_details
from donations.services.gift_import import import_gifts, upload_gift_file
from donations.services.statements import start_statement_run
from donations.stripe_integration.importer import restart_import, start_import

pytestmark = pytest.mark.django_db

Row = tuple[str, int | None, int | None, str, str, dict[str, list[object]], dict[str, object]]


def _rows() -> list[Row]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.order_by("pk")
    ]


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=org_zone()), tick=False)
def test_starting_a_statement_run_is_audited_with_the_stale_run_it_closes(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("donations.services.statements._enqueue_run", lambda run_id: None)
    stale = StatementRun.objects.create(year=2025, started_by=coordinator)
    StatementRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    run = start_statement_run(year=2025, by=coordinator)
    assert _rows() == [
        (
            "donations.statement_run.closed_stale",
            coordinator.pk,
            None,
            "donations.statementrun",
            str(stale.pk),
            {
                "error": ["", "Stopped: no progress for an hour; started again."],
                "status": ["pending", "failed"],
            },
            {},
        ),
        (
            "donations.statement_run.started",
            coordinator.pk,
            None,
            "donations.statementrun",
            str(run.pk),
            {"status": [None, "pending"], "year": [None, 2025]},
            {},
        ),
    ]


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=org_zone()), tick=False)
def test_uploading_and_importing_past_gifts_is_audited(coordinator: User) -> None:
    content = (
        "date,amount,currency,email,name\n"
        "2024-03-31,25.00,USD,jane@example.org,Jane Doe\n"
        "31/03/2024,10,USD,bob@example.org,Bob\n"
    )
    gift_import = upload_gift_file(
        filename="gifts.csv", raw=content.encode(), uploaded_by=coordinator
    )
    import_gifts(gift_import=gift_import, only_good_rows=True, imported_by=coordinator)
    gift_import.refresh_from_db()
    gift = Donation.objects.get()
    jane = Donor.objects.get(email="jane@example.org")
    assert _rows() == [
        (
            "donations.gift_import.uploaded",
            coordinator.pk,
            None,
            "donations.giftimport",
            str(gift_import.pk),
            {
                "content_sha256": [None, hashlib.sha256(content.encode()).hexdigest()],
                "filename": [None, "gifts.csv"],
                "rows_total": [None, 2],
            },
            {},
        ),
        (
            "donations.gift.imported",
            coordinator.pk,
            None,
            "donations.donation",
            str(gift.pk),
            {
                "amount_minor": [None, 2500],
                "currency": [None, "USD"],
                "paid_at": [None, "2024-03-31 16:00:00+00:00"],  # noon in New York
                "source": [None, "import"],
                "status": [None, "paid"],
            },
            {"donor": jane.pk, "import": gift_import.pk, "line": 2},
        ),
        (
            "donations.gift_import.imported",
            coordinator.pk,
            None,
            "donations.giftimport",
            str(gift_import.pk),
            {
                "imported_at": [None, str(gift_import.imported_at)],
                "rows_imported": [0, 1],
                "skipped_bad_rows": [False, True],
            },
            {"rows_skipped": 1},
        ),
    ]
    assert GiftImport.objects.get().rows_imported == 1


def test_a_deposit_and_its_lines_added_and_removed_are_audited(coordinator: User) -> None:
    binh = Donor.objects.create(name="Binh Tran", email="binh.a@example.org")
    deposit = offline.open_deposit(
        deposited_on=date(2026, 4, 1),
        expected_total=Money(30000, "USD"),
        expected_count=3,
        reference=" SLIP-7 ",
        by=coordinator,
    )
    line = offline.add_deposit_line(
        deposit=deposit,
        donor=binh,
        source="cheque",
        amount=Money(10000, "USD"),
        cheque_number="7",
        by=coordinator,
    )
    line_id = line.pk
    offline.remove_deposit_line(line=line, by=coordinator)
    offline.remove_deposit_line(line=line, by=coordinator)  # a second click changes nothing
    assert Deposit.objects.get().lines.count() == 0
    line_fields = {
        "amount_minor": 10000,
        "cheque_number": "7",
        "donor": binh.pk,
        "source": "cheque",
    }
    assert _rows() == [
        (
            "donations.deposit.opened",
            coordinator.pk,
            None,
            "donations.deposit",
            str(deposit.pk),
            {
                "currency": [None, "USD"],
                "deposited_on": [None, "2026-04-01"],
                "expected_count": [None, 3],
                "expected_total_minor": [None, 30000],
                "reference": [None, "SLIP-7"],
            },
            {},
        ),
        (
            "donations.deposit.line_added",
            coordinator.pk,
            None,
            "donations.deposit",
            str(deposit.pk),
            {name: [None, value] for name, value in line_fields.items()},
            {"line": line_id},
        ),
        (
            "donations.deposit.line_removed",
            coordinator.pk,
            None,
            "donations.deposit",
            str(deposit.pk),
            {name: [value, None] for name, value in line_fields.items()},
            {"line": line_id},
        ),
    ]


def test_a_contact_with_a_donor_is_audited_about_their_account(coordinator: User) -> None:
    sam = User.objects.create_user(email="sam.a@example.org", password="x" * 12)
    donor = Donor.objects.create(name="Sam Lee", email="sam.a@example.org", user=sam)
    interaction = engagement.record_interaction(
        donor=donor,
        kind="call",
        happened_on=date(2026, 1, 5),
        text=" Thanked for the spring gift ",
        staff=coordinator,
    )
    assert _rows() == [
        (
            "donations.interaction.recorded",
            coordinator.pk,
            sam.pk,
            "donations.interaction",
            str(interaction.pk),
            {
                "happened_on": [None, "2026-01-05"],
                "kind": [None, "call"],
                "text": [None, "Thanked for the spring gift"],
            },
            {"donor": donor.pk},
        )
    ]


def test_starting_and_restarting_the_stripe_import_is_audited(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr(
        "donations.stripe_integration.importer.enqueue_on_commit",
        lambda name, **kwargs: started.append(name),
    )
    start_import(by=coordinator)
    restart_import(by=coordinator)
    assert started == ["donations.import_stripe_account"]
    assert _rows() == [
        ("donations.stripe_import.started", coordinator.pk, None, "", "", {}, {}),
        ("donations.stripe_import.restarted", coordinator.pk, None, "", "", {}, {}),
    ]


def test_a_donor_changing_their_details_is_audited(coordinator: User) -> None:
    sam = User.objects.create_user(email="sam.d@example.org", password="x" * 12)
    donor = Donor.objects.create(name="Sam Lee", email="sam.d@example.org", user=sam, city="Oslo")
    details: dict[str, Any] = {
        "name": " Sam   Lee ",
        "address_line1": "",
        "address_line2": "",
        "city": "Bergen",
        "region": "",
        "postal_code": "",
        "country": "no",
        "communication_consent": False,
        "give_anonymously": True,
    }
    update_donor_details(donor=donor, by=sam, **details)
    update_donor_details(donor=donor, by=sam, **details)  # the same again: no entry
    assert _rows() == [
        (
            "donations.donor.details_changed",
            sam.pk,
            sam.pk,
            "donations.donor",
            str(donor.pk),
            {"city": ["Oslo", "Bergen"], "country": ["", "NO"], "give_anonymously": [False, True]},
            {},
        )
    ]
