"""Coordinator clearance pages: the list, recording and updating, and the document download."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from core.dates import org_today
from tests.factories import make_user
from tests.utils import read_download
from tests.volunteers.factories import (
    PDF_BYTES,
    make_clearance,
    make_clearance_type,
    make_volunteer,
)
from volunteers.models import Clearance, ClearanceStatus

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _data(kind_pk: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "clearance_type": str(kind_pk),
        "status": "cleared",
        "requested_on": "2025-01-05",
        "issued_on": "2025-02-01",
        "expires_on": "2028-02-01",
        "reference_number": " BC-2025-001 ",
        "notes": "Checked by phone",
    }
    data.update(overrides)
    return data


def test_the_list_filters_by_status_and_expiry_and_sorts_by_expiry(
    client: Client, coordinator: User
) -> None:
    today = org_today()
    kind = make_clearance_type()
    ana = make_volunteer(first_name="Ana", last_name="Silva")
    ben = make_volunteer(first_name="Ben", last_name="Okafor")
    cai = make_volunteer(first_name="Cai", last_name="Wong")
    make_clearance(ana, kind, expires_on=today + timedelta(days=40))
    make_clearance(ben, kind, expires_on=today + timedelta(days=5))
    make_clearance(cai, kind, status=ClearanceStatus.PENDING)
    make_clearance(cai, kind, expires_on=today + timedelta(days=400), reference_number="X")
    client.force_login(coordinator)

    page = client.get(f"{BASE}/clearances/").context["page"]
    assert [(str(c.volunteer), c.status) for c in page] == [
        ("Ben Okafor", "cleared"),
        ("Ana Silva", "cleared"),
        ("Cai Wong", "cleared"),
        ("Cai Wong", "pending"),
    ]
    page = client.get(f"{BASE}/clearances/", {"status": "pending"}).context["page"]
    assert [str(c.volunteer) for c in page] == ["Cai Wong"]
    response = client.get(f"{BASE}/clearances/", {"within_days": "30"})
    assert [str(c.volunteer) for c in response.context["page"]] == ["Ben Okafor"]
    body = response.content.decode()
    assert "Ben Okafor" in body
    assert "BC-000123" in body
    response = client.get(f"{BASE}/clearances/", {"within_days": "-3"})
    assert response.context["filters"].errors["within_days"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert response.context["page"].paginator.count == 4


def test_a_coordinator_records_a_clearance_with_a_document(
    client: Client, coordinator: User
) -> None:
    kind = make_clearance_type()
    person = make_volunteer(first_name="Ana", last_name="Silva")
    client.force_login(coordinator)
    upload = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/clearances/new/",
        {**_data(kind.pk), "document": upload},
        follow=True,
    )
    assert response.redirect_chain == [(f"{BASE}/volunteers/{person.pk}/", 302)]
    assert _messages(response) == ["Background check for Ana Silva recorded."]
    clearance = Clearance.objects.get()
    assert clearance.volunteer == person
    assert clearance.status == ClearanceStatus.CLEARED
    assert clearance.issued_on == date(2025, 2, 1)
    assert clearance.expires_on == date(2028, 2, 1)
    assert clearance.reference_number == "BC-2025-001"
    assert clearance.recorded_by == coordinator
    name = clearance.document.name or ""
    assert name.startswith("clearances/")
    assert name.endswith(".pdf")

    download = client.get(f"{BASE}/clearances/{clearance.pk}/document/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="clearance-{clearance.pk}.pdf"'
    )
    assert download.getvalue() == PDF_BYTES


def test_a_cleared_clearance_without_expiry_gets_its_types_validity(
    client: Client, coordinator: User
) -> None:
    kind = make_clearance_type(validity_months=36)
    person = make_volunteer()
    client.force_login(coordinator)
    client.post(f"{BASE}/volunteers/{person.pk}/clearances/new/", _data(kind.pk, expires_on=""))
    assert Clearance.objects.get().expires_on == date(2028, 2, 1)


def test_an_expiry_before_the_issue_date_is_refused(client: Client, coordinator: User) -> None:
    kind = make_clearance_type()
    person = make_volunteer()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/clearances/new/",
        _data(kind.pk, issued_on="2025-02-01", expires_on="2025-01-31"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["expires_on"] == [
        "The expiry date must be on or after the issue date."
    ]
    assert "The expiry date must be on or after the issue date." in response.content.decode()
    assert Clearance.objects.count() == 0


def test_a_cleared_clearance_needs_an_issue_date(client: Client, coordinator: User) -> None:
    kind = make_clearance_type()
    person = make_volunteer()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/clearances/new/", _data(kind.pk, issued_on="")
    )
    assert response.context["form"].errors["issued_on"] == [
        "Enter the date the clearance was issued."
    ]
    assert Clearance.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notes.txt",
            b"just some text",
            "This file is not a PDF or a photo (JPEG, PNG, WebP or HEIC). "
            "Upload the certificate as one of those.",
        ),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_bad_document_is_refused(
    client: Client, coordinator: User, name: str, content: bytes, message: str
) -> None:
    kind = make_clearance_type()
    person = make_volunteer()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/clearances/new/",
        {**_data(kind.pk), "document": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["document"] == [message]
    assert Clearance.objects.count() == 0


def test_a_document_over_the_limit_is_refused(
    client: Client, coordinator: User, settings: Any
) -> None:
    settings.DOCUMENT_MAX_BYTES = 20
    kind = make_clearance_type()
    person = make_volunteer()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/volunteers/{person.pk}/clearances/new/",
        {**_data(kind.pk), "document": SimpleUploadedFile("big.pdf", PDF_BYTES)},
    )
    errors = response.context["form"].errors["document"]
    assert len(errors) == 1
    assert errors[0].startswith("The file is ")
    assert Clearance.objects.count() == 0


def test_a_coordinator_updates_a_clearance(client: Client, coordinator: User) -> None:
    kind = make_clearance_type()
    person = make_volunteer(first_name="Ana", last_name="Silva")
    clearance = make_clearance(person, kind, status=ClearanceStatus.PENDING, reference_number="")
    client.force_login(coordinator)
    page = client.get(f"{BASE}/clearances/{clearance.pk}/edit/")
    assert page.context["form"]["status"].value() == "pending"
    response = client.post(
        f"{BASE}/clearances/{clearance.pk}/edit/",
        _data(kind.pk, requested_on="", reference_number="BC-9"),
        follow=True,
    )
    assert _messages(response) == ["Background check for Ana Silva updated."]
    clearance.refresh_from_db()
    assert Clearance.objects.count() == 1
    assert (clearance.status, clearance.issued_on, clearance.reference_number) == (
        ClearanceStatus.CLEARED,
        date(2025, 2, 1),
        "BC-9",
    )

    response = client.post(
        f"{BASE}/clearances/{clearance.pk}/edit/",
        _data(kind.pk, expires_on="2024-12-31"),
    )
    assert response.context["form"].errors["expires_on"] == [
        "The expiry date must be on or after the issue date."
    ]
    clearance.refresh_from_db()
    assert clearance.expires_on == date(2028, 2, 1)


def test_a_volunteer_cannot_record_or_update_a_clearance(client: Client, volunteer: User) -> None:
    kind = make_clearance_type()
    clearance = make_clearance(volunteer, kind, status=ClearanceStatus.PENDING)
    client.force_login(volunteer)
    response = client.post(f"{BASE}/volunteers/{volunteer.pk}/clearances/new/", _data(kind.pk))
    assert response.status_code == 403
    response = client.post(f"{BASE}/clearances/{clearance.pk}/edit/", _data(kind.pk))
    assert response.status_code == 403
    clearance.refresh_from_db()
    assert clearance.status == ClearanceStatus.PENDING
    assert Clearance.objects.count() == 1


def test_only_coordinators_download_clearance_documents(client: Client, coordinator: User) -> None:
    person = make_volunteer()
    clearance = make_clearance(person, make_clearance_type())
    clearance.document.save("check.pdf", ContentFile(PDF_BYTES))
    url = f"{BASE}/clearances/{clearance.pk}/document/"
    client.force_login(person)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert read_download(response) == PDF_BYTES


def test_a_clearance_without_a_document_has_no_download(client: Client, coordinator: User) -> None:
    clearance = make_clearance(make_volunteer(), make_clearance_type())
    client.force_login(coordinator)
    assert client.get(f"{BASE}/clearances/{clearance.pk}/document/").status_code == 404


@pytest.mark.parametrize(
    ("role", "sees_details", "may_change"),
    [
        (Role.VOLUNTEER_COORDINATOR, False, False),
        (Role.SAFEGUARDING_LEAD, True, True),
        (Role.ADMINISTRATOR, True, True),
    ],
)
def test_a_clearances_details_and_document_show_only_to_those_who_may_read_them(
    client: Client, role: Role, sees_details: bool, may_change: bool
) -> None:
    """The volunteer coordinator sees the status and expiry; the reference, the notes and
    the document (and the links to change them) are for the safeguarding lead and
    administrators."""
    person = make_volunteer(first_name="Cai")
    clearance = make_clearance(person, make_clearance_type(), reference_number="BC-SECRET-77")
    clearance.notes = "Spoke to the referee on 3 March"
    clearance.save(update_fields=["notes"])
    clearance.document.save("check.pdf", ContentFile(PDF_BYTES))
    client.force_login(make_user(roles=[role]))
    download = f"{BASE}/clearances/{clearance.pk}/document/"
    edit = f"{BASE}/clearances/{clearance.pk}/edit/"
    for page in (f"{BASE}/volunteers/{person.pk}/", f"{BASE}/clearances/"):
        body = client.get(page).content.decode()
        assert "Cleared" in body
        assert ("BC-SECRET-77" in body) is sees_details
        assert (download in body) is sees_details
        assert (edit in body) is may_change
    body = client.get(f"{BASE}/volunteers/{person.pk}/").content.decode()
    assert ("Spoke to the referee" in body) is sees_details
    response = client.get(download)
    assert response.status_code == (200 if sees_details else 403)
    if sees_details:
        assert read_download(response) == PDF_BYTES
