from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import EmailAlreadyRegistered, register_volunteer
from tests.factories import make_user

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Lin",
    "last_name": "Tran",
    "email": "Lin.Tran@Example.org",
    "phone": "+1 202 555 0199",
    "preferred_language": "vi",
    "time_zone": "America/Chicago",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
}


def test_registration_creates_a_logged_in_volunteer(client: Client) -> None:
    response = client.post("/accounts/register/", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/volunteer/"
    user = User.objects.get()
    assert user.email == "lin.tran@example.org"
    assert (user.first_name, user.last_name) == ("Lin", "Tran")
    assert user.phone.as_e164 == "+12025550199"
    assert (user.preferred_language, user.time_zone) == ("vi", "America/Chicago")
    assert user.roles == frozenset({Role.VOLUNTEER})
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get("/volunteer/")
    assert page.status_code == 200


def test_registration_with_a_taken_email_explains_and_creates_nothing(client: Client) -> None:
    make_user(email="lin.tran@example.org")
    response = client.post("/accounts/register/", VALID)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address exists already. Log in, or reset your password "
        "if you have forgotten it."
    ]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"password2": "something else entirely"},
            "password2",
            "The two passwords are not the same.",
        ),
        (
            {"password1": "short", "password2": "short"},
            "password1",
            "This password is too short. It must contain at least 10 characters.",
        ),
        (
            {"phone": "12"},
            "phone",
            "Enter a valid phone number (e.g. (201) 555-0123) or a "
            "number with an international call prefix.",
        ),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "Select a valid choice. Mars/Olympus is not one of the available choices.",
        ),
        ({"first_name": ""}, "first_name", "This field is required."),
    ],
)
def test_bad_registration_input_is_named_and_nothing_is_saved(
    client: Client, change: dict[str, str], field: str, message: str
) -> None:
    response = client.post("/accounts/register/", {**VALID, **change})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert User.objects.count() == 0


def test_an_empty_form_says_how_many_fields_need_attention(client: Client) -> None:
    response = client.post(
        "/accounts/register/", {"preferred_language": "en", "time_zone": "America/New_York"}
    )
    assert response.status_code == 200
    assert "Please correct the 5 fields marked below." in response.content.decode()
    assert User.objects.count() == 0


def test_a_logged_in_person_is_sent_home_from_registration(client: Client, donor) -> None:
    client.force_login(donor)
    response = client.get("/accounts/register/")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_for_one_address_make_one_account() -> None:
    """Real threads against PostgreSQL: the unique index decides, the loser gets a clear error."""
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(n: int) -> None:
        try:
            barrier.wait()
            register_volunteer(
                email="race@example.org",
                password="a long enough passphrase",
                first_name=f"Racer{n}",
                last_name="X",
            )
            result = "created"
        except EmailAlreadyRegistered:
            result = "taken"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["created", "taken", "taken", "taken"]
    assert User.objects.filter(email="race@example.org").count() == 1
    assert User.objects.get(email="race@example.org").roles == frozenset({Role.VOLUNTEER})
