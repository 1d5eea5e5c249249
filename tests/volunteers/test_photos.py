"""Profile photos: what is accepted (by Pillow, not by name), what is kept (a small JPEG
without EXIF), who may see it (owner, teammates on a shared shift, staff who read
volunteering), where it shows (the shift page, the roster), and removing or replacing it."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEntry, User
from accounts.roles import Role
from tests.factories import make_user
from tests.utils import read_download
from tests.volunteers.factories import PDF_BYTES, make_role, make_shift, make_volunteer
from volunteers import services
from volunteers.models import Shift, ShiftStatus, VolunteerProfile
from volunteers.services.photos import set_profile_photo

pytestmark = pytest.mark.django_db

GPS_TAG = 0x8825
ORIENTATION_TAG = 0x0112


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def image_bytes(
    size: tuple[int, int] = (300, 200),
    fmt: str = "JPEG",
    *,
    exif: bool = False,
    orientation: int | None = None,
) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    extra: dict[str, Any] = {}
    if exif or orientation:
        data = Image.Exif()
        if exif:
            data[0x010F] = "PhoneMaker"  # camera make
            data[GPS_TAG] = {1: "N", 2: (51.0, 30.0, 0.0)}
        if orientation:
            data[ORIENTATION_TAG] = orientation
        extra["exif"] = data
    image.save(out, format=fmt, **extra)
    return out.getvalue()


def upload(content: bytes, name: str = "me.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def stored(user: User) -> Image.Image:
    profile = VolunteerProfile.objects.get(user=user)
    with profile.photo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def ana() -> User:
    return make_volunteer(first_name="Ana", last_name="Souza", email="ana.s@example.org")


def test_a_photo_is_shrunk_and_stored_without_its_exif(client: Client, ana: User) -> None:
    client.force_login(ana)
    response = client.post(
        "/volunteer/photo/",
        {"photo": upload(image_bytes((1600, 1200), exif=True), name="holiday.png")},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Your photo was added."]
    image = stored(ana)
    assert image.format == "JPEG"
    assert image.size == (512, 384)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    profile = VolunteerProfile.objects.get(user=ana)
    assert profile.photo.name is not None
    assert profile.photo.name.startswith("photos/") and profile.photo.name.endswith(".jpg")
    assert list(AuditEntry.objects.filter(subject=ana).values_list("action", flat=True)) == [
        "volunteer.photo_added"
    ]


def test_a_sideways_phone_photo_is_turned_upright(ana: User) -> None:
    set_profile_photo(volunteer=ana, upload=upload(image_bytes((200, 100), orientation=6)))
    assert stored(ana).size == (100, 200)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (PDF_BYTES, "This file is not a photo we can read. Send a JPEG, PNG or WebP photo."),
        (
            image_bytes((100, 100), "GIF"),
            "This file is not a photo we can read. Send a JPEG, PNG or WebP photo.",
        ),
        (
            b"\xff\xd8\xff" + b"0" * 200,
            "This file is not a photo we can read. Send a JPEG, PNG or WebP photo.",
        ),
        (
            image_bytes((8001, 20), "PNG"),
            "The photo is 8001 \u00d7 20 pixels; the most is 8000 pixels a side.",
        ),
        (
            image_bytes((40, 300), "PNG"),
            "The photo is 40 \u00d7 300 pixels; it needs at least 64 pixels a side.",
        ),
        (b"", "The submitted file is empty."),
        (
            b"x" * (8 * 1024 * 1024 + 1),
            "The photo is 8.0\xa0MB; the limit is 8.0\xa0MB. Send a smaller photo.",
        ),
    ],
)
def test_a_bad_photo_is_a_clear_form_error_and_nothing_is_saved(
    client: Client, ana: User, content: bytes, message: str
) -> None:
    client.force_login(ana)
    response = client.post("/volunteer/photo/", {"photo": upload(content)})
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [message]
    assert VolunteerProfile.objects.get(user=ana).photo.name == ""
    assert not AuditEntry.objects.filter(action__startswith="volunteer.photo").exists()


def test_replace_and_remove_delete_the_old_files(
    client: Client, ana: User, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(ana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/volunteer/photo/", {"photo": upload(image_bytes())}, follow=True)
    first = str(VolunteerProfile.objects.get(user=ana).photo.name)
    assert (tmp_path / first).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/volunteer/photo/", {"photo": upload(image_bytes((400, 400), "PNG"))}, follow=True
        )
    assert [str(m) for m in response.context["messages"]] == ["Your photo was replaced."]
    second = str(VolunteerProfile.objects.get(user=ana).photo.name)
    assert second != first
    assert not (tmp_path / first).exists()
    assert (tmp_path / second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/volunteer/photo/remove/", follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Your photo was removed."]
    assert VolunteerProfile.objects.get(user=ana).photo.name == ""
    assert not (tmp_path / second).exists()
    assert list(
        AuditEntry.objects.filter(subject=ana).order_by("pk").values_list("action", flat=True)
    ) == ["volunteer.photo_added", "volunteer.photo_replaced", "volunteer.photo_removed"]
    # Removing again changes nothing and says nothing.
    response = client.post("/volunteer/photo/remove/", follow=True)
    assert [str(m) for m in response.context["messages"]] == []


@pytest.fixture
def team(ana: User) -> dict[str, Any]:
    set_profile_photo(volunteer=ana, upload=upload(image_bytes()))
    role = make_role("Outreach")
    soon = timezone.now() + timedelta(days=7)
    shift = make_shift(role, capacity=5, starts_at=soon)
    other = make_shift(role, capacity=5, starts_at=soon + timedelta(days=1))
    cancelled = make_shift(role, capacity=5, starts_at=soon + timedelta(days=2))
    ben = make_volunteer(first_name="Ben", email="ben@example.org")
    cy = make_volunteer(first_name="Cy", email="cy@example.org")
    dee = make_volunteer(first_name="Dee", email="dee@example.org")
    for person in (ana, ben):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    services.sign_up_for_shift(shift=other, volunteer=cy)
    for person in (ana, dee):
        services.sign_up_for_shift(shift=cancelled, volunteer=person)
    Shift.objects.filter(pk=cancelled.pk).update(status=ShiftStatus.CANCELLED)
    return {"shift": shift, "other": other, "ben": ben, "cy": cy, "dee": dee}


def test_who_may_see_a_photo(client: Client, ana: User, team: dict[str, Any]) -> None:
    url = f"/volunteer/photos/{ana.pk}/"
    coordinator = make_user(roles=[Role.VOLUNTEER_COORDINATOR], email="co@example.org")
    safeguarding = make_user(roles=[Role.SAFEGUARDING_LEAD], email="sg@example.org")
    fundraiser = make_user(roles=[Role.FUNDRAISER], email="fu@example.org")
    donor = make_user(roles=[Role.DONOR], email="do@example.org")
    expected = {
        ana: 200,
        team["ben"]: 200,  # on the same shift
        team["cy"]: 404,  # on another shift only
        team["dee"]: 404,  # on the same shift, but it was cancelled
        coordinator: 200,
        safeguarding: 200,
        fundraiser: 404,
        donor: 404,
    }
    answers = {}
    for person in expected:
        client.force_login(person)
        response = client.get(url)
        answers[person] = response.status_code
        if response.status_code == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, max-age=300"
            assert read_download(response)[:3] == b"\xff\xd8\xff"
    assert answers == expected
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    # Ben has no photo: even his teammate gets 404.
    client.force_login(ana)
    assert client.get(f"/volunteer/photos/{team['ben'].pk}/").status_code == 404


def test_the_shift_page_shows_teammates_photos_only_to_teammates(
    client: Client, ana: User, team: dict[str, Any]
) -> None:
    shift = team["shift"]
    photo = f'src="/volunteer/photos/{ana.pk}/?v='
    client.force_login(team["ben"])
    body = client.get(f"/volunteer/shifts/{shift.pk}/").content.decode()
    assert body.count(photo) == 1
    assert "Souza" not in body
    client.force_login(team["cy"])  # not on this shift: names only, no photo address
    body = client.get(f"/volunteer/shifts/{shift.pk}/").content.decode()
    assert photo not in body


def test_the_roster_shows_photos_with_a_flat_query_count(
    client: Client, coordinator: User, ana: User, team: dict[str, Any]
) -> None:
    shift = team["shift"]
    url = f"/coordinator/volunteering/shifts/{shift.pk}/"
    client.force_login(coordinator)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    small, body = count()
    assert body.count('class="avatar"') == 1
    for n in range(4):
        person = make_volunteer(first_name=f"P{n}", email=f"p{n}@example.org")
        set_profile_photo(volunteer=person, upload=upload(image_bytes()))
        services.sign_up_for_shift(shift=shift, volunteer=person)
    large, body = count()
    assert body.count('class="avatar"') == 5
    assert large == small


def test_the_shift_page_with_photos_has_a_flat_query_count(
    client: Client, ana: User, team: dict[str, Any]
) -> None:
    shift = team["shift"]
    url = f"/volunteer/shifts/{shift.pk}/"
    client.force_login(team["ben"])

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    small, body = count()
    assert body.count('class="avatar"') == 1
    Shift.objects.filter(pk=shift.pk).update(capacity=20)
    for n in range(6):
        person = make_volunteer(first_name=f"Q{n}", email=f"q{n}@example.org")
        set_profile_photo(volunteer=person, upload=upload(image_bytes()))
        services.sign_up_for_shift(shift=shift, volunteer=person)
    large, body = count()
    assert body.count('class="avatar"') == 7
    assert large == small
