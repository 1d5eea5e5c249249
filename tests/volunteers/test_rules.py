"""Rules found in review: places after attendance, documents judged by content, clearances."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from core.dates import org_today
from tests.factories import make_user
from tests.volunteers.factories import (
    PDF_BYTES,
    make_clearance,
    make_clearance_type,
    make_session,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import ClearanceStatus, SessionSignup, SignupStatus, TrainingRecord
from volunteers.selectors.people import clearance_summaries
from volunteers.validators import document_kind

pytestmark = pytest.mark.django_db


def test_attendance_cannot_be_marked_before_the_session_starts() -> None:
    session = make_session(make_training(), starts_at=timezone.now() + timedelta(days=2))
    person = make_volunteer()
    services.sign_up_for_session(session=session, volunteer=person)
    with pytest.raises(services.VolunteeringError, match="once the session has started"):
        services.mark_session_attendance(session=session, attended=[person.pk], by=make_user())
    assert SessionSignup.objects.get().status == SignupStatus.CONFIRMED


def test_places_stay_taken_after_attendance_so_the_waitlist_keeps_its_order() -> None:
    session = make_session(
        make_training(), starts_at=timezone.now() + timedelta(days=2), capacity=2
    )
    first, second, waiting, late = (make_volunteer() for _ in range(4))
    for person in (first, second, waiting):
        services.sign_up_for_session(session=session, volunteer=person)
    # The session runs; attendance is marked.
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.ends_at = timezone.now() + timedelta(hours=2)
    session.save()
    services.mark_session_attendance(session=session, attended=[first.pk], by=make_user())
    statuses = dict(SessionSignup.objects.values_list("volunteer_id", "status"))
    assert statuses == {
        first.pk: SignupStatus.ATTENDED,
        second.pk: SignupStatus.NO_SHOW,
        waiting.pk: SignupStatus.WAITLISTED,
    }
    # Two places are still taken (came, did not come): nobody jumps the waitlist.
    session.starts_at = timezone.now() + timedelta(minutes=30)  # as if a later slot
    session.save()
    late_signup = services.sign_up_for_session(session=session, volunteer=late)
    assert late_signup.status == SignupStatus.WAITLISTED


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (PDF_BYTES, "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 12, "JPEG"),
        (b"RIFF\x10\0\0\0WEBPVP8 ", "WebP"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", "HEIC"),
        (b"<html>\nxWEBP<script>", None),  # WEBP without RIFF is no image
        (b"\0\0\0\x18ftypisom\0\0\0\0", None),  # an MP4 video
        (b"PK\x03\x04", None),  # a zip or Word file
    ],
)
def test_documents_are_known_by_their_first_bytes(head: bytes, kind: str | None) -> None:
    found = document_kind(head)
    assert (found.name if found else None) == kind


def test_a_document_is_stored_as_what_it_is_not_as_what_it_is_called(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    record = services.submit_outside_training(
        volunteer=make_volunteer(),
        training=make_training(),
        completed_on=org_today() - timedelta(days=3),
        provider="Red Cross",
        evidence=ContentFile(PDF_BYTES, name="certificate.html"),
    )
    assert Path(record.evidence.name or "").suffix == ".pdf"
    assert Path(record.evidence.path).read_bytes() == PDF_BYTES


def test_the_service_refuses_a_bad_file_even_without_a_form(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as caught:
        services.submit_outside_training(
            volunteer=make_volunteer(),
            training=make_training(),
            completed_on=org_today() - timedelta(days=3),
            provider="",
            evidence=ContentFile(b"<script>alert(1)</script>", name="x.pdf"),
        )
    assert caught.value.message_dict == {
        "evidence": [
            "This file is not a PDF or a photo (JPEG, PNG, WebP or HEIC). Upload the "
            "certificate as one of those."
        ]
    }
    assert TrainingRecord.objects.count() == 0
    assert list(tmp_path.rglob("*.*")) == []


def test_a_clearance_document_is_checked_by_the_service(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError) as caught:
        services.record_clearance(
            volunteer=make_volunteer(),
            clearance_type=make_clearance_type(),
            status=ClearanceStatus.PENDING,
            by=make_user(),
            document=ContentFile(b"MZ\x90\0", name="check.pdf"),
        )
    assert list(caught.value.message_dict) == ["document"]


def test_a_pending_renewal_does_not_hide_a_valid_clearance() -> None:
    volunteer = make_volunteer()
    check = make_clearance_type("Background check")
    make_clearance(volunteer, check, issued_on=date(2026, 1, 5), expires_on=date(2029, 1, 5))
    make_clearance(volunteer, check, status=ClearanceStatus.PENDING)
    assert [s.text for s in clearance_summaries(volunteer)] == [
        "Background check: valid until January 2029; renewal pending"
    ]


def test_volunteers_see_qualification_roles_only_once_appointed(client) -> None:
    from tests.volunteers.factories import make_role

    lead = make_role("Shift lead", is_qualification=True)
    make_role("Events and fundraising")
    person = make_volunteer()
    client.force_login(person)
    page = client.get("/volunteer/").content.decode()
    assert "You can do Events and fundraising" in page
    assert "Shift lead" not in page
    services.grant_qualification(volunteer=person, role=lead, by=make_user())
    page = client.get("/volunteer/").content.decode()
    assert "You are a Shift lead" in page


def test_the_roles_a_volunteer_asked_for_come_first() -> None:
    from tests.volunteers.factories import make_role
    from volunteers.models import VolunteerProfile
    from volunteers.selectors.trainings import role_needs

    make_role("Crisis text line")
    make_role("Events and fundraising")
    outreach = make_role("School outreach")
    person = make_volunteer()
    VolunteerProfile.objects.get(user=person).wanted_roles.set([outreach])
    needs = role_needs(person)
    assert [(n.role.name, n.wanted) for n in needs] == [
        ("School outreach", True),
        ("Crisis text line", False),
        ("Events and fundraising", False),
    ]


def test_editing_a_record_whose_file_was_lost_still_validates(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = services.submit_outside_training(
        volunteer=make_volunteer(),
        training=make_training(),
        completed_on=org_today() - timedelta(days=3),
        provider="Red Cross",
        evidence=ContentFile(PDF_BYTES, name="certificate.pdf"),
    )
    Path(record.evidence.path).unlink()
    record.refresh_from_db()
    record.provider = "British Red Cross"
    record.full_clean()  # no FileNotFoundError: stored files are not re-read
    record.save()


def test_the_roster_counts_places_taken_after_attendance(client) -> None:
    from accounts.roles import Role

    session = make_session(
        make_training(), starts_at=timezone.now() + timedelta(days=1), capacity=3
    )
    came, missed = make_volunteer(), make_volunteer()
    for person in (came, missed):
        services.sign_up_for_session(session=session, volunteer=person)
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.save()
    coordinator = make_user(roles=[Role.ADMINISTRATOR])
    services.mark_session_attendance(session=session, attended=[came.pk], by=coordinator)
    client.force_login(coordinator)
    page = client.get(f"/coordinator/volunteering/sessions/{session.pk}/").content.decode()
    assert "2 of 3 taken" in page
