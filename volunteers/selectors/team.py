"""Who else is on a shift, as a volunteer may see it: first names, the shift lead, and
contact details only of those who chose to share them (VolunteerProfile.share_contact)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from accounts.permissions import user_can
from volunteers.models import (
    PLACE_STATUSES,
    Qualification,
    Shift,
    ShiftSignup,
    StaffingRule,
    VolunteerProfile,
)


@dataclass(frozen=True)
class TeamMember:
    first_name: str
    is_lead: bool
    is_me: bool
    # Empty unless the person shares them and the viewer has a place on the shift.
    phone: str = ""
    email: str = ""
    # The address of their photo, for a viewer who may see it (a teammate), else "".
    photo_url: str = ""


@dataclass(frozen=True)
class Contact:
    """Whom to call about the shift: the coordinator who made it, else the organisation."""

    name: str
    email: str
    phone: str


def photo_url(profile: VolunteerProfile) -> str:
    """The private address of a profile's photo (its version changes when it is replaced)."""
    if not profile.photo:
        return ""
    url = reverse("volunteers:profile_photo", args=[profile.user_id])
    return f"{url}?v={int(profile.updated_at.timestamp())}"


def shift_team(shift: Shift, viewer: User) -> list[TeamMember]:
    """The people holding a place on ``shift``, leads first (three queries).

    A lead holds a qualification the role's staffing rules ask for (e.g. Shift lead).
    Nobody's surname is shown; a phone number or an e-mail address only when its owner
    opted in, and only to someone who has a place on the same shift.
    """
    signups = list(
        ShiftSignup.objects.filter(shift=shift, status__in=PLACE_STATUSES)
        .select_related("volunteer__volunteer_profile")
        .order_by("joined_at", "pk")
    )
    ids = [signup.volunteer_id for signup in signups]
    lead_roles = StaffingRule.objects.filter(role_id=shift.role_id).values("qualification_id")
    leads = set(
        Qualification.objects.filter(volunteer_id__in=ids, role_id__in=lead_roles).values_list(
            "volunteer_id", flat=True
        )
    )
    viewer_on_it = viewer.pk in ids
    members = []
    for signup in signups:
        person = signup.volunteer
        profile = getattr(person, "volunteer_profile", None)
        shares = viewer_on_it and profile is not None and profile.share_contact
        sees_photo = (viewer_on_it or person.pk == viewer.pk) and bool(profile and profile.photo)
        members.append(
            TeamMember(
                # Never get_short_name(): without a first name it is the e-mail address.
                first_name=person.first_name or gettext("A volunteer"),
                is_lead=person.pk in leads,
                is_me=person.pk == viewer.pk,
                phone=person.phone.as_national if shares and person.phone else "",
                email=person.email if shares else "",
                photo_url=photo_url(profile) if sees_photo and profile is not None else "",
            )
        )
    return sorted(members, key=lambda member: not member.is_lead)


def shift_contact(shift: Shift) -> Contact:
    """The coordinator who made the shift (when they still manage volunteering), else the
    organisation."""
    person = shift.created_by
    if person is not None and person.is_active and user_can(person, "volunteering.manage"):
        return Contact(
            name=str(person),
            email=person.email,
            phone=person.phone.as_national if person.phone else settings.ORG_PHONE,
        )
    return Contact(name=settings.ORG_NAME, email=settings.ORG_EMAIL, phone=settings.ORG_PHONE)
