from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import factory
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_group

PASSWORD = "correct horse battery staple"


def _set_password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
    user.set_password(extracted or PASSWORD)
    if create:
        user.save(update_fields=["password"])


def _grant_roles(user: User, create: bool, extracted: Iterable[Role] | None, **kw: Any) -> None:
    """The roles as rows a test starts from (no audit entry: nobody granted them in the
    story the test tells; ``accounts.services.grant_role`` is tested on its own)."""
    if create and extracted:
        user.groups.add(*(role_group(role) for role in extracted))
        user.forget_roles()


class UserFactory(factory.django.DjangoModelFactory[User]):
    """``make_user(roles=[Role.VOLUNTEER, Role.DONOR])`` makes a person with those roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    time_zone = "America/New_York"
    password = factory.PostGeneration(_set_password)
    roles = factory.PostGeneration(_grant_roles)


def make_user(**kwargs: Any) -> User:
    return UserFactory.create(**kwargs)


def make_users(count: int, **kwargs: Any) -> list[User]:
    return UserFactory.create_batch(count, **kwargs)


def give_second_factor(client: Client, user: User) -> None:
    """Mark ``client``'s session as logged in with a second factor (a confirmed TOTP
    device), as the two-factor page does; ``client`` is logged in as ``user`` already."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
