"""Roles and trainings are saved through services, which keep qualifications consistent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from tests.volunteers.factories import (
    make_clearance_type,
    make_role,
    make_training,
    make_volunteer,
)
from volunteers import services
from volunteers.models import StaffingRule, Training, VolunteerRole
from volunteers.services.qualifications import set_staffing_rule

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _role_data(role: VolunteerRole, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": role.name,
        "description": role.description,
        "minimum_age": "" if role.minimum_age is None else str(role.minimum_age),
        "required_trainings": [str(t.pk) for t in role.required_trainings.all()],
        "required_clearance_types": [str(c.pk) for c in role.required_clearance_types.all()],
        "is_qualification": "on" if role.is_qualification else "",
        "active": "on" if role.active else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def shift_lead(coordinator: User) -> VolunteerRole:
    """Shift lead, needed by one staffing rule (Crisis text line) and held by two volunteers."""
    lead = make_role("Shift lead", is_qualification=True)
    set_staffing_rule(role=make_role("Crisis text line"), qualification=lead, minimum=1)
    for name in ("Ana", "Ben"):
        services.grant_qualification(
            volunteer=make_volunteer(first_name=name, email=f"{name.lower()}.lead@example.org"),
            role=lead,
            by=coordinator,
        )
    return lead


# Roles


def test_a_role_is_created_with_its_requirements_through_the_service(
    client: Client, coordinator: User
) -> None:
    safeguarding = make_training("Child safeguarding", validity_months=None)
    kind = make_clearance_type()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/roles/new/",
        {
            "name": "  School outreach ",
            "description": "Talks in schools",
            "minimum_age": "21",
            "required_trainings": [str(safeguarding.pk)],
            "required_clearance_types": [str(kind.pk)],
            "active": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"{BASE}/roles/", 302)]
    assert _messages(response) == ["School outreach saved."]
    role = VolunteerRole.objects.get()
    assert (role.name, role.description, role.minimum_age) == (
        "School outreach",
        "Talks in schools",
        21,
    )
    assert list(role.required_trainings.all()) == [safeguarding]
    assert list(role.required_clearance_types.all()) == [kind]
    assert (role.is_qualification, role.active) == (False, True)


def test_a_qualification_still_needed_and_held_cannot_stop_being_one(
    client: Client, coordinator: User, shift_lead: VolunteerRole
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/roles/{shift_lead.pk}/edit/",
        _role_data(shift_lead, name="Team lead", is_qualification=""),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "is_qualification": [
            "Shift lead is still needed by 1 staffing rule; remove it first. "
            "Shift lead is still held by 2 volunteers; take it back from them first."
        ]
    }
    # Nothing was saved, and the page still names the role as it is.
    role = VolunteerRole.objects.get(pk=shift_lead.pk)
    assert (role.name, role.is_qualification) == ("Shift lead", True)
    assert "Edit Shift lead" in response.content.decode()


def test_the_message_counts_only_what_is_left(coordinator: User, shift_lead: VolunteerRole) -> None:
    StaffingRule.objects.all().delete()
    with pytest.raises(ValidationError) as caught:
        services.save_role(
            role=shift_lead, name="Shift lead", is_qualification=False, by=coordinator
        )
    assert caught.value.message_dict == {
        "is_qualification": [
            "Shift lead is still held by 2 volunteers; take it back from them first."
        ]
    }
    ana = User.objects.get(email="ana.lead@example.org")
    services.revoke_qualification(volunteer=ana, role=shift_lead, by=coordinator)
    with pytest.raises(ValidationError) as caught:
        services.save_role(
            role=shift_lead, name="Shift lead", is_qualification=False, by=coordinator
        )
    assert caught.value.message_dict == {
        "is_qualification": [
            "Shift lead is still held by 1 volunteer; take it back from them first."
        ]
    }


def test_a_qualification_needed_only_by_a_rule_cannot_stop_being_one(
    coordinator: User,
) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    set_staffing_rule(role=make_role("School outreach"), qualification=lead, minimum=2)
    with pytest.raises(ValidationError) as caught:
        services.save_role(role=lead, name="Shift lead", is_qualification=False, by=coordinator)
    assert caught.value.message_dict == {
        "is_qualification": ["Shift lead is still needed by 1 staffing rule; remove it first."]
    }


def test_an_unused_qualification_can_stop_being_one(
    client: Client, coordinator: User, shift_lead: VolunteerRole
) -> None:
    StaffingRule.objects.all().delete()
    shift_lead.holders.all().delete()
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/roles/{shift_lead.pk}/edit/",
        _role_data(shift_lead, is_qualification=""),
        follow=True,
    )
    assert _messages(response) == ["Shift lead saved."]
    assert VolunteerRole.objects.get(pk=shift_lead.pk).is_qualification is False


def test_other_changes_to_a_used_qualification_are_saved(
    client: Client, coordinator: User, shift_lead: VolunteerRole
) -> None:
    training = make_training("Hotline protocol")
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/roles/{shift_lead.pk}/edit/",
        _role_data(
            shift_lead,
            name="Shift lead (evenings)",
            minimum_age="18",
            required_trainings=[str(training.pk)],
        ),
        follow=True,
    )
    assert _messages(response) == ["Shift lead (evenings) saved."]
    role = VolunteerRole.objects.get(pk=shift_lead.pk)
    assert (role.name, role.minimum_age, role.is_qualification) == (
        "Shift lead (evenings)",
        18,
        True,
    )
    assert list(role.required_trainings.all()) == [training]
    assert role.holders.count() == 2


def test_a_duplicate_role_name_is_refused(client: Client, coordinator: User) -> None:
    make_role("Crisis text line")
    client.force_login(coordinator)
    response = client.post(f"{BASE}/roles/new/", {"name": "Crisis text line", "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["Role with this Name already exists."]}
    with pytest.raises(ValidationError) as caught:
        services.save_role(role=None, name="Crisis text line", by=coordinator)
    assert caught.value.message_dict == {"name": ["Role with this Name already exists."]}
    assert VolunteerRole.objects.count() == 1


# Trainings


def test_a_training_is_created_and_changed_through_the_service(
    client: Client, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/trainings/new/",
        {"name": " Hotline protocol ", "description": "Scripts", "validity_months": "24"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{BASE}/trainings/", 302)]
    assert _messages(response) == ["Hotline protocol saved."]
    training = Training.objects.get()
    assert (training.name, training.description, training.validity_months) == (
        "Hotline protocol",
        "Scripts",
        24,
    )
    response = client.post(
        f"{BASE}/trainings/{training.pk}/edit/", {"name": "Hotline protocol"}, follow=True
    )
    assert _messages(response) == ["Hotline protocol saved."]
    training.refresh_from_db()
    assert (training.description, training.validity_months) == ("", None)


def test_a_validity_of_zero_months_is_refused(client: Client, coordinator: User) -> None:
    training = make_training("Hotline protocol", validity_months=12)
    client.force_login(coordinator)
    response = client.post(
        f"{BASE}/trainings/{training.pk}/edit/",
        {"name": "Hotline 2", "validity_months": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "validity_months": [
            "A training that expires stays valid for at least 1 month. "
            "Leave it empty if it never expires."
        ]
    }
    training.refresh_from_db()
    assert (training.name, training.validity_months) == ("Hotline protocol", 12)
    assert "Edit Hotline protocol" in response.content.decode()


def test_a_duplicate_training_name_is_refused(client: Client, coordinator: User) -> None:
    make_training("Hotline protocol")
    client.force_login(coordinator)
    response = client.post(f"{BASE}/trainings/new/", {"name": "Hotline protocol"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["Training with this Name already exists."]}
    assert Training.objects.count() == 1


def test_a_volunteer_cannot_save_roles_or_trainings(
    client: Client, volunteer: User, shift_lead: VolunteerRole
) -> None:
    client.force_login(volunteer)
    response = client.post(
        f"{BASE}/roles/{shift_lead.pk}/edit/", _role_data(shift_lead, name="Mine")
    )
    assert response.status_code == 403
    response = client.post(f"{BASE}/trainings/new/", {"name": "Sneaky"})
    assert response.status_code == 403
    assert VolunteerRole.objects.get(pk=shift_lead.pk).name == "Shift lead"
    assert Training.objects.count() == 0
