"""A remote shift's online link: set by a coordinator (https only, 500 characters at most,
nothing saved on a bad one), and shown ("Join online", instead of directions) only to the
people with a place on the shift."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notifications.models import Message
from tests.outbox import Published
from tests.volunteers.factories import make_location, make_role, make_shift, make_volunteer
from volunteers.models import Shift, ShiftSignup, ShiftSignupStatus

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering"
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
LINK = "https://meet.example.org/outreach-call?pwd=k3y"
MAP = "https://www.openstreetmap.org/search"


@pytest.fixture(autouse=True)
def _fixed_now(published: Published) -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> dict[str, Any]:
    role = make_role("Phone outreach")
    location = make_location("Community hall", time_zone="America/New_York", address="12 Main St")
    shift = make_shift(
        role,
        location=location,
        starts_at=datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
        capacity=1,
    )
    return {"role": role, "location": location, "shift": shift}


def _post(world: dict[str, Any], **changes: str) -> dict[str, str]:
    data = {
        "role": str(world["role"].pk),
        "location": str(world["location"].pk),
        "day": "2026-11-30",
        "start_time": "18:00",
        "end_time": "21:00",
        "capacity": "4",
        "notes": "",
        "online_link": LINK,
        "status": "published",
    }
    data.update(changes)
    return data


def test_a_coordinator_sets_and_changes_the_link(client: Client, coordinator: User, world):
    client.force_login(coordinator)
    response = client.post(f"{BASE}/shifts/new/", _post(world, online_link=f"  {LINK} "))
    assert response.status_code == 302
    shift = Shift.objects.latest("pk")
    assert shift.online_link == LINK
    # People on the shift hear that the link changed; an unchanged form says nothing.
    ana = make_volunteer(first_name="Ana", email="ana@example.org")
    ShiftSignup.objects.create(
        shift=shift, volunteer=ana, status=ShiftSignupStatus.CONFIRMED, joined_at=timezone.now()
    )
    other = "https://meet.example.org/other"
    response = client.post(f"{BASE}/shifts/{shift.pk}/edit/", _post(world, online_link=other))
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.online_link == other
    changed = Message.objects.get(recipient=ana)
    assert "The online link changed: see the shift's page." in str(changed.context)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = client.post(f"{BASE}/shifts/{shift.pk}/edit/", _post(world, online_link=""))
    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.online_link == ""
    removed = Message.objects.filter(recipient=ana).latest("pk")
    assert "The shift no longer has an online link." in str(removed.context)
    assert Message.objects.filter(recipient=ana).count() == 2


@pytest.mark.parametrize(
    ("link", "error"),
    [
        ("http://meet.example.org/x", "Give an https:// link."),
        ("javascript:alert(1)", "Enter a valid URL."),
        (
            "https://meet.example.org/" + "a" * 480,
            "Ensure this value has at most 500 characters (it has 505).",
        ),
    ],
)
def test_a_bad_link_is_a_form_error_and_nothing_is_saved(
    client: Client, coordinator: User, world, link: str, error: str
):
    client.force_login(coordinator)
    before = Shift.objects.count()
    response = client.post(f"{BASE}/shifts/new/", _post(world, online_link=link))
    assert response.status_code == 200
    assert error in response.context["form"].errors["online_link"]
    assert Shift.objects.count() == before
    shift = world["shift"]
    response = client.post(
        f"{BASE}/shifts/{shift.pk}/edit/",
        _post(world, day="2026-11-24", online_link=link),
    )
    assert response.status_code == 200
    assert error in response.context["form"].errors["online_link"]
    shift.refresh_from_db()
    assert shift.online_link == ""


def _page(client: Client, person: User, url: str) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_only_people_with_a_place_see_the_link(client: Client, world):
    shift = world["shift"]
    Shift.objects.filter(pk=shift.pk).update(online_link=LINK)
    placed = make_volunteer(first_name="Ana", email="ana@example.org")
    waiting = make_volunteer(first_name="Ben", email="ben@example.org")
    visitor = make_volunteer(first_name="Cy", email="cy@example.org")
    for person, status in (
        (placed, ShiftSignupStatus.CONFIRMED),
        (waiting, ShiftSignupStatus.WAITLISTED),
    ):
        ShiftSignup.objects.create(
            shift=shift, volunteer=person, status=status, joined_at=timezone.now()
        )
    url = f"/volunteer/shifts/{shift.pk}/"
    html = _page(client, placed, url)
    assert html.count(LINK.replace("&", "&amp;")) == 1
    assert 'id="join-online"' in html and MAP not in html
    home = _page(client, placed, "/volunteer/")
    assert home.count(LINK) == 1 and "Join online" in home
    for person in (waiting, visitor):
        html = _page(client, person, url)
        assert "meet.example.org" not in html
        assert 'id="online-note"' in html and MAP not in html
    # Without a link: directions, as before, and no note.
    Shift.objects.filter(pk=shift.pk).update(online_link="")
    html = _page(client, placed, url)
    assert MAP in html and "online-note" not in html and "join-online" not in html
    assert "join-online" not in _page(client, placed, "/volunteer/")
