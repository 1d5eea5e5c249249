"""Two-factor login: staff give a second factor before any staff page opens; enrolment with
a QR code, single-use codes and recovery codes; an administrator's reset; all audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.authentication import magic_links
from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services import two_factor
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, 10, tzinfo=UTC)
STAFF_PAGE = "/coordinator/volunteering/volunteers/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _client() -> Client:
    client = Client()
    client.second_factor = False  # type: ignore[attr-defined]
    return client


def _code(device: TOTPDevice, *, at: datetime = NOW) -> str:
    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _enrolled(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def test_a_staff_login_without_a_second_factor_is_sent_to_set_one_up() -> None:
    coordinator = make_user(roles=[Role.VOLUNTEER_COORDINATOR])
    client = _client()
    client.force_login(coordinator)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/two-factor/?next={STAFF_PAGE}"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/two-factor/setup/?next={STAFF_PAGE.replace('/', '%2F')}"
    )


def test_enrolment_shows_a_qr_code_confirms_with_a_code_and_hands_out_recovery_codes() -> None:
    lead = make_user(roles=[Role.SAFEGUARDING_LEAD], email="priya@example.org")
    client = _client()
    client.force_login(lead)
    setup = client.get(f"/accounts/two-factor/setup/?next={STAFF_PAGE}")
    assert setup.status_code == 200
    body = setup.content.decode()
    assert "<svg" in body
    device = TOTPDevice.objects.get(user=lead)
    assert device.confirmed is False
    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000", "next": STAFF_PAGE})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert AuditEntry.objects.count() == 0

    done = client.post("/accounts/two-factor/setup/", {"token": _code(device), "next": STAFF_PAGE})
    assert done.status_code == 302
    assert (
        done["Location"]
        == f"/accounts/two-factor/recovery-codes/?next={STAFF_PAGE.replace('/', '%2F')}"
    )
    assert TOTPDevice.objects.get(user=lead, pk=device.pk).confirmed is True
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code translate=\"no\">([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    # Shown once.
    assert (
        '<li><code translate="no">'
        not in client.get("/accounts/two-factor/recovery-codes/").content.decode()
    )
    assert client.get(STAFF_PAGE).status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject, entry.ip_address) == (
        "accounts.two_factor.enrolled",
        lead,
        lead,
        "127.0.0.1",
    )


def test_a_code_works_once_within_its_window_and_a_reused_code_is_refused() -> None:
    admin = make_user(roles=[Role.ADMINISTRATOR])
    device = _enrolled(admin)
    code = _code(device)
    first = _client()
    first.force_login(admin)
    response = first.post("/accounts/two-factor/", {"token": code, "next": STAFF_PAGE})
    assert response.status_code == 302
    assert response["Location"] == STAFF_PAGE
    assert first.get(STAFF_PAGE).status_code == 200

    second = _client()  # someone who saw the code, on another machine
    second.force_login(admin)
    reused = second.post("/accounts/two-factor/", {"token": code, "next": STAFF_PAGE})
    assert reused.status_code == 200
    assert "used already" in reused.content.decode()
    assert second.get(STAFF_PAGE).status_code == 302
    # The next time step's code works.
    later = NOW + timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        response = second.post(
            "/accounts/two-factor/", {"token": _code(device, at=later), "next": STAFF_PAGE}
        )
    assert response.status_code == 302


def test_a_recovery_code_works_once() -> None:
    fundraiser = make_user(roles=[Role.FUNDRAISER])
    _enrolled(fundraiser)
    codes = two_factor.new_recovery_codes(user=fundraiser)
    client = _client()
    client.force_login(fundraiser)
    response = client.post("/accounts/two-factor/", {"token": codes[3].upper(), "next": "/"})
    assert response.status_code == 302
    assert client.get("/coordinator/giving/donors/").status_code == 200
    again = _client()
    again.force_login(fundraiser)
    refused = again.post("/accounts/two-factor/", {"token": codes[3], "next": "/"})
    assert refused.status_code == 200
    assert StaticToken.objects.filter(device__user=fundraiser).count() == 9
    used = AuditEntry.objects.get(action="accounts.two_factor.recovery_code_used")
    assert (used.actor, used.subject, used.data) == (fundraiser, fundraiser, {"left": 9})


def test_a_stolen_password_alone_cannot_replace_the_authenticator() -> None:
    viewer = make_user(roles=[Role.VIEWER])
    _enrolled(viewer)
    client = _client()
    client.force_login(viewer)
    response = client.get("/accounts/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?next=")
    assert TOTPDevice.objects.filter(user=viewer).count() == 1


def test_an_administrator_resets_a_lost_device_and_the_reset_is_audited() -> None:
    admin = make_user(roles=[Role.ADMINISTRATOR], email="boss@example.org")
    coordinator = make_user(roles=[Role.VOLUNTEER_COORDINATOR], email="jo@example.org")
    _enrolled(coordinator)
    two_factor.new_recovery_codes(user=coordinator)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    entry = AuditEntry.objects.get(action="accounts.two_factor.reset")
    assert (entry.actor, entry.subject, entry.data) == (admin, coordinator, {"devices_removed": 2})
    # At the next login they set it up again.
    their_client = _client()
    their_client.force_login(coordinator)
    assert their_client.get("/accounts/two-factor/")["Location"].startswith(
        "/accounts/two-factor/setup/"
    )


def test_a_magic_link_opens_donor_pages_but_never_a_staff_page_without_the_second_factor() -> None:
    person = make_user(roles=[Role.DONOR, Role.FUNDRAISER], email="omar@example.org")
    _enrolled(person)
    token = magic_links.issue_magic_link(user=person)
    client = _client()
    assert client.post(f"/accounts/login/link/{token}/").status_code == 302
    assert client.get("/donor/").status_code == 200
    staff = client.get("/coordinator/giving/donors/")
    assert staff.status_code == 302
    assert staff["Location"].startswith("/accounts/two-factor/?next=")
    admin_page = client.get("/coordinator/")
    assert admin_page.status_code == 302


def test_volunteers_and_donors_need_no_second_factor() -> None:
    volunteer = make_user(roles=[Role.VOLUNTEER])
    client = _client()
    client.force_login(volunteer)
    assert client.get("/volunteer/").status_code == 200


def test_an_audit_entry_cannot_be_changed_or_deleted() -> None:
    person = make_user(roles=[Role.VIEWER])
    two_factor.new_recovery_codes(user=person)
    entry = AuditEntry.objects.get()
    entry.action = "something.else"
    with pytest.raises(Exception, match="cannot be changed"):
        entry.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        entry.delete()
    with pytest.raises(Exception, match="cannot be changed"):
        AuditEntry.objects.update(action="x")
    with pytest.raises(Exception, match="cannot be deleted"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "accounts.two_factor.recovery_codes_renewed"


def test_the_admin_shows_the_audit_trail_read_only() -> None:
    admin = make_user(roles=[Role.ADMINISTRATOR])
    two_factor.new_recovery_codes(user=admin)
    entry = AuditEntry.objects.get()
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/accounts/auditentry/").status_code == 200
    change = client.post(
        f"/admin/accounts/auditentry/{entry.pk}/change/", {"action": "forged", "kind": "read"}
    )
    assert change.status_code == 403
    assert (
        client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/accounts/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get().action == "accounts.two_factor.recovery_codes_renewed"
