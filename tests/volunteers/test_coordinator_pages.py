"""Coordinator volunteering pages: who may open them, what they show, and their query counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.dates import org_today
from tests.utils import read_download
from tests.volunteers.factories import (
    PDF_BYTES,
    make_clearance,
    make_clearance_type,
    make_record,
    make_role,
    make_session,
    make_training,
    make_volunteer,
)
from volunteers.models import (
    Clearance,
    ClearanceStatus,
    ProfileStatus,
    Qualification,
    RecordStatus,
    StaffingRule,
    TrainingRecord,
    VolunteerProfile,
    VolunteerRole,
)

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(db: None) -> Iterator[dict[str, Any]]:
    training = make_training()
    kind = make_clearance_type()
    role = make_role(trainings=[training], clearance_types=[kind])
    person = make_volunteer(first_name="Ana", last_name="Silva", email="ana.silva@example.org")
    session = make_session(training)
    clearance = make_clearance(person, kind, reference_number="BC-777")
    clearance.document.save("check.pdf", ContentFile(PDF_BYTES))
    yield {
        "training": training,
        "kind": kind,
        "role": role,
        "person": person,
        "session": session,
        "clearance": clearance,
    }


def _pages(w: dict[str, Any]) -> list[str]:
    return [
        f"{BASE}/roles/",
        f"{BASE}/roles/new/",
        f"{BASE}/roles/{w['role'].pk}/edit/",
        f"{BASE}/trainings/",
        f"{BASE}/trainings/new/",
        f"{BASE}/trainings/{w['training'].pk}/edit/",
        f"{BASE}/trainings/{w['training'].pk}/sessions/new/",
        f"{BASE}/sessions/{w['session'].pk}/",
        f"{BASE}/clearances/",
        f"{BASE}/clearances/{w['clearance'].pk}/edit/",
        f"{BASE}/clearances/{w['clearance'].pk}/document/",
        f"{BASE}/volunteers/",
        f"{BASE}/volunteers/{w['person'].pk}/",
        f"{BASE}/volunteers/{w['person'].pk}/clearances/new/",
        f"{BASE}/expiring/",
        f"{BASE}/applications/",
        f"{BASE}/evidence/",
    ]


def test_every_page_opens_for_a_coordinator(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    for path in _pages(world):
        response = client.get(path)
        if response.streaming:
            read_download(response)
        assert response.status_code == 200, path


def test_every_page_is_refused_to_a_volunteer(client: Client, volunteer: User, world) -> None:
    client.force_login(volunteer)
    for path in _pages(world):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Your role does not give access to this page." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world) -> None:
    for path in _pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_coordinator_home_links_to_volunteering_with_counts(
    client: Client, coordinator: User, world
) -> None:
    make_volunteer(status=ProfileStatus.APPLICANT)
    make_record(
        world["person"],
        world["training"],
        completed_on=org_today() - timedelta(days=350),
    )
    client.force_login(coordinator)
    response = client.get("/coordinator/")
    assert response.status_code == 200
    assert response.context["volunteering"] == {
        "applicants": 1,
        "evidence": 0,
        "expiring": 1,
        "sessions": 1,
    }
    body = response.content.decode()
    assert f'href="{BASE}/applications/"' in body
    assert f'href="{BASE}/expiring/"' in body
    assert f'href="{BASE}/volunteers/"' in body


def test_the_coordinator_home_query_count_stays_flat(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    training = make_training()
    with CaptureQueriesContext(connection) as small:
        assert client.get("/coordinator/").status_code == 200
    people = _bulk_people(30)
    for person in people:
        make_record(person, training, completed_on=org_today() - timedelta(days=340))
    VolunteerProfile.objects.filter(user__in=people[:10]).update(status=ProfileStatus.APPLICANT)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/coordinator/")
    assert response.context["volunteering"]["expiring"] == 30
    assert response.context["volunteering"]["applicants"] == 10
    assert len(small) == len(large)


# Roles


def test_a_coordinator_creates_and_edits_a_role(client: Client, coordinator: User, world) -> None:
    client.force_login(coordinator)
    safeguarding = make_training("Child safeguarding", validity_months=None)
    response = client.post(
        f"{BASE}/roles/new/",
        {
            "name": "School outreach",
            "description": "Talks in schools",
            "minimum_age": "21",
            "required_trainings": [str(safeguarding.pk)],
            "required_clearance_types": [str(world["kind"].pk)],
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/roles/"
    role = VolunteerRole.objects.get(name="School outreach")
    assert role.minimum_age == 21
    assert [t.name for t in role.required_trainings.all()] == ["Child safeguarding"]
    assert [c.name for c in role.required_clearance_types.all()] == ["Background check"]
    assert role.is_qualification is False
    assert role.active is True

    response = client.post(
        f"{BASE}/roles/{role.pk}/edit/",
        {"name": "School outreach", "minimum_age": "", "required_trainings": []},
    )
    assert response.status_code == 302
    role = VolunteerRole.objects.get(pk=role.pk)
    assert role.minimum_age is None
    assert role.required_trainings.count() == 0
    assert role.active is False

    page = client.get(f"{BASE}/roles/").content.decode()
    assert "School outreach" in page
    assert "(not in use)" in page


def test_staffing_rules_are_added_listed_and_removed(
    client: Client, coordinator: User, world
) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    role = world["role"]
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/roles/{role.pk}/rules/", {"qualification": str(lead.pk), "minimum": "1"}
    )
    assert response.status_code == 302
    rule = StaffingRule.objects.get()
    assert (rule.role, rule.qualification, rule.minimum) == (role, lead, 1)
    page = client.get(f"{BASE}/roles/")
    assert "at least 1 Shift lead" in page.content.decode()
    messages = [str(m) for m in page.context["messages"]]
    assert messages == ["Crisis text line now needs at least 1 Shift lead."]

    client.post(f"{BASE}/roles/{role.pk}/rules/", {"qualification": str(lead.pk), "minimum": "2"})
    assert StaffingRule.objects.get().minimum == 2

    response = client.post(f"{BASE}/roles/{role.pk}/rules/", {"qualification": "", "minimum": "0"})
    assert response.status_code == 200
    form = response.context["rows"][0][1]
    assert form.errors["qualification"] == ["This field is required."]
    assert StaffingRule.objects.count() == 1

    response = client.post(f"{BASE}/rules/{rule.pk}/remove/")
    assert response.status_code == 302
    assert StaffingRule.objects.count() == 0


def test_a_volunteer_cannot_change_roles(client: Client, volunteer: User, world) -> None:
    client.force_login(volunteer)
    response = client.post(f"{BASE}/roles/new/", {"name": "Sneaky"})
    assert response.status_code == 403
    assert not VolunteerRole.objects.filter(name="Sneaky").exists()


# A volunteer's qualification page


def test_the_volunteer_page_shows_profile_records_clearance_details_and_eligibility(
    client: Client, coordinator: User, world
) -> None:
    person = world["person"]
    profile = person.volunteer_profile
    profile.emergency_contact_name = "Rui Silva"
    profile.languages = "Portuguese, English"
    profile.coordinator_notes = "Prefers evenings"
    profile.save()
    make_record(person, world["training"], completed_on=date(2020, 1, 10))
    client.force_login(coordinator)
    response = client.get(f"{BASE}/volunteers/{person.pk}/")
    body = response.content.decode()
    assert "Ana Silva" in body
    assert "Rui Silva" in body
    assert "Portuguese, English" in body
    assert "Prefers evenings" in body
    assert "BC-777" in body
    assert f"{BASE}/clearances/{world['clearance'].pk}/document/" in body
    needs = response.context["file"].needs
    assert [(n.role.name, n.eligibility.eligible) for n in needs] == [("Crisis text line", False)]
    reason = needs[0].eligibility.reasons[0]
    assert reason.startswith("Trauma-informed care expired on 10 Jan 2021")
    assert reason in body


def test_coordinator_notes_status_and_qualifications(
    client: Client, coordinator: User, world
) -> None:
    person = world["person"]
    lead = make_role("Shift lead", is_qualification=True)
    client.force_login(coordinator)
    url = f"{BASE}/volunteers/{person.pk}"

    assert client.post(f"{url}/notes/", {"coordinator_notes": "Call after 6pm"}).status_code == 302
    assert VolunteerProfile.objects.get(user=person).coordinator_notes == "Call after 6pm"

    assert client.post(f"{url}/status/", {"status": "paused"}).status_code == 302
    assert VolunteerProfile.objects.get(user=person).status == ProfileStatus.PAUSED
    response = client.post(f"{url}/status/", {"status": "applicant"})
    assert response.status_code == 200
    assert response.context["status_form"].errors["status"] == [
        "Select a valid choice. applicant is not one of the available choices."
    ]

    assert client.post(f"{url}/qualifications/", {"role": str(lead.pk)}).status_code == 302
    assert list(Qualification.objects.values_list("volunteer", "role")) == [(person.pk, lead.pk)]
    response = client.post(f"{url}/qualifications/", {"role": str(world["role"].pk)})
    assert response.status_code == 200
    assert "Select a valid choice." in response.context["grant_form"].errors["role"][0]

    assert client.post(f"{url}/qualifications/{lead.pk}/revoke/").status_code == 302
    assert Qualification.objects.count() == 0


def test_an_applicants_status_cannot_be_changed_here(client: Client, coordinator: User) -> None:
    person = make_volunteer(status=ProfileStatus.APPLICANT)
    client.force_login(coordinator)
    response = client.post(f"{BASE}/volunteers/{person.pk}/status/", {"status": "active"})
    assert response.status_code == 200
    assert response.context["status_form"].non_field_errors() == ["Review the application first."]
    assert VolunteerProfile.objects.get(user=person).status == ProfileStatus.APPLICANT


def test_a_volunteer_cannot_open_another_volunteers_page(
    client: Client, volunteer: User, world
) -> None:
    client.force_login(volunteer)
    response = client.get(f"{BASE}/volunteers/{world['person'].pk}/")
    assert response.status_code == 403
    assert "BC-777" not in response.content.decode()


def test_a_person_without_a_profile_has_a_page_without_profile_forms(
    client: Client, coordinator: User, volunteer: User
) -> None:
    client.force_login(coordinator)
    response = client.get(f"{BASE}/volunteers/{volunteer.pk}/")
    assert response.status_code == 200
    assert "has not applied as a volunteer" in response.content.decode()
    assert client.post(f"{BASE}/volunteers/{volunteer.pk}/notes/", {}).status_code == 404


# Directory and expiring list


def _bulk_people(count: int) -> list[User]:
    """Many volunteers quickly (no password hashing), with profiles."""
    start = User.objects.count()
    emails = [f"bulk{start + i}@example.org" for i in range(count)]
    User.objects.bulk_create(
        User(email=email, first_name=f"Person{i}", last_name="Bulk", password="!")
        for i, email in enumerate(emails)
    )
    users = list(User.objects.filter(email__in=emails).order_by("pk"))
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(user=user, status=ProfileStatus.ACTIVE) for user in users
    )
    return users


def _count_queries(client: Client, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response


def test_the_directory_searches_filters_and_pages(client: Client, coordinator: User) -> None:
    make_volunteer(first_name="Ana", last_name="Silva", email="ana@example.org")
    make_volunteer(
        first_name="Ben", last_name="Okafor", email="ben@example.org", status=ProfileStatus.PAUSED
    )
    client.force_login(coordinator)
    found = client.get(f"{BASE}/volunteers/", {"q": "ana silva"}).context["page"]
    assert [p.user.email for p in found] == ["ana@example.org"]
    found = client.get(f"{BASE}/volunteers/", {"q": "BEN@"}).context["page"]
    assert [p.user.email for p in found] == ["ben@example.org"]
    found = client.get(f"{BASE}/volunteers/", {"status": "paused"}).context["page"]
    assert [p.user.email for p in found] == ["ben@example.org"]
    _bulk_people(60)
    page = client.get(f"{BASE}/volunteers/").context["page"]
    assert page.paginator.count == 62
    assert len(page.object_list) == 50
    second = client.get(f"{BASE}/volunteers/", {"page": "2"}).context["page"]
    assert len(second.object_list) == 12


def test_the_directory_query_count_is_flat(client: Client, coordinator: User) -> None:
    role = make_role()
    client.force_login(coordinator)
    people = _bulk_people(10)
    for person in people:
        person.volunteer_profile.wanted_roles.add(role)
    small, _ = _count_queries(client, f"{BASE}/volunteers/")
    more = _bulk_people(190)
    for person in more:
        person.volunteer_profile.wanted_roles.add(role)
    large, response = _count_queries(client, f"{BASE}/volunteers/")
    assert response.context["page"].paginator.count == 200
    assert "Crisis text line" in response.content.decode()
    assert small == large


def test_the_expiring_list_mixes_trainings_and_clearances_by_date(
    client: Client, coordinator: User
) -> None:
    today = org_today()
    training = make_training(validity_months=None)
    kind = make_clearance_type()
    ana = make_volunteer(first_name="Ana", last_name="Silva")
    ben = make_volunteer(first_name="Ben", last_name="Okafor")
    make_record(ana, training, completed_on=today - timedelta(days=300), expires_on=today)
    make_clearance(ben, kind, expires_on=today + timedelta(days=10))
    make_record(ben, training, completed_on=today - timedelta(days=5), expires_on=None)
    make_record(
        ana, make_training("Hotline protocol"), completed_on=today, expires_on=today + timedelta(59)
    )
    make_clearance(ana, kind, expires_on=today + timedelta(days=61))
    make_record(
        ben, make_training("Old"), completed_on=date(2020, 1, 1), expires_on=date(2021, 1, 1)
    )
    client.force_login(coordinator)
    response = client.get(f"{BASE}/expiring/")
    items = response.context["items"]
    assert [(i.kind, i.name, str(i.volunteer), i.days_left) for i in items] == [
        ("Training", "Trauma-informed care", "Ana Silva", 0),
        ("Clearance", "Background check", "Ben Okafor", 10),
        ("Training", "Hotline protocol", "Ana Silva", 59),
    ]
    assert "Ben Okafor" in response.content.decode()


def test_the_expiring_list_query_count_is_flat(client: Client, coordinator: User) -> None:
    today = org_today()
    training = make_training()
    kind = make_clearance_type()
    client.force_login(coordinator)

    def add(people: list[User]) -> None:
        for i, person in enumerate(people):
            if i % 2:
                TrainingRecord.objects.create(
                    volunteer=person,
                    training=training,
                    completed_on=today - timedelta(days=300),
                    expires_on=today + timedelta(days=i % 60),
                    status=RecordStatus.VERIFIED,
                )
            else:
                Clearance.objects.create(
                    volunteer=person,
                    clearance_type=kind,
                    status=ClearanceStatus.CLEARED,
                    issued_on=today - timedelta(days=700),
                    expires_on=today + timedelta(days=i % 60),
                )

    add(_bulk_people(10))
    small, response = _count_queries(client, f"{BASE}/expiring/")
    assert len(response.context["items"]) == 10
    add(_bulk_people(190))
    large, response = _count_queries(client, f"{BASE}/expiring/")
    assert len(response.context["items"]) == 200
    assert small == large


def test_the_roles_page_query_count_is_flat(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    training = make_training()
    kind = make_clearance_type()
    lead = make_role("Shift lead", is_qualification=True)
    make_role("Role 0", trainings=[training], clearance_types=[kind])
    small, _ = _count_queries(client, f"{BASE}/roles/")
    for i in range(1, 10):
        role = make_role(f"Role {i}", trainings=[training], clearance_types=[kind])
        StaffingRule.objects.create(role=role, qualification=lead, minimum=1)
    large, response = _count_queries(client, f"{BASE}/roles/")
    assert len(response.context["rows"]) == 11
    assert response.content.decode().count("at least 1 Shift lead") == 9
    assert small == large
