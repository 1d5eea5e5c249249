"""Self-registration: inactive until the address is confirmed; silent about who has an account."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from accounts.services import EmailAlreadyRegistered, register_volunteer
from tests.factories import make_user
from tests.utils import send_outbox

pytestmark = pytest.mark.django_db

ACCOUNT: dict[str, Any] = {
    "email": "Lin.Tran@Example.org",
    "password": "a long enough passphrase",
    "first_name": "Lin",
    "last_name": "Tran",
    "phone": "+12025550199",
    "preferred_language": "vi",
    "time_zone": "America/Chicago",
}


def confirmation_path(message: mail.EmailMessage) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/accounts/confirm/\S+/\S+/)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def test_a_new_account_waits_for_its_address_to_be_confirmed(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = register_volunteer(**ACCOUNT)
    user.refresh_from_db()
    assert user.email == "lin.tran@example.org"
    assert user.is_active is False
    assert user.email_confirmed_at is None
    assert user.roles == frozenset({Role.VOLUNTEER})
    assert send_outbox() == 1
    assert [m.to for m in mail.outbox] == [["lin.tran@example.org"]]
    # In the language Lin chose (Vietnamese), not the sender's.
    assert mail.outbox[0].subject == "[Hope Line] Xác nhận địa chỉ email của bạn cho Hope Line"
    assert "/accounts/confirm/" in str(mail.outbox[0].body)


def test_a_taken_address_tells_its_owner_and_nobody_else(
    django_capture_on_commit_callbacks,
) -> None:
    owner = make_user(email="lin.tran@example.org", first_name="Lin")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EmailAlreadyRegistered):
        register_volunteer(**ACCOUNT)
    assert User.objects.count() == 1
    assert send_outbox() == 1
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [owner.email]
    assert notice.subject == "[Hope Line] You already have an account with Hope Line"
    assert "http://127.0.0.1:8000/accounts/password/reset/" in str(notice.body)


def test_confirming_opens_the_account_and_logs_in(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = register_volunteer(**ACCOUNT)
    send_outbox()
    path = confirmation_path(mail.outbox[0])
    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm and log in" in page.content.decode()
    assert User.objects.get(pk=user.pk).is_active is False
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.is_active is True
    assert user.email_confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    # The link works once.
    client.post("/accounts/logout/")
    again = client.post(path)
    assert again.status_code == 400
    assert "This link no longer works" in again.content.decode()


def test_a_forged_link_opens_nothing(client: Client) -> None:
    user = register_volunteer(**ACCOUNT)
    response = client.post(f"/accounts/confirm/{user.pk}/not-a-token/")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.is_active is False


def test_logging_in_before_confirming_says_what_to_do(client: Client) -> None:
    register_volunteer(**ACCOUNT)
    response = client.post(
        "/accounts/login/", {"username": "lin.tran@example.org", "password": ACCOUNT["password"]}
    )
    assert response.status_code == 200
    assert "Confirm your e-mail address first" in response.content.decode()
    wrong = client.post(
        "/accounts/login/", {"username": "lin.tran@example.org", "password": "wrong password"}
    )
    assert "Confirm your e-mail address first" not in wrong.content.decode()
    assert "do not match an account" in wrong.content.decode()


def test_a_lost_link_can_be_sent_again_without_revealing_anything(client: Client) -> None:
    register_volunteer(**ACCOUNT)
    make_user(email="active@example.org")
    for address in ("lin.tran@example.org", "active@example.org", "nobody@example.org"):
        response = client.post("/accounts/confirm/", {"email": address}, follow=True)
        assert "If that address is waiting for confirmation" in response.content.decode()
    send_outbox()
    assert [m.to for m in mail.outbox] == [["lin.tran@example.org"]]


def test_the_old_sign_up_address_leads_to_the_application(client: Client) -> None:
    response = client.get("/accounts/register/")
    assert response.status_code == 301
    assert response["Location"] == "/volunteer/apply/"


def test_password_reset_requests_are_limited_per_client(client: Client) -> None:
    make_user(email="grace@example.org")
    for _ in range(12):
        client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert send_outbox() == 10
    assert len(mail.outbox) == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_registrations_for_one_address_make_one_account() -> None:
    """Real threads against PostgreSQL: the unique index decides, the others are told apart
    from a success only by the owner's mailbox."""
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def register(n: int) -> None:
        try:
            barrier.wait()
            register_volunteer(**{**ACCOUNT, "email": "race@example.org", "first_name": f"R{n}"})
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
