"""Writes with a rule about people and their roles. Views, commands and admin call these."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.authentication.tokens import email_confirmation_token
from accounts.models import User, normalize_email
from accounts.roles import Role
from accounts.services import audit
from accounts.services.emails import send_already_registered, send_email_confirmation


class EmailAlreadyRegistered(Exception):
    """An account with this e-mail address exists already."""


def role_group(role: Role) -> Group:
    group, _ = Group.objects.get_or_create(name=role.value)
    return group


def grant_role(*, user: User, role: Role, by: User | None = None) -> None:
    """Give ``user`` ``role``; granting a role they already hold changes nothing (and
    writes no audit entry). ``by`` None: the system (a registration, the demo)."""
    with transaction.atomic():
        group = role_group(role)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
            audit.record(
                "accounts.role.granted",
                actor=by,
                subject=user,
                obj=user,
                changes={"roles": [None, role.value]},
            )
    user.forget_roles()


def refuse_registered_address(*, email: str, password: str) -> None:
    """Raise ``EmailAlreadyRegistered`` when ``email`` has an account, its owner told by
    e-mail (queued in the outbox). A caller that registers inside a transaction of its own
    calls this first, outside it: the notice must not roll back with the refused sign-up."""
    existing = User.objects.filter(email=normalize_email(email)).first()
    if existing is not None:
        # Hash the password anyway: a quick answer would tell that the address is taken.
        make_password(password)
        send_already_registered(existing)
        raise EmailAlreadyRegistered(email)


def register_volunteer(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    preferred_language: str | None = None,
    time_zone: str | None = None,
    confirmed: bool = False,
) -> User:
    """Create a volunteer's account from the public form, inactive until the e-mail is confirmed.

    The confirmation link is mailed once the transaction commits. When the address already
    has an account, its owner is told by e-mail and EmailAlreadyRegistered is raised: the
    page must then look exactly like a success, so nobody learns who has an account (it
    matters to an anti-trafficking charity's volunteers). Two sign-ups racing for one
    address are settled by the unique index the same way. ``confirmed`` (demo data, people
    a coordinator vouches for) opens the account at once and mails nothing.
    """
    email = normalize_email(email)
    extra: dict[str, str] = {}
    if preferred_language:
        extra["preferred_language"] = preferred_language
    if time_zone:
        extra["time_zone"] = time_zone
    refuse_registered_address(email=email, password=password)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phone,
                is_active=confirmed,
                email_confirmed_at=timezone.now() if confirmed else None,
                **extra,
            )
            grant_role(user=user, role=Role.VOLUNTEER)
    except IntegrityError as exc:
        raced = User.objects.filter(email=email).first()
        if raced is not None:
            send_already_registered(raced)
        raise EmailAlreadyRegistered(email) from exc
    if not confirmed:
        transaction.on_commit(lambda: send_email_confirmation(user))
    return user


def confirm_email(*, uidb64: str, token: str) -> User | None:
    """Activate the account a confirmation link names; None when the link is not valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk).first()
        if user is None or not email_confirmation_token.check_token(user, token):
            return None
        user.is_active = True
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["is_active", "email_confirmed_at"])
    return user


def resend_email_confirmation(*, email: str) -> None:
    """Mail a new link to an address that registered but never confirmed (else nothing)."""
    user = User.objects.filter(
        email=normalize_email(email), is_active=False, email_confirmed_at__isnull=True
    ).first()
    if user is not None:
        send_email_confirmation(user)


def ensure_person(
    *, email: str, password: str | None, roles: tuple[Role, ...] = (), **fields: Any
) -> tuple[User, bool]:
    """The person with ``email``, created with ``fields`` and ``password`` if missing.

    ``password=None`` creates them without one (an unusable password: they sign in by magic
    link or set one by password reset). An existing person keeps their details and
    password; missing roles are granted. Returns (user, created).
    """
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=normalize_email(email), defaults=fields)
        if created:
            if password is None:
                # Not a hash of "": hashing costs ~0.3 s of CPU (the hasher's iterations),
                # spent here inside the caller's transaction, for a password nobody has.
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save(update_fields=["password"])
        for role in roles:
            grant_role(user=user, role=role)
    return user, created


def set_preferred_language(*, user: User, language: str) -> None:
    """A person's language for pages, e-mails, texts and PDFs (one of settings.LANGUAGES)."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    with transaction.atomic():
        old = (
            User.objects.select_for_update()
            .filter(pk=user.pk)
            .values_list("preferred_language", flat=True)
            .first()
        )
        if old != language:
            User.objects.filter(pk=user.pk).update(preferred_language=language)
            audit.record(
                "accounts.profile.changed",
                actor=user,
                subject=user,
                obj=user,
                changes=audit.changed_fields(
                    {"preferred_language": old}, {"preferred_language": language}
                ),
            )
    user.preferred_language = language


# What a person changes about themselves on their own account page.
OWN_PROFILE_FIELDS = ("first_name", "last_name", "phone", "preferred_language", "time_zone")


def update_own_profile(*, user: User, **fields: Any) -> dict[str, list[Any]]:
    """Save the person's own name, phone, language and time zone (checked by the form);
    the changes, audited as done by the person. Nothing changed: nothing written."""
    unknown = set(fields) - set(OWN_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"update_own_profile() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(locked, fields)
        changes = audit.changed_fields(before, fields)
        if changes:
            for name in changes:
                setattr(locked, name, fields[name])
            locked.save(update_fields=sorted(changes))
            audit.record(
                "accounts.profile.changed", actor=user, subject=user, obj=user, changes=changes
            )
    for name, value in fields.items():
        setattr(user, name, value)
    return changes
