"""A donor without an account (an offline gift, no e-mail address): erased by the name typed,
all or nothing, with the audit trail's entries about their records scrubbed and the
receipts kept; the data page and the export take the same queries for few and many gifts;
only administrators are offered the page."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services import audit
from accounts.services.erasure import ErasureRefused
from donations.models import Donation, DonationSource, Donor, Receipt
from donations.money import Money
from donations.services.donor_data import erase_donor
from donations.services.donors import update_donor_details
from donations.services.offline import NewDonor, record_offline_gift
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
NAME = "Mai Tran"


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _mai(admin: User, gifts: int = 1, name: str = NAME) -> Donor:
    """A donor who gives cash at the office: no e-mail address, so no account."""
    first = record_offline_gift(
        donor=None,
        new_donor=NewDonor(name=name, address_line1="9 Harbour Lane", city="Hull"),
        source=DonationSource.CASH,
        amount=Money(2000, "USD"),
        received_on=date(2026, 5, 1),
        by=admin,
    )
    for number in range(1, gifts):
        record_offline_gift(
            donor=first.donor,
            source=DonationSource.CHEQUE,
            amount=Money(2000 + number, "USD"),
            received_on=date(2026, 5, 1),
            cheque_number=f"10{number}",
            cheque_bank="Harbour Bank",
            by=admin,
        )
    return first.donor


def test_a_donor_without_an_e_mail_address_is_erased_by_their_name(coordinator: User) -> None:
    mai = _mai(coordinator, gifts=2)
    assert mai.user_id is None
    update_donor_details(
        donor=mai,
        name="Mai T. Tran",
        address_line1="10 Harbour Lane",
        address_line2="",
        city="Hull",
        region="",
        postal_code="HU1 2AB",
        country="GB",
        communication_consent=False,
        give_anonymously=False,
        by=coordinator,
    )
    mai.refresh_from_db()
    numbers = list(Receipt.objects.order_by("number").values_list("number", "amount_minor"))
    with pytest.raises(ErasureRefused) as wrong:
        erase_donor(donor=mai, by=coordinator, confirmation="Mai Tran")
    assert wrong.value.reasons == [
        "Type the donor's e-mail address (or their name, if they have no e-mail address) "
        "exactly to confirm the erasure."
    ]
    result = erase_donor(donor=mai, by=coordinator, confirmation=" mai t. TRAN ")
    assert result.counts == {
        "audit_entries_scrubbed": 1,
        "donations": 2,
        "donor": 1,
        "receipts": 2,
    }
    mai.refresh_from_db()
    assert (mai.name, mai.address_line1, mai.city, mai.postal_code, mai.country) == (
        f"Erased donor #{mai.pk}",
        "",
        "",
        "",
        "",
    )
    assert list(Receipt.objects.order_by("number").values_list("number", "amount_minor")) == (
        numbers
    )
    assert set(Receipt.objects.values_list("donor_name", "donor_address")) == {
        (f"Erased donor #{mai.pk}", "")
    }
    assert list(Donation.objects.values_list("cheque_bank", flat=True).order_by("pk")) == ["", ""]
    changed = AuditEntry.objects.get(action="donations.donor.details_changed")
    assert changed.actor_id == coordinator.pk
    assert {field: values for field, values in changed.changes.items()} == {
        "address_line1": ["[erased]", "[erased]"],
        "country": ["", "GB"],
        "name": ["[erased]", "[erased]"],
        "postal_code": ["[erased]", "[erased]"],
    }
    erased = AuditEntry.objects.get(action="donations.donor.erased")
    assert (erased.actor_id, erased.subject_id, erased.object_type, erased.object_id) == (
        coordinator.pk,
        None,
        "donations.donor",
        str(mai.pk),
    )
    assert erased.data == result.counts
    stored = json.dumps([[e.changes, e.data] for e in AuditEntry.objects.all()])
    assert "Mai" not in stored and "Harbour Lane" not in stored


def test_the_donor_erasure_is_all_or_nothing(
    coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    mai = _mai(coordinator)

    def fail(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the disk is full")

    # The erasure's own audit entry is written last, after every change.
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        erase_donor(donor=mai, by=coordinator, confirmation=NAME)
    mai.refresh_from_db()
    assert (mai.name, mai.address_line1) == (NAME, "9 Harbour Lane")
    assert Receipt.objects.get().donor_name == NAME
    assert not AuditEntry.objects.filter(action="donations.donor.erased").exists()


def _queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_data_page_and_the_export_take_the_same_queries_for_few_and_many_gifts(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    few, many = _mai(coordinator, gifts=1), _mai(coordinator, gifts=4, name="Binh Ho")
    base = "/coordinator/giving/donors/{}/data/"
    few_page, _ = _queries(client, base.format(few.pk))
    many_page, page = _queries(client, base.format(many.pk))
    assert 'name="confirmation"' in page.content.decode()
    assert few_page == many_page
    few_zip, _ = _queries(client, base.format(few.pk) + "export/")
    many_zip, response = _queries(client, base.format(many.pk) + "export/")
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json"))
    assert manifest["categories"]["receipts"]["records"] == 4
    assert len(manifest["categories"]["receipts"]["files"]) == 4
    assert few_zip == many_zip


def test_only_administrators_are_offered_the_donor_data_page(
    client: Client, coordinator: User
) -> None:
    mai = _mai(coordinator)
    link = f'href="/coordinator/giving/donors/{mai.pk}/data/"'
    client.force_login(coordinator)
    assert link in client.get(f"/coordinator/giving/donors/{mai.pk}/").content.decode()
    fundraiser = make_user(roles=[Role.FUNDRAISER], email="fay@example.org")
    client.force_login(fundraiser)
    assert link not in client.get(f"/coordinator/giving/donors/{mai.pk}/").content.decode()
    assert client.get(f"/coordinator/giving/donors/{mai.pk}/data/").status_code == 403
    assert (
        client.post(
            f"/coordinator/giving/donors/{mai.pk}/data/", {"confirmation": NAME}
        ).status_code
        == 403
    )
    assert Donor.objects.get(pk=mai.pk).name == NAME
