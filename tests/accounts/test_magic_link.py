"""Login by a link sent by e-mail: never says who has an account, works once, expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.authentication import magic_links
from accounts.models import MagicLinkToken, User
from accounts.roles import Role
from notifications.models import Message
from tests.factories import make_user

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/link/"


def _token_from_message() -> str:
    message = Message.objects.get(kind="accounts.magic_link")
    link = message.context["link"]
    assert link.startswith("http")
    return str(link.rstrip("/").rsplit("/", 1)[-1])


def test_login_page_links_to_the_magic_link_form(client: Client):
    assert REQUEST in client.get("/accounts/login/").content.decode()


def test_a_known_address_gets_an_essential_link_through_the_outbox(client: Client):
    user = make_user(roles=[Role.DONOR], email="gift@example.org")
    response = client.post(REQUEST, {"email": "  Gift@Example.org "})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/link/sent/"
    message = Message.objects.get(kind="accounts.magic_link")
    assert message.recipient == user
    assert message.essential is True
    assert message.urgent is True  # ahead of any backlog of reminders
    assert message.context["valid_minutes"] == 15
    assert MagicLinkToken.objects.filter(user=user, used_at__isnull=True).count() == 1
    # Only a hash is stored.
    token = _token_from_message()
    assert not MagicLinkToken.objects.filter(token_hash=token).exists()


def test_an_unknown_address_looks_exactly_the_same(client: Client):
    make_user(email="someone@example.org")
    known = client.post(REQUEST, {"email": "someone@example.org"})
    unknown = client.post(REQUEST, {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Message.objects.filter(kind="accounts.magic_link").count() == 1


def test_a_bad_address_is_a_form_error(client: Client):
    response = client.post(REQUEST, {"email": "not-an-address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_requests_are_throttled(client: Client):
    make_user(email="gift@example.org")
    for _ in range(8):
        assert client.post(REQUEST, {"email": "gift@example.org"}).status_code == 302
    assert Message.objects.filter(kind="accounts.magic_link").count() == 5


def test_the_link_logs_in_once(client: Client):
    user = make_user(roles=[Role.DONOR], email="gift@example.org")
    client.post(REQUEST, {"email": "gift@example.org"})
    url = f"/accounts/login/link/{_token_from_message()}/"
    # Opening the link (a mail scanner does too) does not use it up.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    again = client.post(url)
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session
    assert client.get(url).status_code == 400


def test_the_link_expires_after_15_minutes(client: Client):
    make_user(email="gift@example.org")
    client.post(REQUEST, {"email": "gift@example.org"})
    url = f"/accounts/login/link/{_token_from_message()}/"
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_made_up_token_is_refused(client: Client):
    assert client.post("/accounts/login/link/abc/").status_code == 400


def test_a_passwordless_donor_logs_in_and_is_confirmed(client: Client):
    user = make_user(roles=[Role.DONOR], email="new@example.org")
    user.set_unusable_password()
    user.email_confirmed_at = None
    user.save()
    token = magic_links.issue_magic_link(user=user)
    assert magic_links.consume_magic_link(token=token) == user
    confirmed = User.objects.values_list("email_confirmed_at", flat=True).get(pk=user.pk)
    assert confirmed is not None
    assert magic_links.consume_magic_link(token=token) is None


def test_an_inactive_account_cannot_use_a_link():
    user = make_user(email="gone@example.org", is_active=False)
    token = magic_links.issue_magic_link(user=user)
    assert magic_links.consume_magic_link(token=token) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clicks_racing_log_in_once():
    import threading

    from django.db import connection

    user = make_user(email="race@example.org")
    token = magic_links.issue_magic_link(user=user)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        try:
            results.append(magic_links.consume_magic_link(token=token))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is not None for r in results) == [False, True]
