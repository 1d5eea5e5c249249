"""Writes with a rule about people and their roles. Views, commands and admin call these."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.models import User, normalize_email
from accounts.roles import Role


class EmailAlreadyRegistered(Exception):
    """An account with this e-mail address exists already."""


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=role.value)
    return group


def grant_role(*, user: User, role: Role) -> None:
    """Give ``user`` ``role``; granting a role they already hold changes nothing."""
    with transaction.atomic():
        user.groups.add(role_group(role))
    user.__dict__.pop("roles", None)


def revoke_role(*, user: User, role: Role) -> None:
    with transaction.atomic():
        user.groups.remove(role_group(role))
    user.__dict__.pop("roles", None)


def register_volunteer(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    preferred_language: str | None = None,
    time_zone: str | None = None,
) -> User:
    """Create a volunteer's account from the public registration form.

    Raises EmailAlreadyRegistered when the address is taken, also when two registrations
    for the same address race each other (the database's unique index decides).
    """
    email = normalize_email(email)
    extra: dict[str, str] = {}
    if preferred_language:
        extra["preferred_language"] = preferred_language
    if time_zone:
        extra["time_zone"] = time_zone
    try:
        with transaction.atomic():
            if User.objects.filter(email=email).exists():
                raise EmailAlreadyRegistered(email)
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phone,
                **extra,
            )
            grant_role(user=user, role=Role.VOLUNTEER)
    except IntegrityError as exc:
        raise EmailAlreadyRegistered(email) from exc
    return user


def ensure_person(
    *, email: str, password: str, roles: tuple[Role, ...] = (), **fields: Any
) -> tuple[User, bool]:
    """The person with ``email``, created with ``fields`` and ``password`` if missing.

    An existing person keeps their details and password; missing roles are granted.
    Returns (user, created).
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=normalize_email(email), defaults=fields)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        for role in roles:
            grant_role(user=user, role=role)
    return user, created
