"""Evidence of an outside training: sending it, refusing bad files, and who may read it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from core.dates import org_today
from tests.volunteers.factories import PDF_BYTES, PNG_BYTES, make_training, make_volunteer
from volunteers.models import RecordStatus, Training, TrainingRecord

pytestmark = pytest.mark.django_db

URL = "/volunteer/trainings/evidence/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def training() -> Training:
    return make_training("Trauma-informed care", 12)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def evidence_post(
    training: Training, upload: SimpleUploadedFile, **changes: str
) -> dict[str, object]:
    data: dict[str, object] = {
        "training": str(training.pk),
        "completed_on": "2025-02-20",
        "provider": "  Red Cross  ",
        "evidence": upload,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("name", "content", "suffix"),
    [("Certificate Ana Lopez.PDF", PDF_BYTES, ".pdf"), ("photo.png", PNG_BYTES, ".png")],
)
def test_a_pdf_or_a_photo_is_saved_for_a_coordinator_to_verify(
    client: Client, training: Training, media_root: Path, name: str, content: bytes, suffix: str
) -> None:
    person = make_volunteer()
    client.force_login(person)
    response = client.post(URL, evidence_post(training, SimpleUploadedFile(name, content)))
    assert response.status_code == 302
    assert response["Location"] == "/volunteer/trainings/"
    record = TrainingRecord.objects.get()
    assert record.volunteer == person
    assert record.training == training
    assert record.status == RecordStatus.PENDING
    assert record.completed_on == date(2025, 2, 20)
    assert record.expires_on == date(2026, 2, 20)
    assert record.provider == "Red Cross"
    assert record.verified_by is None
    # A random file name: the original may hold personal data.
    stored_name = record.evidence.name or ""
    assert stored_name.startswith("evidence/")
    assert stored_name.endswith(suffix)
    assert "Ana" not in stored_name
    files = stored_files(media_root)
    assert len(files) == 1
    assert files[0].read_bytes() == content
    page = client.get("/volunteer/trainings/").content.decode()
    assert "Thank you. A coordinator will check your Trauma-informed care certificate." in page
    assert "Certificate for 20 Feb 2025: pending verification by a coordinator." in page
    assert f'href="/volunteer/documents/evidence/{record.pk}/"' in page


@pytest.mark.parametrize(
    ("upload", "changes", "errors"),
    [
        (
            SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00 this is a program"),
            {},
            {
                "evidence": [
                    "This file is not a PDF or a photo (JPEG, PNG, WebP or HEIC). Upload the "
                    "certificate as one of those."
                ]
            },
        ),
        (
            SimpleUploadedFile("certificate.pdf", PDF_BYTES + b"0" * 2000),
            {},
            {
                "evidence": [
                    "The file is 2.0\xa0KB; the limit is 1.0\xa0KB. Scan at a lower resolution "
                    "or send a smaller photo."
                ]
            },
        ),
        (
            SimpleUploadedFile("certificate.pdf", PDF_BYTES),
            {"completed_on": "tomorrow"},
            {"completed_on": ["A training cannot be completed in the future. Check the date."]},
        ),
    ],
    ids=["not-a-document", "too-large", "future-date"],
)
def test_bad_evidence_gets_a_form_error_and_nothing_is_saved(
    client: Client,
    training: Training,
    media_root: Path,
    settings,
    upload: SimpleUploadedFile,
    changes: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    settings.DOCUMENT_MAX_BYTES = 1024
    if changes.get("completed_on") == "tomorrow":
        changes = {"completed_on": (org_today() + timedelta(days=1)).isoformat()}
    client.force_login(make_volunteer())
    response = client.post(URL, evidence_post(training, upload, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert TrainingRecord.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_form_lists_trainings_and_needs_every_field(client: Client, training: Training) -> None:
    client.force_login(make_volunteer())
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["training"].queryset) == [training]
    response = client.post(URL, {})
    assert response.context["form"].errors == {
        "training": ["This field is required."],
        "completed_on": ["This field is required."],
        "provider": ["This field is required."],
        "evidence": ["This field is required."],
    }
    assert TrainingRecord.objects.count() == 0


@pytest.fixture
def record(client: Client, training: Training) -> TrainingRecord:
    owner = make_volunteer(email="owner@example.org")
    client.force_login(owner)
    client.post(URL, evidence_post(training, SimpleUploadedFile("c.pdf", PDF_BYTES)))
    client.logout()
    return TrainingRecord.objects.get()


def test_the_owner_downloads_their_evidence_as_an_attachment(
    client: Client, record: TrainingRecord
) -> None:
    client.force_login(record.volunteer)
    response = client.get(f"/volunteer/documents/evidence/{record.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="training-evidence-{record.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_coordinator_downloads_any_evidence(
    client: Client, record: TrainingRecord, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.get(f"/volunteer/documents/evidence/{record.pk}/")
    assert response.status_code == 200
    assert response.getvalue() == PDF_BYTES


def test_another_volunteer_gets_404_for_evidence_not_theirs(
    client: Client, record: TrainingRecord, donor: User
) -> None:
    client.force_login(make_volunteer(email="curious@example.org"))
    assert client.get(f"/volunteer/documents/evidence/{record.pk}/").status_code == 404
    assert client.get(f"/volunteer/documents/evidence/{record.pk + 1}/").status_code == 404
    client.force_login(donor)
    assert client.get(f"/volunteer/documents/evidence/{record.pk}/").status_code == 404


def test_a_visitor_is_sent_to_log_in_for_evidence(client: Client, record: TrainingRecord) -> None:
    url = f"/volunteer/documents/evidence/{record.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_record_without_evidence_has_no_document(client: Client, training: Training) -> None:
    person = make_volunteer()
    plain = TrainingRecord.objects.create(
        volunteer=person, training=training, completed_on=date(2025, 1, 1)
    )
    client.force_login(person)
    assert client.get(f"/volunteer/documents/evidence/{plain.pk}/").status_code == 404
