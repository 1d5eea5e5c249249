"""A donor without an account, on request, on the demo's Noor Haddad (a monthly giver brought
in from Stripe, never logged in): the donor's page leads an administrator to the export and
the erasure; the ZIP holds the giving categories with exact counts; after erasure no page,
CSV, PDF, export or search finds Noor's name or e-mail, while the year's giving totals and
every receipt number stay exactly as they were."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEntry, User
from donations.models import Donor, RecurringGift
from donations.services.statements import statement_pdf
from donations.stripe_integration.subscriptions import cancel_recurring_gift
from tests.dashboard.test_personal_data_demo import (
    _finds,
    _pdf_text,
    _receipt_numbers,
    _year_totals,
    demo,
)

pytestmark = pytest.mark.django_db

__all__ = ["demo"]  # the fixture, seeded once per test

# (Not the family name alone: a member of staff, Omar Haddad, shares it.)
NOOR_NAME, NOOR_FIRST, NOOR_EMAIL = "Noor Haddad", "Noor", "noor@example.org"

EXPECTED_COUNTS = {
    "donor": 1,
    "donations": 4,  # four monthly 30.00 USD paid through the subscription made at Stripe
    "recurring_gifts": 1,
    "receipts": 0,
    "statements": 1,  # 2026
    "donor_interactions": 0,
    "donor_tasks": 0,
    "deposit_lines": 0,
    "payment_accounts": 1,  # cus_demo_outside
}


def _zip(client: Client, donor: Donor) -> zipfile.ZipFile:
    response = client.get(f"/coordinator/giving/donors/{donor.pk}/data/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="donor-{donor.pk}-data-2026-11-27.zip"'
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


def _zip_text(archive: zipfile.ZipFile) -> str:
    parts = []
    for name in archive.namelist():
        content = archive.read(name)
        parts.append(_pdf_text(content) if content.startswith(b"%PDF") else content.decode())
    return "\n".join(parts)


def _pages(donor: Donor) -> list[str]:
    return [
        f"/coordinator/giving/donors/{donor.pk}/",
        f"/coordinator/giving/donors/{donor.pk}/data/",
        "/coordinator/giving/donors/",
        "/coordinator/giving/donors/export.csv",
        "/coordinator/giving/gifts/export.csv",
        "/coordinator/giving/donations/",
        "/coordinator/giving/recurring/",
        "/coordinator/giving/receipts/",
        "/coordinator/giving/donors/duplicates/",
        f"/coordinator/giving/statements/2026/donors/{donor.pk}/pdf",
        "/coordinator/",
    ]


def _found(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.getvalue()
    text = _pdf_text(body) if body.startswith(b"%PDF") else body.decode("utf-8", "replace")
    return [needle for needle in (NOOR_NAME, NOOR_FIRST, NOOR_EMAIL) if needle in text]


SEARCHES = ("/coordinator/giving/donors/?q=", "/coordinator/giving/donors/search/?q=")
SEARCHED = (NOOR_FIRST, NOOR_NAME, NOOR_EMAIL, "noor@example")


def test_a_donor_without_an_account_is_exported_and_erased(
    client: Client, demo: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    admin = demo["admin"]
    noor = Donor.objects.get(email=NOOR_EMAIL)
    assert noor.user_id is None
    client.force_login(admin)
    totals, numbers = _year_totals(), _receipt_numbers()
    assert totals == {"EUR": 7500, "JPY": 3000, "USD": 293000, "VND": 900000}

    # The donor's page leads to the data page; the export holds the giving categories.
    profile = client.get(f"/coordinator/giving/donors/{noor.pk}/").content.decode()
    assert f'href="/coordinator/giving/donors/{noor.pk}/data/"' in profile
    archive = _zip(client, noor)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["donor"] == noor.pk
    counts = {name: entry["records"] for name, entry in manifest["categories"].items()}
    assert counts == EXPECTED_COUNTS
    assert sorted(archive.namelist()) == sorted(
        [
            "README.txt",
            "manifest.json",
            *(f"{name}.json" for name in EXPECTED_COUNTS),
            f"files/statements/statement-2026-{noor.pk}.pdf",
        ]
    )
    assert json.loads(archive.read("donor.json"))[0]["email"] == NOOR_EMAIL
    exported = AuditEntry.objects.get(action="donations.donor_data.exported")
    assert (exported.actor_id, exported.subject_id, exported.kind) == (admin.pk, None, "export")
    assert (exported.object_type, exported.object_id) == ("donations.donor", str(noor.pk))
    assert exported.data == {"records": sum(EXPECTED_COUNTS.values()), "files": 1}
    # Before: the pages and searches do find Noor.
    assert NOOR_NAME in _found(client, f"/coordinator/giving/donors/{noor.pk}/")
    assert NOOR_EMAIL in _found(client, "/coordinator/giving/donors/export.csv")
    assert [(u, t) for u in SEARCHES for t in SEARCHED if not _finds(client, u, t)] == []

    # The running monthly gift blocks the erasure, with the reason said.
    data_url = f"/coordinator/giving/donors/{noor.pk}/data/"
    assert "They have a monthly gift that is still running" in client.get(data_url).content.decode()
    refused = client.post(data_url, {"confirmation": NOOR_EMAIL})
    assert (refused.status_code, "cancel it first" in refused.content.decode()) == (200, True)
    cancel_recurring_gift(gift=RecurringGift.objects.get(donor=noor))
    wrong = client.post(data_url, {"confirmation": NOOR_NAME})
    assert "Type the donor&#x27;s e-mail address" in wrong.content.decode()
    assert Donor.objects.get(pk=noor.pk).name == NOOR_NAME
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(data_url, {"confirmation": " NOOR@example.org "})
    assert (done.status_code, done["Location"]) == (302, f"/coordinator/giving/donors/{noor.pk}/")

    noor.refresh_from_db()
    assert (noor.name, noor.email, noor.user_id) == (f"Erased donor #{noor.pk}", "", None)
    erased = AuditEntry.objects.get(action="donations.donor.erased")
    assert (erased.actor_id, erased.object_id) == (admin.pk, str(noor.pk))
    # Offline test mode: there is no customer at Stripe to clear.
    assert erased.data == {"donations": 4, "donor": 1}

    # Nothing finds Noor any more: pages, searches, CSV exports, the statement PDF, the
    # export ZIP, the audit trail.
    assert {url: found for url in _pages(noor) if (found := _found(client, url))} == {}
    assert [(u, t) for u in SEARCHES for t in SEARCHED if _finds(client, u, t)] == []
    after = _zip_text(_zip(client, noor))
    assert [n for n in (NOOR_NAME, NOOR_FIRST, NOOR_EMAIL) if n in after] == []
    assert f"Erased donor #{noor.pk}" in _pdf_text(statement_pdf(donor=noor, year=2026))
    for entry in AuditEntry.objects.all():
        stored = json.dumps([entry.changes, entry.data])
        assert NOOR_NAME not in stored and NOOR_EMAIL not in stored, entry.action
    # Erasing again is refused.
    again = client.post(data_url, {"confirmation": f"Erased donor #{noor.pk}"})
    assert "This donor has already been erased." in again.content.decode()

    # The legal record is unchanged: the year's totals and every receipt's number.
    assert _year_totals() == totals
    assert _receipt_numbers() == numbers


def test_a_donor_with_an_account_goes_to_the_persons_data_page(
    client: Client, demo: dict[str, User]
) -> None:
    sam = demo["sam"]
    client.force_login(demo["admin"])
    donor = Donor.objects.get(user=sam)
    profile = client.get(f"/coordinator/giving/donors/{donor.pk}/").content.decode()
    assert f'href="/coordinator/people/{sam.pk}/data/"' in profile
    page = client.get(f"/coordinator/giving/donors/{donor.pk}/data/")
    assert (page.status_code, page["Location"]) == (302, f"/coordinator/people/{sam.pk}/data/")
    export = client.get(f"/coordinator/giving/donors/{donor.pk}/data/export/")
    assert export["Location"] == f"/coordinator/people/{sam.pk}/data/export/"
    assert not AuditEntry.objects.filter(action="donations.donor_data.exported").exists()
