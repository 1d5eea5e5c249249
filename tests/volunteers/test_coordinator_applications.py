"""Coordinator reviews: volunteer applications and certificates of outside trainings."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from tests.factories import make_user
from tests.volunteers.factories import (
    PDF_BYTES,
    make_clearance,
    make_clearance_type,
    make_role,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    ApplicationAnswer,
    ApplicationQuestion,
    ClearanceStatus,
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
    assert [app.profile.user for app, _ in response.context["rows"]] == [applicant]
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


def test_an_application_reads_like_a_letter_with_its_clearances(
    client: Client, coordinator: User, applicant: User
) -> None:
    background = make_clearance_type("Background check")
    reference = make_clearance_type("Reference check")
    make_clearance_type("Driving licence")  # neither held nor needed: not listed
    profile = applicant.volunteer_profile
    profile.wanted_roles.add(make_role("Crisis line", clearance_types=[background, reference]))
    make_clearance(applicant, background, expires_on=date(2029, 3, 1))
    long_question = ApplicationQuestion.objects.create(
        text="Tell us about a time you supported someone in a difficult moment", position=2
    )
    ApplicationAnswer.objects.create(
        profile=profile, question=long_question, answer="At the shelter.\nEvery week."
    )
    client.force_login(coordinator)
    response = client.get(f"{BASE}/applications/")
    application, _form = response.context["rows"][0]
    assert [
        (line.name, line.status, line.expires_on, line.required) for line in application.clearances
    ] == [
        ("Background check", ClearanceStatus.CLEARED, date(2029, 3, 1), True),
        ("Reference check", "", None, True),
    ]
    assert application.missing_clearances == 1
    body = response.content.decode()
    assert "<h3>Why do you want to help?</h3><p>To give back</p>" in body
    assert (
        "<h3>Tell us about a time you supported someone in a difficult moment</h3>"
        "<p>At the shelter.<br>Every week.</p>"
    ) in body
    assert "<strong>Reference check</strong>:" in body
    assert "not recorded yet" in body
    assert "1 clearance needed for the wanted roles is not cleared yet." in body
    assert "BC-000123" not in body  # a reference number is a clearance detail
    assert "Driving licence" not in body
    assert "Approve Ana Silva" in body


def test_a_safeguarding_lead_reads_applications_without_the_decision_buttons(
    client: Client, applicant: User
) -> None:
    lead = make_user(roles=[Role.SAFEGUARDING_LEAD], email="lead@example.org")
    client.force_login(lead)
    body = client.get(f"{BASE}/applications/").content.decode()
    assert "Why do you want to help?" in body
    assert "Approve Ana Silva" not in body
    assert "/approve/" not in body


def _applications_queries(client: Client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/applications/")
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_the_applications_query_count_is_flat(
    client: Client, coordinator: User, applicant: User
) -> None:
    kind = make_clearance_type("Background check")
    question = ApplicationQuestion.objects.create(text="What languages do you speak?")

    def add(n: int) -> None:
        for i in range(n):
            person = make_volunteer(status=ProfileStatus.APPLICANT, email=f"app{i}-{n}@example.org")
            person.volunteer_profile.wanted_roles.add(
                make_role(f"Role {i}-{n}", clearance_types=[kind])
            )
            make_clearance(person, kind, status=ClearanceStatus.REQUESTED)
            ApplicationAnswer.objects.create(
                profile=person.volunteer_profile, question=question, answer="Tagalog"
            )

    client.force_login(coordinator)
    add(2)
    small, rows = _applications_queries(client)
    assert rows == 3
    add(25)
    large, rows = _applications_queries(client)
    assert rows == 28
    assert small == large


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
