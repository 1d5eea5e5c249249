from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(make_user(is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR]))
    return client


def test_admin_adds_a_user_by_email_in_lower_case(admin_client_: Client) -> None:
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.org",
            "first_name": "New",
            "last_name": "Person",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(first_name="New")
    assert user.email == "new.person@example.org"
    assert user.check_password("a long enough passphrase")


def test_admin_refuses_an_address_that_differs_only_in_case(admin_client_: Client) -> None:
    make_user(email="taken@example.org")
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "TAKEN@example.org",
            "first_name": "Dup",
            "last_name": "Licate",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "A user with this e-mail address exists already."
    ]
    assert User.objects.filter(email="taken@example.org").count() == 1


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/accounts/user/", "/admin/django_celery_beat/periodictask/"]
)
def test_admin_pages_open(admin_client_: Client, path: str) -> None:
    assert admin_client_.get(path).status_code == 200


def test_createsuperuser_asks_for_email_not_username() -> None:
    call_command(
        "createsuperuser",
        interactive=False,
        email="Boss@Example.org",
        first_name="Boss",
        last_name="Person",
        verbosity=0,
    )
    user = User.objects.get()
    assert user.email == "boss@example.org"
    assert user.is_superuser
    assert user.roles == {Role.ADMINISTRATOR}
