"""Other volunteers' contact details, on every page a volunteer can open.

The matrix: viewers (a teammate with a place, someone on the waitlist, a volunteer not on
the shift) by people listed (one who shares their details, one who does not and has no
first name, so a page falling back to the e-mail address would show it), over every
volunteer page the URL resolver knows that takes no id or takes the shift's id.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from tests.factories import make_user
from tests.volunteers.factories import make_role, make_shift, make_volunteer
from volunteers import services
from volunteers.models import (
    Qualification,
    Shift,
    ShiftSignup,
    ShiftSignupStatus,
    StaffingRule,
    VolunteerProfile,
)
from volunteers.urls import volunteer as volunteer_urls

pytestmark = pytest.mark.django_db

BEA_PHONE = "+12025550143"
CY_PHONE = "+12025550178"


def phone_forms(e164: str) -> list[str]:
    """The ways a page could print the number: +12025550143, (202) 555-0143, 555-0143."""
    digits = e164[2:]
    return [e164, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"{digits[3:6]}-{digits[6:]}"]


def secrets_of(person: User) -> list[str]:
    return [person.email, person.last_name, *phone_forms(str(person.phone))]


def volunteer_pages(shift: Shift) -> list[str]:
    """Every GET page of the volunteer URLs without an id, or with the shift's id."""
    urls = []
    for pattern in volunteer_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        params = set(pattern.pattern.converters)
        if not params:
            urls.append(reverse(f"volunteers:{pattern.name}"))
        elif params == {"pk"} and str(pattern.pattern).startswith("volunteer/shifts/<int:pk>/"):
            urls.append(reverse(f"volunteers:{pattern.name}", args=[shift.pk]))
    return urls


@pytest.fixture
def world() -> dict[str, object]:
    lead_role = make_role("Shift lead", is_qualification=True)
    role = make_role("Outreach")
    StaffingRule.objects.create(role=role, qualification=lead_role, minimum=1)
    maya = make_user(
        roles=[Role.VOLUNTEER_COORDINATOR],
        first_name="Maya",
        last_name="Mentor",
        email="maya.coordinator@example.org",
    )
    shift = make_shift(
        role, capacity=3, starts_at=timezone.now() + timedelta(days=2), created_by=maya
    )
    bea = make_volunteer(
        first_name="Bea", last_name="Bravoperson", email="bea.shares@example.org", phone=BEA_PHONE
    )
    cy = make_volunteer(
        first_name="", last_name="Cyprivate", email="cy.private@example.org", phone=CY_PHONE
    )
    me = make_volunteer(first_name="Ana", last_name="Viewer", email="ana@example.org")
    waiting = make_volunteer(first_name="Wes", last_name="Waiting", email="wes@example.org")
    outsider = make_volunteer(first_name="Oli", last_name="Outside", email="oli@example.org")
    VolunteerProfile.objects.filter(user=bea).update(share_contact=True)
    Qualification.objects.create(volunteer=bea, role=lead_role, granted_on=timezone.now().date())
    for person in (bea, cy, me):
        services.sign_up_for_shift(shift=shift, volunteer=person)
    assert services.sign_up_for_shift(shift=shift, volunteer=waiting).status == (
        ShiftSignupStatus.WAITLISTED
    )
    # Cy offers his place: the swap page lists him to everyone who may take it.
    services.offer_swap(signup=ShiftSignup.objects.get(shift=shift, volunteer=cy), by=cy)
    return {
        "shift": shift,
        "bea": bea,
        "cy": cy,
        "me": me,
        "waiting": waiting,
        "outsider": outsider,
        "maya": maya,
    }


@pytest.mark.parametrize("viewer", ["me", "waiting", "outsider"])
def test_contact_details_only_of_those_who_share_and_only_for_the_team(
    client: Client, world: dict[str, Any], viewer: str
) -> None:
    shift, bea, cy = world["shift"], world["bea"], world["cy"]
    client.force_login(world[viewer])
    pages = volunteer_pages(shift)
    assert reverse("volunteers:shift_detail", args=[shift.pk]) in pages
    assert reverse("volunteers:swap_offers") in pages
    assert reverse("volunteers:home") in pages
    shown = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        shown += 1
        html = response.content.decode()
        for secret in [*secrets_of(cy), bea.last_name]:
            assert secret not in html, (viewer, url, secret)
        on_team_page = viewer == "me" and url == reverse("volunteers:shift_detail", args=[shift.pk])
        for secret in (bea.email, "(202) 555-0143"):
            assert (secret in html) == on_team_page, (viewer, url, secret)
    assert shown >= 8


def test_the_shift_page_names_the_team_by_first_name_with_the_lead_and_the_coordinator(
    client: Client, world: dict[str, Any]
) -> None:
    shift = world["shift"]
    client.force_login(world["waiting"])
    html = client.get(reverse("volunteers:shift_detail", args=[shift.pk])).content.decode()
    team = html[html.index('id="team"') :]
    team = team[: team.index("</section>")]
    assert team.index("Bea") < team.index("Shift lead") < team.index("Ana")
    assert team.count("Shift lead") == 1
    assert "A volunteer" in team  # Cy, who gave no first name
    assert "Wes" not in team  # the waitlist holds no place
    contact = html[html.index('id="shift-contact"') :]
    assert "Maya Mentor" in contact[:300] and "maya.coordinator@example.org" in contact[:300]
