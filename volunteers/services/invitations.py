"""Filling a gap in two clicks: ask the volunteers who can do a shift, and let each take
the place with one tap on their own link.

Only volunteers eligible on the shift's date, free at its time, not on it already, not
asked before for it are asked (``selectors.audiences.free_eligible_volunteers``), and only
when the shift fits the days and hours they said they can help and they are not away then
(``selectors.availability``, the same rule as the home page's suggestions); the
shift row is locked while they are chosen, so two coordinators asking at once ask each
person once. A link is signed for one invitation and its person, and works until the
shift starts (and for at most ``LINK_MAX_AGE``): someone else's link, a forged or an
expired one does nothing. Taking the place is an ordinary sign-up: a place while there is
one, else the waitlist.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from volunteers.message_kinds import SHIFT_INVITATION
from volunteers.models import Shift, ShiftInvitation, ShiftSignup
from volunteers.selectors.audiences import free_eligible_volunteers
from volunteers.selectors.availability import availabilities_of
from volunteers.services.errors import VolunteeringError
from volunteers.services.notify import JSONValue, notify_volunteer, shift_context
from volunteers.services.signups import lock_shift, sign_up_for_shift

SALT = "volunteers.shift-invitation"
LINK_MAX_AGE = timedelta(days=14)


def invitation_token(invitation: ShiftInvitation) -> str:
    return signing.dumps({"i": invitation.pk, "v": invitation.volunteer_id}, salt=SALT)


def invitation_url(invitation: ShiftInvitation) -> str:
    site: str = settings.SITE_URL
    return site + reverse("volunteers:invitation", args=[invitation_token(invitation)])


def invite_eligible_volunteers(*, shift: Shift, by: User) -> list[ShiftInvitation]:
    """Ask every eligible, free, not-yet-asked volunteer to take a place on ``shift``."""
    with transaction.atomic():
        locked = lock_shift(shift.pk)
        if locked.starts_at <= timezone.now():
            raise VolunteeringError(gettext("This shift has already started."))
        asked = set(
            ShiftInvitation.objects.filter(shift=locked).values_list("volunteer_id", flat=True)
        )
        free = free_eligible_volunteers(locked, exclude_ids=asked)
        availability = availabilities_of(free, today=org_today())
        people = [person for person in free if availability[person.pk].fits(locked)]
        now = timezone.now()
        invitations = ShiftInvitation.objects.bulk_create(
            ShiftInvitation(shift=locked, volunteer=person, asked_by=by, asked_at=now)
            for person in people
        )
        contexts: dict[str, dict[str, JSONValue]] = {}  # one per language asked
        for invitation, person in zip(invitations, people, strict=True):
            language = person.preferred_language
            if language not in contexts:
                contexts[language] = shift_context(locked, language)
            audit.record(
                "volunteers.invitation.sent",
                actor=by,
                subject=person,
                obj=invitation,
                changes=audit.changed_fields(
                    {}, audit.snapshot(invitation, ("shift", "asked_by", "asked_at"))
                ),
            )
            notify_volunteer(
                user=person,
                kind=SHIFT_INVITATION.name,
                dedupe_key=f"shift-invitation:{invitation.pk}",
                context={**contexts[language], "accept_url": invitation_url(invitation)},
            )
    return invitations


def invitation_for_token(token: str, *, user: User) -> ShiftInvitation:
    """The invitation of ``token`` if it is ``user``'s and still good; else an error that
    says why, and nothing happens."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise VolunteeringError(
            gettext("This link has expired. Look for open shifts instead.")
        ) from None
    except signing.BadSignature:
        raise VolunteeringError(gettext("This link is not valid.")) from None
    if not isinstance(data, dict) or data.get("v") != user.pk:
        raise VolunteeringError(
            gettext("This link was sent to someone else. Log in as the person it was sent to.")
        )
    invitation = (
        ShiftInvitation.objects.select_related("shift__role", "shift__location")
        .filter(pk=int(data.get("i") or 0), volunteer=user)
        .first()
    )
    if invitation is None:
        raise VolunteeringError(gettext("This link is not valid."))
    if invitation.shift.starts_at <= timezone.now():
        raise VolunteeringError(gettext("This shift has already started; the link has expired."))
    return invitation


def accept_invitation(*, token: str, user: User) -> ShiftSignup:
    """Take the place the link offers (or a place on the waitlist once it is full)."""
    invitation = invitation_for_token(token, user=user)
    with transaction.atomic():
        signup = sign_up_for_shift(shift=invitation.shift, volunteer=user)
        before = audit.snapshot(invitation, ("answered_at", "signup"))
        invitation.answered_at = timezone.now()
        invitation.signup = signup
        invitation.save(update_fields=["answered_at", "signup"])
        audit.record(
            "volunteers.invitation.accepted",
            actor=user,
            subject=user,
            obj=invitation,
            changes=audit.changed_fields(
                before, audit.snapshot(invitation, ("answered_at", "signup"))
            ),
            data={"signup_status": signup.status},
        )
    return signup
