"""Every editable admin page writes our audit trail (old and new values, who, from where)
on add, change and delete, besides Django's own LogEntry."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, User
from accounts.roles import Role
from accounts.services.admin_audit import HIDDEN, AuditedAdmin
from tests.factories import make_user
from volunteers.models import ClearanceType, Location

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss() -> User:
    return make_user(
        is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR], email="boss@example.org"
    )


@pytest.fixture
def admin_client(client: Client, boss: User) -> Client:
    client.force_login(boss)
    return client


def _rows(since: int) -> list[tuple[Any, ...]]:
    return [
        (e.action, e.actor_id, e.subject_id, e.object_type, e.object_id, e.changes, e.data)
        for e in AuditEntry.objects.filter(pk__gt=since).order_by("pk")
    ]


def _last() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_editable_admin_page_is_audited(boss: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = boss
    editable = [
        model._meta.label
        for model, page in admin.site._registry.items()
        if page.has_add_permission(request)
        or page.has_change_permission(request)
        or page.has_delete_permission(request)
    ]
    assert len(editable) >= 15  # ours, roles, beat's schedules, second-factor devices
    assert "volunteers.Location" in editable and "auth.Group" in editable
    unaudited = [
        model._meta.label
        for model, page in admin.site._registry.items()
        if model._meta.label in editable and not isinstance(page, AuditedAdmin)
    ]
    assert unaudited == []


def test_a_location_added_changed_and_deleted_in_the_admin_is_audited(
    admin_client: Client, boss: User
) -> None:
    start = _last()
    form = {
        "name": "Harbour office",
        "address": "1 Quay St",
        "time_zone": "Europe/Lisbon",
        "active": "on",
    }
    assert admin_client.post("/admin/volunteers/location/add/", form).status_code == 302
    place = Location.objects.get(name="Harbour office")
    changed = {**form, "address": "2 Quay St", "is_remote": "on"}
    url = f"/admin/volunteers/location/{place.pk}/change/"
    assert admin_client.post(url, changed).status_code == 302
    assert admin_client.post(url, changed).status_code == 302  # saved again: no entry
    delete = f"/admin/volunteers/location/{place.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302

    key = ("volunteers.location", str(place.pk))
    assert _rows(start) == [
        (
            "volunteers.location.added_in_admin",
            boss.pk,
            None,
            *key,
            {
                "active": [None, True],
                "address": [None, "1 Quay St"],
                "is_remote": [None, False],
                "name": [None, "Harbour office"],
                "time_zone": [None, "Europe/Lisbon"],
            },
            {"admin": True},
        ),
        (
            "volunteers.location.changed_in_admin",
            boss.pk,
            None,
            *key,
            {"address": ["1 Quay St", "2 Quay St"], "is_remote": [False, True]},
            {"admin": True},
        ),
        (
            "volunteers.location.deleted_in_admin",
            boss.pk,
            None,
            *key,
            {
                "active": [True, None],
                "address": ["2 Quay St", None],
                "is_remote": [True, None],
                "name": ["Harbour office", None],
                "time_zone": ["Europe/Lisbon", None],
            },
            {"admin": True},
        ),
    ]
    assert AuditEntry.objects.filter(pk__gt=start).values_list("ip_address", flat=True)[0] == (
        "127.0.0.1"
    )


def test_clearance_types_deleted_in_bulk_are_audited_one_by_one(
    admin_client: Client, boss: User
) -> None:
    first = ClearanceType.objects.create(name="Police check", validity_months=36)
    second = ClearanceType.objects.create(name="Reference", validity_months=None)
    start = _last()
    response = admin_client.post(
        "/admin/volunteers/clearancetype/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ClearanceType.objects.exists()
    assert [(row[0], row[4], row[5]["name"]) for row in _rows(start)] == [
        ("volunteers.clearancetype.deleted_in_admin", str(first.pk), ["Police check", None]),
        ("volunteers.clearancetype.deleted_in_admin", str(second.pk), ["Reference", None]),
    ]


def test_a_roles_permissions_changed_in_the_admin_are_audited_by_id(
    admin_client: Client, boss: User
) -> None:
    group = Group.objects.create(name="Newsletter helpers")
    chosen = sorted(
        Permission.objects.filter(codename__startswith="view_").values_list("pk", flat=True)
    )[:2]
    start = _last()
    response = admin_client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": "Newsletter helpers", "permissions": chosen},
    )
    assert response.status_code == 302
    assert _rows(start) == [
        (
            "auth.group.changed_in_admin",
            boss.pk,
            None,
            "auth.group",
            str(group.pk),
            {"permissions": [[], chosen]},
            {"admin": True},
        )
    ]


def test_a_second_factor_deleted_in_the_admin_is_audited_without_its_secret(
    admin_client: Client, boss: User
) -> None:
    ana = make_user(email="ana.otp@example.org")
    device = TOTPDevice.objects.create(user=ana, name="phone", confirmed=True)
    start = _last()
    response = admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    [row] = _rows(start)
    assert row[:5] == (
        "otp_totp.totpdevice.deleted_in_admin",
        boss.pk,
        ana.pk,
        "otp_totp.totpdevice",
        str(device.pk),
    )
    assert row[5]["key"] == [HIDDEN, None]
    assert row[5]["name"] == ["phone", None]
    assert device.key not in str(row)


def test_an_account_deleted_in_the_admin_is_audited_as_the_object_only(
    admin_client: Client, boss: User
) -> None:
    # An entry protects the people it names: the deleted account is its object, not its
    # subject, so the deletion goes through (one page, then the bulk action).
    one = make_user(email="one.off@example.org")
    two = make_user(email="two.off@example.org")
    start = _last()
    response = admin_client.post(f"/admin/accounts/user/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[one.pk, two.pk]).exists()
    assert [(row[0], row[1], row[2], row[4], row[5]["email"]) for row in _rows(start)] == [
        ("accounts.user.deleted_in_admin", boss.pk, None, str(one.pk), [one.email, None]),
        ("accounts.user.deleted_in_admin", boss.pk, None, str(two.pk), [two.email, None]),
    ]


def test_secrets_are_told_by_the_words_of_a_fields_name() -> None:
    from accounts.services.admin_audit import _is_secret

    assert [
        name
        for name in (
            "password",
            "key",
            "api_key",
            "auth_token",
            "p256dh",
            "endpoint",
            "keyword",
            "author",
            "dedupe_key",
            "name",
            "monkey",
        )
        if _is_secret(name)
    ] == ["password", "key", "api_key", "auth_token", "p256dh", "endpoint"]
