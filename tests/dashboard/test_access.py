"""Who may open which home page."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HOMES = {"coordinator": "/coordinator/", "volunteer": "/volunteer/", "donor": "/donor/"}


@pytest.mark.parametrize("path", [*list(HOMES.values()), "/accounts/profile/"])
def test_anonymous_visitors_are_sent_to_log_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_a_volunteer_cannot_open_the_coordinator_page(client: Client, volunteer) -> None:
    client.force_login(volunteer)
    response = client.get("/coordinator/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Your role does not give access to this page." in body
    assert "You are logged in as ana@example.org." in body


def test_a_donor_cannot_open_the_volunteer_page(client: Client, donor) -> None:
    client.force_login(donor)
    assert client.get("/volunteer/").status_code == 403


def test_a_volunteer_cannot_open_the_admin(client: Client, volunteer) -> None:
    client.force_login(volunteer)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    ("role", "home", "heading"),
    [
        (Role.ADMINISTRATOR, "/coordinator/", "Good to see you, Kim"),
        (Role.VOLUNTEER, "/volunteer/", "Hello, Kim"),
        (Role.DONOR, "/donor/", "Thank you, Kim"),
    ],
)
def test_each_role_lands_on_its_own_home(
    client: Client, role: Role, home: str, heading: str
) -> None:
    client.force_login(make_user(first_name="Kim", roles=[role]))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert heading in page.content.decode()


def test_a_volunteer_who_donates_has_one_account_and_both_homes(client: Client) -> None:
    person = make_user(first_name="Sam", roles=[Role.VOLUNTEER, Role.DONOR])
    client.force_login(person)
    assert client.get("/")["Location"] == "/volunteer/"
    volunteer_page = client.get("/volunteer/")
    assert volunteer_page.status_code == 200
    assert client.get("/donor/").status_code == 200
    nav = [link["url"] for link in volunteer_page.context["role_links"]]
    assert nav == ["/volunteer/", "/donor/"]
    assert client.get("/coordinator/").status_code == 403


def test_a_person_without_a_role_is_told_what_to_do(client: Client) -> None:
    client.force_login(make_user(first_name="Noor"))
    response = client.get("/")
    assert response.status_code == 200
    assert "Your account has no role yet" in response.content.decode()


def test_a_superuser_counts_as_an_administrator(client: Client) -> None:
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert client.get("/coordinator/").status_code == 200


def test_visitors_see_the_landing_page(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/volunteer/apply/"' in body
    assert 'href="/accounts/login/"' in body
