"""An administrator's audit page for one person: exactly their entries, filtered, paged,
in the same number of queries whatever their number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role
from accounts.services import audit
from core.pagination import PAGE_SIZE
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(coordinator: User) -> dict[str, User]:
    return {
        "admin": coordinator,
        "ana": make_user(roles=[Role.VOLUNTEER], first_name="Ana", email="ana.a@example.org"),
        "ben": make_user(roles=[Role.VOLUNTEER], first_name="Ben", email="ben.a@example.org"),
        "lee": make_user(
            roles=[Role.VOLUNTEER_COORDINATOR], first_name="Lee", email="lee.a@example.org"
        ),
    }


def _fill(people: dict[str, User], about_ana: int) -> None:
    """``about_ana`` entries about Ana (by Lee), one by Ana herself, and some about others."""
    for number in range(about_ana):
        audit.record(
            "volunteers.hours.approved" if number % 2 else "volunteers.profile.status_changed",
            actor=people["lee"],
            subject=people["ana"],
            obj=people["ana"],
            changes={"status": ["active", f"paused-{number}"]},
        )
    audit.record("accounts.two_factor.enrolled", actor=people["ana"], subject=people["ana"])
    audit.record("accounts.profile.changed", actor=people["ana"], subject=None)
    audit.record("volunteers.hours.approved", actor=people["lee"], subject=people["ben"])
    audit.record("accounts.two_factor.enrolled", actor=people["ben"], subject=people["ben"])


def _url(person: User) -> str:
    return f"/coordinator/people/{person.pk}/audit/"


def test_the_page_lists_exactly_the_entries_about_and_by_the_person(
    client: Client, people: dict[str, User]
) -> None:
    _fill(people, 3)
    client.force_login(people["admin"])
    response = client.get(_url(people["ana"]))
    assert response.status_code == 200
    listed = [
        (entry.action, entry.actor_id, entry.subject_id)
        for entry in response.context["page"].object_list
    ]
    ana, lee = people["ana"].pk, people["lee"].pk
    assert listed == [
        ("accounts.profile.changed", ana, None),
        ("accounts.two_factor.enrolled", ana, ana),
        ("volunteers.profile.status_changed", lee, ana),
        ("volunteers.hours.approved", lee, ana),
        ("volunteers.profile.status_changed", lee, ana),
    ]
    page = response.content.decode()
    assert '<code translate="no">status</code>: active → paused-1' in page
    assert "5 entries" in page
    # The filter offers the person's own actions only.
    assert [value for value, _ in response.context["filters"].fields["action"].choices] == [
        "",
        "accounts.profile.changed",
        "accounts.two_factor.enrolled",
        "volunteers.hours.approved",
        "volunteers.profile.status_changed",
    ]


def test_the_page_filters_by_action_and_pages(client: Client, people: dict[str, User]) -> None:
    _fill(people, PAGE_SIZE + 10)
    client.force_login(people["admin"])
    first = client.get(_url(people["ana"]))
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert first.context["page"].paginator.count == PAGE_SIZE + 12
    second = client.get(_url(people["ana"]), {"page": 2})
    assert len(second.context["page"].object_list) == 12
    approved = client.get(_url(people["ana"]), {"action": "volunteers.hours.approved"})
    assert approved.context["page"].paginator.count == (PAGE_SIZE + 10) // 2
    assert {e.action for e in approved.context["page"].object_list} == {"volunteers.hours.approved"}
    unknown = client.get(_url(people["ana"]), {"action": "nothing.like.this"})
    assert unknown.status_code == 200
    assert unknown.context["page"].paginator.count == PAGE_SIZE + 12  # an unknown action: all


def _queries(client: Client, person: User) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(person))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_query_count_is_the_same_for_few_and_many_entries(
    client: Client, people: dict[str, User]
) -> None:
    client.force_login(people["admin"])
    _fill(people, 2)
    few = _queries(client, people["ana"])
    _fill(people, PAGE_SIZE * 3)
    many = _queries(client, people["ana"])
    assert few == many


def test_the_person_page_links_to_the_audit_for_administrators_only(
    client: Client, people: dict[str, User]
) -> None:
    link = f'href="{_url(people["ana"])}"'
    client.force_login(people["admin"])
    assert link in client.get(f"/coordinator/people/{people['ana'].pk}/").content.decode()
    client.force_login(people["lee"])
    assert link not in client.get(f"/coordinator/people/{people['ana'].pk}/").content.decode()
    assert client.get(_url(people["ana"])).status_code == 403
