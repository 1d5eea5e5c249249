from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from tests.factories import make_user, make_users

pytestmark = pytest.mark.django_db


def _render(client: Client) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/coordinator/")
    assert response.status_code == 200
    return len(queries), response


def test_counts_people_by_role_and_lists_the_newest_volunteers(client: Client, coordinator):
    make_users(3, roles=[Role.VOLUNTEER])
    make_user(
        roles=[Role.VOLUNTEER],
        date_joined=timezone.now() - timedelta(days=45),
        email="old@example.org",
    )
    make_user(roles=[Role.VOLUNTEER], is_active=False, email="left@example.org")
    make_users(2, roles=[Role.DONOR])
    make_user(roles=[Role.VOLUNTEER, Role.DONOR], email="both@example.org")
    client.force_login(coordinator)
    _, response = _render(client)
    assert response.context["role_counts"] == {
        "administrator": 1,
        "volunteer_coordinator": 0,
        "safeguarding_lead": 0,
        "fundraiser": 0,
        "viewer": 0,
        "staff": 1,
        "volunteer": 5,
        "donor": 3,
    }
    assert response.context["new_volunteer_count"] == 4
    emails = [person.email for person in response.context["new_volunteers"]]
    assert len(emails) == 4
    assert emails[0] == "both@example.org"
    assert "old@example.org" not in emails
    assert "left@example.org" not in emails


def test_query_count_does_not_grow_with_people(client: Client, coordinator) -> None:
    client.force_login(coordinator)
    make_users(2, roles=[Role.VOLUNTEER])
    small, _ = _render(client)
    make_users(40, roles=[Role.VOLUNTEER])
    make_users(10, roles=[Role.DONOR])
    large, response = _render(client)
    assert len(response.context["new_volunteers"]) == 10
    assert "Showing the newest 10 of 42." in response.content.decode()
    assert small == large


def test_the_home_links_every_giving_page_and_the_outbox(client, coordinator):
    client.force_login(coordinator)
    page = client.get("/coordinator/").content.decode()
    for path in (
        "/coordinator/giving/donations/",
        "/coordinator/giving/donors/",
        "/coordinator/giving/reports/",
        "/coordinator/giving/receipts/",
        "/notifications/coordinator/outbox/",
    ):
        assert f'href="{path}' in page, path


def _stats(html: str) -> list[tuple[str, str]]:
    """The figures and their labels, as a coordinator reads them."""
    found = re.findall(
        r'class="figure"[^>]*>([^<]*)</(?:span|a)><span class="label">([^<]*)</span>', html
    )
    return [(figure, " ".join(label.split())) for figure, label in found]


def test_each_figure_agrees_with_its_label(client: Client, coordinator) -> None:
    make_user(roles=[Role.VOLUNTEER])
    make_users(2, roles=[Role.DONOR])
    client.force_login(coordinator)
    _, response = _render(client)
    stats = _stats(response.content.decode())
    assert stats[:4] == [
        ("1", "volunteer account"),
        ("1", "joined in the last 30 days"),
        ("2", "donors with an account"),
        ("1", "staff member"),
    ]
    assert ("0", "applications to review") in stats
