"""Saved directory filters: saved per person under a name, listed, deleted, and used as the
audience of a group message (resolved when the message is sent)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from dashboard.models import GroupMessage
from notifications.models import Message
from tests.factories import make_user
from tests.outbox import Published
from tests.volunteers.factories import make_volunteer
from volunteers.models import ProfileStatus, SavedFilter

pytestmark = pytest.mark.django_db

BASE = "/coordinator/volunteering/volunteers/"
SAVE = BASE + "filters/"
MESSAGE = "/coordinator/messages/new/"


@pytest.fixture(autouse=True)
def _broker(published: Published) -> None:
    """Nothing reaches a real broker."""


def test_a_coordinator_saves_lists_and_deletes_a_filter(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        SAVE, {"name": " Paused people ", "query": "status=paused&sort=-hours&page=3"}
    )
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.name, saved.query) == (
        coordinator,
        "Paused people",
        "status=paused&sort=-hours",
    )
    assert response["Location"] == BASE + "?status=paused&sort=-hours"
    page = client.get(BASE)
    assert list(page.context["saved"]) == [saved]
    assert 'href="?status=paused&amp;sort=-hours">Paused people</a>' in page.content.decode()
    # Someone else neither sees it nor can delete it.
    other = make_user(roles=[Role.VOLUNTEER_COORDINATOR], email="other@example.org")
    client.force_login(other)
    assert list(client.get(BASE).context["saved"]) == []
    assert client.post(f"{SAVE}{saved.pk}/delete/").status_code == 404
    assert SavedFilter.objects.count() == 1
    client.force_login(coordinator)
    assert client.post(f"{SAVE}{saved.pk}/delete/").status_code == 302
    assert SavedFilter.objects.count() == 0


def test_a_repeated_or_empty_name_is_a_form_error(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    client.post(SAVE, {"name": "Active", "query": "status=active"})
    response = client.post(SAVE, {"name": "Active", "query": "status=paused"})
    assert response.status_code == 200
    assert response.context["save_form"].errors == {
        "name": ["You already have a filter called Active."]
    }
    response = client.post(SAVE, {"name": "   ", "query": ""})
    assert response.status_code == 200
    assert "name" in response.context["save_form"].errors
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["status=active"]


def test_a_saved_filter_is_an_audience_resolved_at_send_time(
    client: Client, coordinator: User
) -> None:
    paused = make_volunteer(email="p1@example.org", status=ProfileStatus.PAUSED)
    make_volunteer(email="a1@example.org", status=ProfileStatus.ACTIVE)
    saved = SavedFilter.objects.create(owner=coordinator, name="Paused", query="status=paused")
    # Paused after saving: they are in the group when the message goes.
    late = make_volunteer(email="p2@example.org", status=ProfileStatus.PAUSED)
    client.force_login(coordinator)
    response = client.post(
        MESSAGE,
        {
            "token": str(uuid.uuid4()),
            "audience": "saved_filter",
            "saved_filter": saved.pk,
            "subject": "Come back",
            "body": "We miss you.",
            "by_email": "on",
            "send": "1",
        },
    )
    assert response.status_code == 302
    group = GroupMessage.objects.get()
    assert (group.recipient_count, group.audience_label, group.parameters) == (
        2,
        "Volunteers in Paused",
        {"saved_filter": saved.pk},
    )
    assert set(Message.objects.values_list("recipient_id", flat=True)) == {paused.pk, late.pk}


def test_another_coordinators_filter_cannot_be_chosen(client: Client, coordinator: User) -> None:
    make_volunteer(email="p1@example.org", status=ProfileStatus.PAUSED)
    other = make_user(roles=[Role.VOLUNTEER_COORDINATOR], email="other@example.org")
    saved = SavedFilter.objects.create(owner=other, name="Theirs", query="status=paused")
    client.force_login(coordinator)
    response = client.post(
        MESSAGE,
        {
            "token": str(uuid.uuid4()),
            "audience": "saved_filter",
            "saved_filter": saved.pk,
            "subject": "Hi",
            "body": "Hello.",
            "by_email": "on",
            "send": "1",
        },
    )
    assert response.status_code == 400
    assert "saved_filter" in response.context["form"].errors
    assert GroupMessage.objects.count() == 0 and Message.objects.count() == 0
