"""Coordinator reviews: volunteer applications and certificates of outside trainings."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.volunteers.factories import PDF_BYTES, make_role, make_training, make_volunteer
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    ProfileStatus,
    RecordStatus,
    TrainingRecord,
    VolunteerProfile,
)
from volunteers.services import submit_outside_training

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def applicant(db: None) -> User:
    person = make_volunteer(
        status=ProfileStatus.APPLICANT,
        first_name="Ana",
        last_name="Silva",
        email="ana.silva@example.org",
    )
    person.groups.clear()  # an applicant is not a volunteer until approved
    profile = person.volunteer_profile
    profile.availability = "Weekday evenings"
    profile.save()
    profile.wanted_roles.add(make_role("School outreach"))
    question = ApplicationQuestion.objects.create(text="Why do you want to help?")
    ApplicationAnswer.objects.create(profile=profile, question=question, answer="To give back")
    return person


def test_the_list_shows_applicants_with_answers_and_wanted_roles(
    client: Client, coordinator: User, applicant: User
) -> None:
    make_volunteer(first_name="Ben", last_name="Active")
    client.force_login(coordinator)
    response = client.get(f"{BASE}/applications/")
    assert [profile.user for profile, _ in response.context["rows"]] == [applicant]
    body = response.content.decode()
    assert "Why do you want to help?" in body
    assert "To give back" in body
    assert "School outreach" in body
    assert "Weekday evenings" in body
    assert "Ben Active" not in body


def test_approving_makes_an_active_volunteer(
    client: Client, coordinator: User, applicant: User
) -> None:
    client.force_login(coordinator)
    profile = applicant.volunteer_profile
    response = client.post(f"{BASE}/applications/{profile.pk}/approve/", follow=True)
    assert _messages(response) == ["Ana Silva is now an active volunteer."]
    assert response.context["rows"] == []
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.ACTIVE
    assert profile.reviewed_by == coordinator
    assert User.objects.get(pk=applicant.pk).has_role(Role.VOLUNTEER) is True

    again = client.post(f"{BASE}/applications/{profile.pk}/approve/", follow=True)
    assert _messages(again) == ["This application was already reviewed (status: Active)."]


def test_declining_needs_a_reason_the_applicant_sees(
    client: Client, coordinator: User, applicant: User
) -> None:
    client.force_login(coordinator)
    profile = applicant.volunteer_profile
    response = client.post(f"{BASE}/applications/{profile.pk}/decline/", {"reason": "   "})
    assert response.status_code == 200
    form = response.context["rows"][0][1]
    assert form.errors["reason"] == ["Write a reason: the applicant will see it."]
    assert VolunteerProfile.objects.get(pk=profile.pk).status == ProfileStatus.APPLICANT

    response = client.post(
        f"{BASE}/applications/{profile.pk}/decline/",
        {"reason": "We need people aged 21 or over for school outreach."},
        follow=True,
    )
    assert _messages(response) == ["Application of Ana Silva declined. They will see why."]
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.DECLINED
    assert profile.decline_reason == "We need people aged 21 or over for school outreach."
    assert User.objects.get(pk=applicant.pk).has_role(Role.VOLUNTEER) is False


def test_a_volunteer_cannot_review_applications(
    client: Client, volunteer: User, applicant: User
) -> None:
    client.force_login(volunteer)
    profile = applicant.volunteer_profile
    assert client.post(f"{BASE}/applications/{profile.pk}/approve/").status_code == 403
    response = client.post(f"{BASE}/applications/{profile.pk}/decline/", {"reason": "No"})
    assert response.status_code == 403
    assert VolunteerProfile.objects.get(pk=profile.pk).status == ProfileStatus.APPLICANT


# Evidence of outside trainings


@pytest.fixture
def pending(db: None) -> TrainingRecord:
    person = make_volunteer(first_name="Ana", last_name="Silva")
    return submit_outside_training(
        volunteer=person,
        training=make_training(validity_months=12),
        completed_on=date(2026, 3, 2),
        provider="Red Cross",
        evidence=ContentFile(PDF_BYTES, name="certificate.pdf"),
    )


def test_the_queue_lists_pending_certificates_with_their_file(
    client: Client, coordinator: User, pending: TrainingRecord
) -> None:
    client.force_login(coordinator)
    response = client.get(f"{BASE}/evidence/")
    assert [record for record, _ in response.context["rows"]] == [pending]
    body = response.content.decode()
    assert "Trauma-informed care from Ana Silva" in body
    assert "Red Cross" in body
    assert f'href="/volunteer/documents/evidence/{pending.pk}/"' in body


def test_verifying_a_certificate(
    client: Client, coordinator: User, pending: TrainingRecord
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/evidence/{pending.pk}/verify/", follow=True)
    assert _messages(response) == ["Trauma-informed care of Ana Silva verified."]
    assert response.context["rows"] == []
    pending.refresh_from_db()
    assert pending.status == RecordStatus.VERIFIED
    assert pending.verified_by == coordinator
    assert pending.expires_on == date(2027, 3, 2)


def test_rejecting_a_certificate_needs_a_reason(
    client: Client, coordinator: User, pending: TrainingRecord
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/evidence/{pending.pk}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["rows"][0][1].errors["reason"] == [
        "Write a reason: the volunteer will see it."
    ]
    pending.refresh_from_db()
    assert pending.status == RecordStatus.PENDING

    response = client.post(
        f"{BASE}/evidence/{pending.pk}/reject/",
        {"reason": "The certificate has no date."},
        follow=True,
    )
    assert _messages(response) == [
        "Trauma-informed care of Ana Silva not accepted. They will see why."
    ]
    pending.refresh_from_db()
    assert pending.status == RecordStatus.REJECTED
    assert pending.rejection_reason == "The certificate has no date."
    assert pending.verified_by == coordinator


def test_a_reason_over_300_characters_is_refused(
    client: Client, coordinator: User, pending: TrainingRecord
) -> None:
    client.force_login(coordinator)
    response = client.post(f"{BASE}/evidence/{pending.pk}/reject/", {"reason": "x" * 301})
    assert response.context["rows"][0][1].errors["reason"] == [
        "Ensure this value has at most 300 characters (it has 301)."
    ]
    pending.refresh_from_db()
    assert pending.status == RecordStatus.PENDING


def test_a_volunteer_cannot_verify_their_own_certificate(
    client: Client, pending: TrainingRecord
) -> None:
    client.force_login(pending.volunteer)
    assert client.post(f"{BASE}/evidence/{pending.pk}/verify/").status_code == 403
    pending.refresh_from_db()
    assert pending.status == RecordStatus.PENDING
