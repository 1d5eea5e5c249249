"""An account saved in the Django admin (details, staff flags, roles, permissions) writes
one exact audit entry with the old and new values; saving it unchanged writes none."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import AuditEntry
from accounts.roles import Role
from accounts.services import role_group
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _form_data(client: Client, url: str) -> dict[str, Any]:
    """The change form's current values, as the browser would post them back."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif hasattr(field, "widget") and hasattr(field.widget, "widgets"):  # date and time
            parts = field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        else:
            data[name] = value
    return data


def test_an_account_changed_in_the_admin_is_audited_with_old_and_new_values() -> None:
    admin_user = make_user(
        email="root@example.org", is_staff=True, is_superuser=True, roles=[Role.ADMINISTRATOR]
    )
    lee = make_user(email="lee.admin@example.org", first_name="Lee", roles=[Role.VOLUNTEER])
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{lee.pk}/change/"
    fundraiser = role_group(Role.FUNDRAISER)

    data = _form_data(client, url)
    response = client.post(url, data)  # saved unchanged: no entry
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AuditEntry.objects.count() == 0

    data.update(
        first_name="Leona",
        is_staff="on",
        groups=[str(Group.objects.get(name="volunteer").pk), str(fundraiser.pk)],
    )
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get()
    assert (
        entry.action,
        entry.actor_id,
        entry.subject_id,
        entry.object_type,
        entry.object_id,
        entry.changes,
    ) == (
        "accounts.user.changed",
        admin_user.pk,
        lee.pk,
        "accounts.user",
        str(lee.pk),
        {
            "first_name": ["Lee", "Leona"],
            "is_staff": [False, True],
            "roles": [["volunteer"], ["fundraiser", "volunteer"]],
        },
    )
    assert entry.ip_address == "127.0.0.1"
    lee.refresh_from_db()
    assert (lee.first_name, lee.is_staff) == ("Leona", True)
