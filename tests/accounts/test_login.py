from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import Role
from tests.factories import PASSWORD, make_user
from tests.utils import send_outbox

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case_lands_on_the_role_home(client: Client, volunteer) -> None:
    response = client.post(
        "/accounts/login/", {"username": "  ANA@Example.ORG ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/volunteer/"


def test_wrong_password_says_what_to_check(client: Client, volunteer) -> None:
    response = client.post("/accounts/login/", {"username": volunteer.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fifth_failure_locks_the_address_even_for_the_right_password(
    client: Client, volunteer, settings
) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        client.post("/accounts/login/", {"username": volunteer.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": volunteer.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts. Wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_earlier_failures(client: Client, volunteer) -> None:
    for _ in range(4):
        client.post("/accounts/login/", {"username": volunteer.email, "password": "wrong"})
    assert (
        client.post(
            "/accounts/login/", {"username": volunteer.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    client.post("/accounts/logout/")
    for _ in range(4):
        client.post("/accounts/login/", {"username": volunteer.email, "password": "wrong"})
    assert (
        client.post(
            "/accounts/login/", {"username": volunteer.email, "password": PASSWORD}
        ).status_code
        == 302
    )


def test_inactive_account_cannot_log_in(client: Client) -> None:
    make_user(email="gone@example.org", is_active=False, roles=[Role.VOLUNTEER])
    response = client.post(
        "/accounts/login/", {"username": "gone@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client: Client, volunteer) -> None:
    client.force_login(volunteer)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(client: Client, donor) -> None:
    response = client.post("/accounts/password/reset/", {"email": "Grace@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert send_outbox() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.org"]
    assert message.subject == "[Hope Line] Reset your password for Hope Line"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", str(message.body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"] is True
    new_password = "a brand new passphrase"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    donor.refresh_from_db()
    assert donor.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client: Client,
) -> None:
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_failures_from_one_client_address_lock_it_for_every_email(client: Client, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 2  # per address; four times that per client
    make_user(email="target@example.org")
    for n in range(8):
        client.post("/accounts/login/", {"username": f"guess{n}@example.org", "password": "x"})
    response = client.post(
        "/accounts/login/", {"username": "target@example.org", "password": PASSWORD}
    )
    assert "Too many failed attempts" in response.content.decode()
    other_client = Client(REMOTE_ADDR="192.0.2.7")
    assert (
        other_client.post(
            "/accounts/login/", {"username": "target@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(settings) -> None:
    from django.test import RequestFactory

    from accounts.authentication.throttle import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert client_ip(request) == "10.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"  # the forged first entry is ignored
    settings.NUM_PROXIES = 3  # fewer entries than proxies: fall back to the socket
    assert client_ip(request) == "10.0.0.1"


def test_resetting_the_password_lifts_the_lock(client: Client, volunteer, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": volunteer.email, "password": "wrong"})
    client.post("/accounts/password/reset/", {"email": volunteer.email})
    send_outbox()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    new_password = "a brand new passphrase"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    response = client.post(
        "/accounts/login/", {"username": volunteer.email, "password": new_password}
    )
    assert response.status_code == 302


def test_every_attempt_counts_before_the_password_is_checked(
    client: Client, volunteer, settings
) -> None:
    """Guesses are counted up front, so a burst cannot slip past the limit."""
    from django.core.cache import cache

    from accounts.authentication.throttle import _email_key

    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(5):
        client.post("/accounts/login/", {"username": volunteer.email, "password": "wrong"})
    assert cache.get(_email_key(volunteer.email)) == 5
