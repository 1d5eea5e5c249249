"""Writes about donors as people: the login of a donor, and a donor's own details."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import audit, ensure_person
from donations.models import Donor


def donor_account(donor: Donor) -> User:
    """The donor's login, made (without a password; magic links sign in) when missing."""
    if donor.user_id is not None:
        assert donor.user is not None
        return donor.user
    first, _, last = donor.name.partition(" ")
    user, _created = ensure_person(
        email=donor.email,
        password=None,
        roles=(Role.DONOR,),
        first_name=first[:150],
        last_name=last[:150],
    )
    donor.user = user
    donor.save(update_fields=["user", "updated_at"])
    return user


def update_donor_details(
    *,
    donor: Donor,
    name: str,
    address_line1: str,
    address_line2: str,
    city: str,
    region: str,
    postal_code: str,
    country: str,
    communication_consent: bool,
    give_anonymously: bool,
    by: User,
) -> Donor:
    """Save a donor's details (by the donor, or by staff in the admin). Consent records the
    moment it was given or withdrawn."""
    with transaction.atomic():
        locked = Donor.objects.select_for_update(of=("self",)).get(pk=donor.pk)
        before = audit.snapshot(locked, DONOR_AUDITED_FIELDS)
        if locked.communication_consent != communication_consent:
            locked.communication_consent = communication_consent
            locked.communication_consent_at = timezone.now()
        locked.name = " ".join(name.split())
        locked.address_line1 = address_line1.strip()
        locked.address_line2 = address_line2.strip()
        locked.city = city.strip()
        locked.region = region.strip()
        locked.postal_code = postal_code.strip()
        locked.country = country.strip().upper()
        locked.give_anonymously = give_anonymously
        locked.save()
        changes = audit.changed_fields(before, audit.snapshot(locked, DONOR_AUDITED_FIELDS))
        if changes:
            audit.record(
                "donations.donor.details_changed",
                actor=by,
                subject=locked.user_id,
                obj=locked,
                changes=changes,
            )
    return locked


# What a donor's audit entry compares.
DONOR_AUDITED_FIELDS = (
    "name",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "communication_consent",
    "communication_consent_at",
    "give_anonymously",
)
