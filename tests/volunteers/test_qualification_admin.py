"""The qualification admin: who is qualified now counts only grants in force; a revoked grant
is kept as history, found when asked for, and never shown as in force."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.factories import make_user
from tests.volunteers.factories import make_role, make_volunteer
from volunteers import services
from volunteers.models import Qualification

pytestmark = pytest.mark.django_db

URL = "/admin/volunteers/qualification/"


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(make_user(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR]))
    return client


def _listed(client: Client, query: str = "") -> list[tuple[int, bool]]:
    response = client.get(URL + query)
    assert response.status_code == 200
    changelist = response.context["cl"]
    return [(grant.pk, grant.revoked_at is None) for grant in changelist.result_list]


def test_the_list_counts_grants_in_force_and_keeps_revoked_ones_as_history(
    admin_client_: Client, coordinator: User
) -> None:
    lead = make_role("Shift lead", is_qualification=True)
    ana = make_volunteer(first_name="Ana", email="ana.qa@example.org")
    ben = make_volunteer(first_name="Ben", email="ben.qa@example.org")
    kept = services.grant_qualification(volunteer=ana, role=lead, by=coordinator)
    revoked = services.grant_qualification(volunteer=ben, role=lead, by=coordinator)
    services.revoke_qualification(volunteer=ben, role=lead, by=coordinator)
    again = services.grant_qualification(volunteer=ben, role=lead, by=coordinator)
    services.revoke_qualification(volunteer=ben, role=lead, by=coordinator)

    # By default: the grants in force only (Ben's two revoked grants do not count).
    assert _listed(admin_client_) == [(kept.pk, True)]
    response = admin_client_.get(URL)
    assert response.context["cl"].result_count == 1
    assert "1 qualification" in response.text
    assert sorted(_listed(admin_client_, "?grants=revoked")) == [
        (revoked.pk, False),
        (again.pk, False),
    ]
    assert sorted(_listed(admin_client_, "?grants=all")) == sorted(
        [(kept.pk, True), (revoked.pk, False), (again.pk, False)]
    )
    # Filtered by role, still in force only.
    assert _listed(admin_client_, f"?role__id__exact={lead.pk}") == [(kept.pk, True)]

    # A revoked grant's own page opens (history), and it says it is not in force.
    page = admin_client_.get(f"{URL}{revoked.pk}/change/")
    assert page.status_code == 200
    assert Qualification.with_revoked.get(pk=revoked.pk).revoked_by == coordinator
    assert page.context["adminform"].form.instance.revoked_at is not None
