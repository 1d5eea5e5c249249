"""A person's data on request, on made-up people: the export's query count does not grow
with their records; the erasure refuses what it must, is all or nothing, and scrubs the
audit trail's personal values while keeping who did what."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services import audit, personal_data
from accounts.services.erasure import ErasureRefused, erase_person
from accounts.services.personal_data import Contributor, Erasure
from donations.models import Donation, DonationStatus, Donor, Receipt
from donations.services.receipts import sync_receipt
from notifications.models import Message
from tests.factories import make_user
from tests.volunteers.factories import (
    make_clearance,
    make_clearance_type,
    make_record,
    make_shift,
    make_training,
    make_volunteer,
)
from volunteers.models import ShiftSignup, ShiftSignupStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
EMAIL = "lee.park@example.org"


@pytest.fixture(autouse=True)
def _setting(settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        yield


def _person() -> User:
    lee = make_volunteer(first_name="Lee", last_name="Park", email=EMAIL, phone="+12025550199")
    Donor.objects.create(user=lee, name="Lee Park", email=EMAIL, address_line1="1 Elm Street")
    lee.groups.add(*make_user(roles=[Role.DONOR]).groups.all())
    lee.forget_roles()
    return lee


def _add_records(person: User, count: int, admin: User) -> None:
    """``count`` of each kind of record: clearances with documents, training records,
    shift signups, gifts with receipts, messages and audit entries."""
    donor = Donor.objects.get(user=person)
    for number in range(count):
        clearance = make_clearance(person, make_clearance_type(f"Check {person.pk}-{number}"))
        clearance.document.save(f"c{number}.pdf", ContentFile(b"%PDF-1.4"), save=True)
        make_record(
            person, make_training(f"Training {person.pk}-{number}"), completed_on=NOW.date()
        )
        ShiftSignup.objects.create(
            shift=make_shift(), volunteer=person, status=ShiftSignupStatus.CONFIRMED, joined_at=NOW
        )
        gift = Donation.objects.create(
            donor=donor,
            amount_minor=1000 + number,
            currency="USD",
            status=DonationStatus.PAID,
            paid_at=NOW - timedelta(days=number + 1),
        )
        sync_receipt(donation=gift)
        Message.objects.create(
            recipient=person,
            channel="email",
            kind="test.message",
            dedupe_key=f"m-{person.pk}-{number}",
            context={"name": "Lee Park"},
        )
        audit.record(
            "volunteers.profile.changed",
            actor=admin,
            subject=person,
            changes={"first_name": ["Lee", "Leo"], "status": ["active", f"paused-{number}"]},
            data={"reason": "asked by Lee Park", "shift": number},
        )


def _export_queries(client: Client, person: User) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/coordinator/people/{person.pk}/data/export/")
    assert response.status_code == 200
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json"))
    return len(queries), manifest["categories"]


def test_the_export_takes_the_same_queries_for_few_and_many_records(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    few, many = _person(), make_volunteer(email="kim@example.org", phone="+12025550142")
    Donor.objects.create(user=many, name="Kim", email="kim@example.org")
    _add_records(few, 1, coordinator)
    _add_records(many, 4, coordinator)
    few_count, few_categories = _export_queries(client, few)
    many_count, many_categories = _export_queries(client, many)
    assert (few_categories["receipts"]["records"], many_categories["receipts"]["records"]) == (1, 4)
    assert len(many_categories["clearances"]["files"]) == 4
    assert many_categories["messages"]["records"] == 8  # and the four receipts' e-mails
    assert few_count == many_count == 42


def test_erasure_scrubs_the_audit_trail_but_keeps_who_did_what(coordinator: User) -> None:
    lee = _person()
    _add_records(lee, 2, coordinator)
    erase_person(person=lee, by=coordinator, confirmation=EMAIL)
    entries = AuditEntry.objects.filter(action="volunteers.profile.changed").order_by("pk")
    assert [(e.actor_id, e.subject_id, e.changes, e.data) for e in entries] == [
        (
            coordinator.pk,
            lee.pk,
            {"first_name": ["[erased]", "[erased]"], "status": ["active", f"paused-{n}"]},
            {"reason": "[erased]", "shift": n},
        )
        for n in range(2)
    ]
    erased = AuditEntry.objects.get(action="accounts.person.erased")
    assert (erased.actor_id, erased.subject_id) == (coordinator.pk, lee.pk)
    # Two test messages and the two receipts' e-mails, all still queued.
    assert erased.data == {
        "account": 1,
        "audit_entries_scrubbed": 2,
        "clearances": 2,
        "documents": 2,
        "donations": 2,
        "donor": 1,
        "messages_cancelled": 4,
        "messages_scrubbed": 4,
        "notification_preferences": 1,
        "receipts": 2,
        "shift_signups": 2,
        "shift_signups_cancelled": 2,  # the shifts are next week
        "volunteer_profile": 1,
    }
    assert "Lee" not in json.dumps(erased.data)
    assert sorted(Receipt.objects.values_list("donor_name", "amount_minor")) == [
        (f"Erased donor #{lee.donor.pk}", 1000),
        (f"Erased donor #{lee.donor.pk}", 1001),
    ]


def test_erasure_refuses_staff_oneself_and_a_wrong_confirmation(coordinator: User) -> None:
    fundraiser = make_user(roles=[Role.FUNDRAISER], email="fay@example.org")
    with pytest.raises(ErasureRefused) as staff:
        erase_person(person=fundraiser, by=coordinator, confirmation="fay@example.org")
    assert staff.value.reasons == [
        "They hold a staff role: take their staff roles away first, so the organisation "
        "never loses an administrator by accident."
    ]
    with pytest.raises(ErasureRefused) as own:
        erase_person(person=coordinator, by=coordinator, confirmation=coordinator.email)
    assert own.value.reasons == ["You cannot erase your own account."]
    lee = _person()
    with pytest.raises(ErasureRefused) as wrong:
        erase_person(person=lee, by=coordinator, confirmation="Lee Park")
    assert wrong.value.reasons == [
        "Type the person's e-mail address exactly to confirm the erasure."
    ]
    erase_person(person=lee, by=coordinator, confirmation=EMAIL)
    lee.refresh_from_db()
    with pytest.raises(ErasureRefused) as again:
        erase_person(person=lee, by=coordinator, confirmation=lee.email)
    assert again.value.reasons == ["This person has already been erased."]
    assert User.objects.get(pk=fundraiser.pk).email == "fay@example.org"


def test_erasure_is_all_or_nothing(coordinator: User, monkeypatch: pytest.MonkeyPatch) -> None:
    lee = _person()
    _add_records(lee, 1, coordinator)

    def fail(erasure: Erasure) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(
        personal_data._CONTRIBUTORS,
        "failing",
        Contributor(app="failing", export=lambda person: [], erase=fail, order=95),
    )
    with pytest.raises(RuntimeError):
        erase_person(person=lee, by=coordinator, confirmation=EMAIL)
    lee.refresh_from_db()
    assert (lee.email, lee.get_full_name(), lee.is_active) == (EMAIL, "Lee Park", True)
    assert Donor.objects.get(user=lee).name == "Lee Park"
    assert Receipt.objects.get().donor_name == "Lee Park"
    assert Message.objects.get(recipient=lee, kind="test.message").context == {"name": "Lee Park"}
    assert AuditEntry.objects.get(action="volunteers.profile.changed").changes["first_name"] == [
        "Lee",
        "Leo",
    ]
    assert not AuditEntry.objects.filter(action="accounts.person.erased").exists()


def test_the_person_page_links_to_the_data_page_for_administrators_only(
    client: Client, coordinator: User
) -> None:
    lee = _person()
    client.force_login(coordinator)
    link = f'href="/coordinator/people/{lee.pk}/data/"'
    assert link in client.get(f"/coordinator/people/{lee.pk}/").content.decode()
    page = client.get(f"/coordinator/people/{lee.pk}/data/").content.decode()
    assert f'href="/coordinator/people/{lee.pk}/data/export/"' in page
    assert 'name="confirmation"' in page
    lead = make_user(roles=[Role.VOLUNTEER_COORDINATOR], email="vc@example.org")
    client.force_login(lead)
    assert link not in client.get(f"/coordinator/people/{lee.pk}/").content.decode()


def _page_queries(client: Client, person: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/coordinator/people/{person.pk}/data/")
    assert response.status_code == 200
    return len(queries)


def test_the_data_page_takes_the_same_queries_for_few_and_many_records(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    few, many = _person(), make_volunteer(email="kim@example.org")
    Donor.objects.create(user=many, name="Kim", email="kim@example.org")
    _add_records(few, 1, coordinator)
    _add_records(many, 3, coordinator)
    assert _page_queries(client, few) == _page_queries(client, many)
