"""A profile photo as personal data: it is in the person's export (file and manifest),
an erasure deletes its file once committed, deleting the profile (a declined application
past its retention) deletes it too, and the coordinator's person page shows it with a flat
query count."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.services.data_export import export_person
from accounts.services.erasure import erase_person
from accounts.services.retention import limit_days, run_retention
from tests.volunteers.factories import make_clearance, make_clearance_type, make_volunteer
from volunteers.models import ProfileStatus, VolunteerProfile
from volunteers.services.photos import set_profile_photo

pytestmark = pytest.mark.django_db

EMAIL = "ana.s@example.org"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 40, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("me.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def ana() -> User:
    ana = make_volunteer(first_name="Ana", last_name="Souza", email=EMAIL)
    set_profile_photo(volunteer=ana, upload=_jpeg())
    return ana


def _photo_name(person: User) -> str:
    name = VolunteerProfile.objects.get(user=person).photo.name
    assert name and default_storage.exists(name)
    return name


def test_the_export_holds_the_photo_and_lists_it_in_the_manifest(
    ana: User, coordinator: User
) -> None:
    name = _photo_name(ana)
    result = export_person(person=ana, by=coordinator)
    archive = zipfile.ZipFile(io.BytesIO(result.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["categories"]["volunteer_profile"]["records"] == 1
    assert manifest["categories"]["volunteer_profile"]["files"] == ["photo.jpg"]
    with default_storage.open(name, "rb") as handle:
        assert archive.read("files/volunteer_profile/photo.jpg") == handle.read()
    assert result.files == 1
    assert "volunteer_profile.json: the volunteer profile and application, with the photo " in (
        archive.read("README.txt").decode()
    )


def test_an_export_without_a_photo_has_no_profile_file(coordinator: User) -> None:
    lee = make_volunteer(first_name="Lee", email="lee@example.org")
    archive = zipfile.ZipFile(io.BytesIO(export_person(person=lee, by=coordinator).content))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["categories"]["volunteer_profile"] == {
        "title": "the volunteer profile and application, with the photo",
        "records": 1,
        "files": [],
    }
    assert not [item for item in archive.namelist() if item.startswith("files/")]


def test_an_erasure_deletes_the_photo_file_once_committed(
    ana: User, coordinator: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    name = _photo_name(ana)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = erase_person(person=ana, by=coordinator, confirmation=EMAIL)
    assert result.counts["photos"] == 1
    assert VolunteerProfile.objects.get(user=ana).photo.name == ""
    assert default_storage.exists(name)  # nothing deleted before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(name)


def test_deleting_the_profile_deletes_the_photo_file_after_commit(
    ana: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    name = _photo_name(ana)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        VolunteerProfile.objects.get(user=ana).delete()
    assert not VolunteerProfile.objects.filter(user_id=ana.pk).exists()
    assert default_storage.exists(name)  # a rolled-back deletion would keep it
    assert len(callbacks) == 1
    callbacks[0]()
    assert not default_storage.exists(name)


def test_a_declined_application_past_retention_goes_with_its_photo(
    ana: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    name = _photo_name(ana)
    reviewed = timezone.now() - timedelta(days=limit_days("declined_applications") + 1)
    VolunteerProfile.objects.filter(user=ana).update(
        status=ProfileStatus.DECLINED, reviewed_at=reviewed
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = run_retention()
    assert counts["declined_applications"] == 1
    assert not default_storage.exists(name)


def test_deleting_a_profile_without_a_photo_deletes_no_file(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    lee = make_volunteer(first_name="Lee", email="lee@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        VolunteerProfile.objects.filter(user=lee).delete()
    assert callbacks == []


def test_the_person_page_shows_the_photo_with_a_flat_query_count(
    client: Client, coordinator: User, ana: User
) -> None:
    client.force_login(coordinator)
    url = f"/coordinator/volunteering/volunteers/{ana.pk}/"

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    small, body = count()
    profile = VolunteerProfile.objects.get(user=ana)
    src = f"/volunteer/photos/{ana.pk}/?v={int(profile.updated_at.timestamp())}"
    assert body.count('class="avatar"') == 1
    assert f'<img class="avatar" src="{src}" alt="Ana Souza" width="40" height="40">' in body
    for number in range(4):
        make_clearance(ana, make_clearance_type(f"Check {number}"))
    large, body = count()
    assert body.count('class="avatar"') == 1
    assert large == small


def test_the_person_page_has_no_photo_when_there_is_none(client: Client, coordinator: User) -> None:
    lee = make_volunteer(first_name="Lee", email="lee@example.org")
    client.force_login(coordinator)
    body = client.get(f"/coordinator/volunteering/volunteers/{lee.pk}/").content.decode()
    assert 'class="avatar"' not in body
