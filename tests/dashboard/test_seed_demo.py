from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_people_once() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "7 people created, 0 already there" in out.getvalue()
    assert "coordinator@example.org" in out.getvalue()
    assert "demo-pass-2026" in out.getvalue()
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 people created, 7 already there" in again.getvalue()
    assert User.objects.count() == 7
    assert User.objects.get(email="coordinator@example.org").roles == {Role.COORDINATOR}
    assert User.objects.get(email="sam@example.org").roles == {Role.VOLUNTEER, Role.DONOR}
    assert User.objects.get(email="donor@example.org").check_password("demo-pass-2026")


def test_seed_demo_keeps_a_changed_password() -> None:
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    user.set_password("changed by the volunteer")
    user.save()
    call_command("seed_demo", stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("changed by the volunteer")


def test_seed_demo_refuses_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run when DJANGO_ENV=production"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0
