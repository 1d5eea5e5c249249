"""The accounts app's part of a person's data: the account, its login links and second
factors (never their secrets), and the audit entries about or by them."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, MagicLinkToken, User
from accounts.roles import STAFF_ROLES
from accounts.services import audit
from accounts.services.personal_data import (
    ERASED,
    ERASED_EMAIL_DOMAIN,
    Category,
    Contributor,
    Erasure,
    row,
    rows,
)


def export(person: User) -> list[Category]:
    account = row(person, exclude=("password",))
    account["roles"] = sorted(role.value for role in person.roles)
    devices = [
        {"kind": "authenticator app", "name": device.name, "confirmed": device.confirmed}
        for device in TOTPDevice.objects.filter(user=person).order_by("pk")
    ] + [
        {"kind": "recovery codes", "name": device.name, "confirmed": device.confirmed}
        for device in StaticDevice.objects.filter(user=person).order_by("pk")
    ]
    entries = AuditEntry.objects.filter(Q(subject=person) | Q(actor=person)).order_by(
        "created_at", "pk"
    )
    return [
        Category("account", "the account: name, e-mail, phone, language, roles", [account]),
        Category(
            "login_links",
            "login links sent by e-mail (when made, used, expiring)",
            rows(MagicLinkToken.objects.filter(user=person), exclude=("token_hash",)),
        ),
        Category("two_factor_devices", "second factors set up (no secrets)", devices),
        Category("audit_entries", "the audit trail's entries about or by them", rows(entries)),
    ]


def collect_values(erasure: Erasure) -> None:
    person = erasure.person
    erasure.add_values(person.email, person.get_full_name(), person.first_name, person.last_name)
    if person.phone:
        erasure.add_values(str(person.phone), person.phone.as_e164, person.phone.as_national)


def erase(erasure: Erasure) -> None:
    person = erasure.person
    erasure.count("login_links", MagicLinkToken.objects.filter(user=person).delete()[0])
    erasure.count("two_factor_devices", TOTPDevice.objects.filter(user=person).delete()[0])
    erasure.count("two_factor_devices", StaticDevice.objects.filter(user=person).delete()[0])
    erasure.count(
        "audit_entries_scrubbed",
        audit.scrub_person(person_id=person.pk, scrub=erasure.scrub, erased=ERASED),
    )
    person.email = f"erased-{person.pk}@{ERASED_EMAIL_DOMAIN}"
    person.first_name = ""
    person.last_name = f"Erased person #{person.pk}"
    person.phone = ""
    person.is_active = False
    person.email_confirmed_at = None
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    person.forget_roles()
    erasure.count("account", 1)


def blockers(person: User) -> list[str]:
    if any(role in STAFF_ROLES for role in person.roles):
        return [
            _(
                "They hold a staff role: take their staff roles away first, so the "
                "organisation never loses an administrator by accident."
            )
        ]
    return []


CONTRIBUTOR = Contributor(
    app="accounts",
    export=export,
    erase=erase,
    collect_values=collect_values,
    blockers=blockers,
    order=90,  # last: the others look for the account's values
)
