"""A person's data on request, on the demo's volunteer who also gives (Sam Nguyen): the
export ZIP holds every category with exact counts; after erasure no page, CSV, PDF or
search finds Sam's name, e-mail or phone, while the year's giving totals and the receipt
numbers stay exactly as they were."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from accounts.models import AuditEntry, User
from donations.models import Donation, Donor, Receipt, RecurringGift
from donations.services.receipts import receipt_pdf
from donations.services.statements import statement_pdf
from donations.stripe_integration.subscriptions import cancel_recurring_gift
from notifications.models import Message
from volunteers.models import Clearance, ShiftSignup

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SAM_NAME, SAM_FIRST, SAM_LAST = "Sam Nguyen", "Sam", "Nguyen"
SAM_EMAIL = "sam@example.org"
# The phone as stored and as pages may show it.
SAM_PHONES = (
    "+12025550112",
    "+1 202-555-0112",
    "202-555-0112",
    "(202) 555-0112",
    "2025550112",
    "555-0112",
)


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Iterator[dict[str, User]]:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        people = {
            "sam": User.objects.get(email=SAM_EMAIL),
            "admin": User.objects.get(email="coordinator@example.org"),
        }
        # Sam's background check gets its document (the demo stores none).
        clearance = Clearance.objects.get(volunteer=people["sam"])
        clearance.document.save("check.pdf", ContentFile(b"%PDF-1.4 sam's check"), save=True)
        yield people


def _zip(client: Client, person: User) -> zipfile.ZipFile:
    response = client.get(f"/coordinator/people/{person.pk}/data/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="person-{person.pk}-data-2026-11-27.zip"'
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


# Sam in the demo (demo/people.py, volunteering.py, shifts.py, giving.py), category by category.
EXPECTED_COUNTS = {
    "account": 1,
    "login_links": 0,
    "two_factor_devices": 0,  # a volunteer-donor needs no second factor
    # The demo recording Sam's trainings, clearance, attendance and hours, what Sam did
    # himself through the same services (with him as the actor), and the changes Stripe
    # made to his monthly gift (by the system).
    "audit_entries": 23,
    "volunteer_profile": 1,
    "application_answers": 0,
    "availability": 0,
    "shift_signups": 4,
    "shift_invitations": 0,
    "shift_swaps": 0,
    "hours": 1,  # the week-ago shift, corrected by Sam
    "training_records": 3,  # trauma-informed care, hotline protocol, child safeguarding
    "training_session_signups": 0,
    "qualifications": 0,
    "clearances": 1,
    "calendar_feed": 0,
    "saved_filters": 0,
    "donor": 1,
    "donations": 4,  # one gift of 500,000 VND; a monthly 200,000 VND: two paid, one failed
    "recurring_gifts": 1,
    "receipts": 3,  # the paid ones
    "statements": 1,  # 2026
    "donor_interactions": 0,
    "donor_tasks": 1,  # call about the failed monthly gift
    "deposit_lines": 0,
    "payment_accounts": 0,
    "messages": 12,
    "notification_preferences": 1,
    "push_subscriptions": 0,
    "text_messages_received": 0,
}


def test_the_export_of_sam_holds_every_category_with_exact_counts(
    client: Client, demo: dict[str, User]
) -> None:
    sam, admin = demo["sam"], demo["admin"]
    client.force_login(admin)
    archive = _zip(client, sam)
    manifest = json.loads(archive.read("manifest.json"))
    counts = {name: entry["records"] for name, entry in manifest["categories"].items()}
    assert counts == EXPECTED_COUNTS
    for name, count in EXPECTED_COUNTS.items():
        assert len(json.loads(archive.read(f"{name}.json"))) == count, name
    receipts = sorted(
        Receipt.objects.filter(donation__donor__user=sam).values_list("number", flat=True)
    )
    assert sorted(archive.namelist()) == sorted(
        [
            "README.txt",
            "manifest.json",
            *(f"{name}.json" for name in EXPECTED_COUNTS),
            f"files/clearances/clearance-{Clearance.objects.get(volunteer=sam).pk}.pdf",
            *(f"files/receipts/receipt-R2026-{number:06d}.pdf" for number in receipts),
            f"files/statements/statement-2026-{sam.donor.pk}.pdf",
        ]
    )
    assert len(receipts) == 3
    clearance = Clearance.objects.get(volunteer=sam)
    assert archive.read(f"files/clearances/clearance-{clearance.pk}.pdf") == (
        b"%PDF-1.4 sam's check"
    )
    account = json.loads(archive.read("account.json"))[0]
    assert (account["email"], account["first_name"], account["phone"]) == (
        SAM_EMAIL,
        SAM_FIRST,
        "+1 202-555-0112",
    )
    assert account["roles"] == ["donor", "volunteer"]
    assert "password" not in account
    gifts = json.loads(archive.read("donations.json"))
    assert sorted((gift["amount_minor"], gift["status"]) for gift in gifts) == [
        (200000, "failed"),
        (200000, "paid"),
        (200000, "paid"),
        (500000, "paid"),
    ]
    statement = PdfReader(
        io.BytesIO(archive.read(f"files/statements/statement-2026-{sam.donor.pk}.pdf"))
    )
    assert SAM_NAME in "".join(page.extract_text() for page in statement.pages)
    assert "README.txt" in archive.namelist()
    assert "receipts.json: receipts issued, with their PDFs (3 records, 3 files)" in (
        archive.read("README.txt").decode()
    )
    # The export is audited: who exported whom, no personal data.
    entry = AuditEntry.objects.get(action="accounts.personal_data.exported")
    assert (entry.actor_id, entry.subject_id, entry.kind) == (admin.pk, sam.pk, "export")
    assert entry.data == {"records": sum(EXPECTED_COUNTS.values()), "files": 5}


def _year_totals() -> dict[str, int]:
    paid_2026 = Donation.objects.filter(
        paid_at__year=2026, status__in=("paid", "partially_refunded")
    )
    return {
        row["currency"]: row["total"]
        for row in paid_2026.values("currency").annotate(total=Sum("amount_minor"))
    }


def _receipt_numbers() -> list[tuple[int, int, str, int, str, str, int]]:
    return list(
        Receipt.objects.order_by("year", "number").values_list(
            "year", "number", "prefix", "amount_minor", "currency", "status", "donation_id"
        )
    )


def _pages(sam: User, donor: Donor) -> list[str]:
    shifts = ShiftSignup.objects.filter(volunteer=sam).values_list("shift_id", flat=True)
    return [
        f"/coordinator/people/{sam.pk}/",
        f"/coordinator/people/{sam.pk}/audit/",
        "/coordinator/audit/",
        "/coordinator/audit/export.csv",
        f"/coordinator/people/{sam.pk}/data/",
        f"/coordinator/volunteering/volunteers/{sam.pk}/",
        "/coordinator/volunteering/volunteers/",
        "/coordinator/volunteering/volunteers/export/",
        "/coordinator/volunteering/clearances/",
        "/coordinator/volunteering/hours/",
        "/coordinator/volunteering/hours/totals/",
        "/coordinator/volunteering/expiring/",
        "/coordinator/volunteering/evidence/",
        *(f"/coordinator/volunteering/shifts/{pk}/" for pk in shifts),
        *(f"/coordinator/volunteering/shifts/{pk}/roster.csv" for pk in shifts),
        *(f"/coordinator/volunteering/shifts/{pk}/print/" for pk in shifts),
        "/coordinator/volunteering/shifts/export/",
        f"/coordinator/giving/donors/{donor.pk}/",
        "/coordinator/giving/donors/",
        "/coordinator/giving/donors/export.csv",
        "/coordinator/giving/gifts/export.csv",
        "/coordinator/giving/donations/",
        "/coordinator/giving/recurring/",
        "/coordinator/giving/receipts/",
        "/coordinator/giving/donors/duplicates/",
        "/notifications/coordinator/outbox/",
        "/coordinator/",
    ]


SEARCHES = (
    "/coordinator/volunteering/volunteers/?q=",
    "/coordinator/giving/donors/?q=",
    "/coordinator/giving/donors/search/?q=",
    "/notifications/coordinator/outbox/?recipient=",
)
# What the searches look in (none of them searches phone numbers; pages are read for those).
SEARCHED = (SAM_LAST, SAM_NAME, SAM_EMAIL, "sam@example")
NOTHING = "Zqxjvw"


def _search(client: Client, url: str, text: str) -> str:
    """The page a search for ``text`` gives, with the text searched for (echoed in the
    field, the links and the "nothing found" line) and the CSRF token taken out."""
    response = client.get(url + quote_plus(text))
    assert response.status_code == 200, url
    # Any CSRF token (in forms and in the htmx headers) is new on each page.
    body = re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", response.content.decode())
    for form in (escape(text), quote_plus(text), quote(text), text):
        body = body.replace(form, "QUERY")
    return body


def _finds(client: Client, url: str, text: str) -> bool:
    """A search for ``text`` gives another page than a search for a made-up word."""
    return _search(client, url, text) != _search(client, url, NOTHING)


def _found(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.getvalue()  # a streamed CSV too
    text = body.decode("utf-8", "replace")
    if body.startswith(b"%PDF"):
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return [needle for needle in (SAM_NAME, SAM_LAST, SAM_EMAIL, *SAM_PHONES) if needle in text]


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_after_erasure_nothing_finds_sam_and_the_giving_record_is_unchanged(
    client: Client, demo: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    sam, admin = demo["sam"], demo["admin"]
    donor = Donor.objects.get(user=sam)
    client.force_login(admin)
    totals, numbers = _year_totals(), _receipt_numbers()
    # Sam's 500,000 VND and two monthly 200,000 VND are in the VND total.
    assert totals == {"EUR": 7500, "JPY": 3000, "USD": 293000, "VND": 900000}
    # Before: the pages do show Sam (so the checks below can see a name when it is there).
    assert SAM_NAME in _found(client, f"/coordinator/people/{sam.pk}/")
    assert SAM_EMAIL in _found(client, "/coordinator/giving/donors/export.csv")
    assert SAM_NAME in _found(client, "/coordinator/volunteering/volunteers/?q=Nguyen")
    assert [
        (url, text) for url in SEARCHES for text in SEARCHED if not _finds(client, url, text)
    ] == []
    statement_url = f"/coordinator/giving/statements/2026/donors/{donor.pk}/pdf"
    assert SAM_NAME in _found(client, statement_url)
    document = Clearance.objects.get(volunteer=sam).document
    document_path = Path(document.path)
    assert document_path.exists()

    # A running monthly gift blocks the erasure, with the reason said.
    page = client.get(f"/coordinator/people/{sam.pk}/data/")
    assert "They have a monthly gift that is still running" in page.content.decode()
    refused = client.post(f"/coordinator/people/{sam.pk}/data/", {"confirmation": SAM_EMAIL})
    assert refused.status_code == 200
    assert "cancel it first" in refused.content.decode()
    assert User.objects.get(pk=sam.pk).email == SAM_EMAIL
    cancel_recurring_gift(gift=RecurringGift.objects.get(donor=donor))
    # The confirmation must be the e-mail address.
    wrong = client.post(f"/coordinator/people/{sam.pk}/data/", {"confirmation": SAM_NAME})
    assert "Type the person&#x27;s e-mail address exactly" in wrong.content.decode()
    assert User.objects.get(pk=sam.pk).email == SAM_EMAIL

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/coordinator/people/{sam.pk}/data/", {"confirmation": " SAM@example.org "}
        )
    assert done.status_code == 302
    assert done["Location"] == f"/coordinator/people/{sam.pk}/"

    sam.refresh_from_db()
    donor.refresh_from_db()
    assert (sam.email, sam.get_full_name(), str(sam.phone)) == (
        f"erased-{sam.pk}@erased.invalid",
        f"Erased person #{sam.pk}",
        "",
    )
    assert (sam.is_active, sam.has_usable_password(), sam.roles) == (False, False, frozenset())
    assert (donor.name, donor.email) == (f"Erased donor #{donor.pk}", "")
    assert not document_path.exists()
    assert Clearance.objects.get(volunteer=sam).document.name == ""
    assert (
        list(Message.objects.filter(recipient=sam).values_list("context", flat=True))
        == [{}] * Message.objects.filter(recipient=sam).count()
    )

    # Nothing finds Sam any more: pages, searches, CSV exports, PDFs.
    found = {url: needles for url in _pages(sam, donor) if (needles := _found(client, url))}
    assert found == {}
    assert [(url, text) for url in SEARCHES for text in SEARCHED if _finds(client, url, text)] == []
    assert _found(client, statement_url) == []
    assert f"Erased donor #{donor.pk}" in _pdf_text(statement_pdf(donor=donor, year=2026))
    for receipt in Receipt.objects.filter(donation__donor=donor):
        text = _pdf_text(receipt_pdf(receipt))
        assert f"Erased donor #{donor.pk}" in text
        assert SAM_NAME not in text and SAM_LAST not in text
    # ... nor the audit trail, which keeps who did what.
    for entry in AuditEntry.objects.all():
        stored = json.dumps([entry.changes, entry.data])
        assert not any(n in stored for n in (SAM_NAME, SAM_EMAIL, "+12025550112")), entry.action
    erased = AuditEntry.objects.get(action="accounts.person.erased")
    assert (erased.actor_id, erased.subject_id) == (admin.pk, sam.pk)

    # The legal record is unchanged: the year's totals and every receipt's number.
    assert _year_totals() == totals
    assert _receipt_numbers() == numbers
