"""Who a group message goes to: each audience a coordinator can pick, resolved to people.

Lives in the dashboard because audiences span both domains (a shift's team, last year's
donors); each side is read through its own app's selectors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.dates import format_day, org_today
from dashboard.message_kinds import GROUP_MESSAGE
from donations.models import DonorSegment
from donations.selectors.reports import lybunt
from donations.selectors.segments import segment_donors
from notifications.models import Channel
from notifications.services.preferences import preferences_for_users
from volunteers.models import SavedFilter, Shift, Training, VolunteerRole
from volunteers.selectors import audiences as volunteering
from volunteers.selectors import people as directory
from volunteers.shift_text import describe_shift


class AudienceKind(models.TextChoices):
    SHIFT_TEAM = "shift_team", gettext_lazy("The people on a shift")
    SHIFT_WAITLIST = "shift_waitlist", gettext_lazy("A shift's waitlist")
    SHIFT_ELIGIBLE = (
        "shift_eligible",
        gettext_lazy("Volunteers who may do a shift and are free, not on it"),
    )
    ROLE = "role", gettext_lazy("Everyone with a role")
    TRAINING_EXPIRING = (
        "training_expiring",
        gettext_lazy("Volunteers whose training expires before a date"),
    )
    LYBUNT = "lybunt", gettext_lazy("Donors who gave last year but not this year")
    SAVED_FILTER = "saved_filter", gettext_lazy("The volunteers of one of my saved filters")
    DONOR_SEGMENT = "donor_segment", gettext_lazy("The donors of a saved segment")


# The audiences of donors: for those who manage giving, not volunteering.
GIVING_AUDIENCES = (AudienceKind.LYBUNT, AudienceKind.DONOR_SEGMENT)


# The audiences about a place someone holds: a message to them may be marked essential.
OPERATIONAL = (AudienceKind.SHIFT_TEAM, AudienceKind.SHIFT_WAITLIST)


@dataclass(frozen=True)
class Audience:
    kind: str
    label: str
    people: list[User]


def resolve(
    kind: str,
    *,
    shift: Shift | None = None,
    role: VolunteerRole | None = None,
    training: Training | None = None,
    before: date | None = None,
    saved_filter: SavedFilter | None = None,
    segment: DonorSegment | None = None,
) -> Audience:
    """The people of an audience (the form has checked that its parameters are there)."""
    if kind in (AudienceKind.SHIFT_TEAM, AudienceKind.SHIFT_WAITLIST, AudienceKind.SHIFT_ELIGIBLE):
        assert shift is not None
        what = describe_shift(shift)
        if kind == AudienceKind.SHIFT_TEAM:
            return Audience(
                kind,
                _("The people on %(shift)s") % {"shift": what},
                list(volunteering.shift_team(shift)),
            )
        if kind == AudienceKind.SHIFT_WAITLIST:
            return Audience(
                kind,
                _("The waitlist of %(shift)s") % {"shift": what},
                list(volunteering.shift_waitlist(shift)),
            )
        return Audience(
            kind,
            _("Volunteers free for %(shift)s") % {"shift": what},
            volunteering.free_eligible_volunteers(shift),
        )
    if kind == AudienceKind.ROLE:
        assert role is not None
        return Audience(
            kind,
            _("Volunteers for %(role)s") % {"role": role.name},
            list(volunteering.role_volunteers(role)),
        )
    if kind == AudienceKind.TRAINING_EXPIRING:
        assert training is not None and before is not None
        return Audience(
            kind,
            _("%(training)s expiring before %(day)s")
            % {"training": training.name, "day": format_day(before)},
            list(volunteering.training_expiring_before(training, before)),
        )
    if kind == AudienceKind.SAVED_FILTER:
        assert saved_filter is not None
        # Resolved now, not when it was saved: whoever matches the filter at send time.
        profiles = directory.directory_from_query(saved_filter.query).order_by()
        return Audience(
            kind,
            _("Volunteers in %(filter)s") % {"filter": saved_filter.name},
            list(
                User.objects.filter(is_active=True, pk__in=profiles.values("user_id")).order_by(
                    "first_name", "last_name", "email", "pk"
                )
            ),
        )
    if kind == AudienceKind.DONOR_SEGMENT:
        assert segment is not None
        # Like a saved filter: whoever is in the segment at send time, with a login.
        donors = segment_donors(segment).order_by()
        return Audience(
            kind,
            _("Donors in %(segment)s") % {"segment": segment.name},
            list(
                User.objects.filter(
                    is_active=True, pk__in=donors.filter(user__isnull=False).values("user_id")
                ).order_by("first_name", "last_name", "email", "pk")
            ),
        )
    if kind == AudienceKind.LYBUNT:
        year = org_today().year
        donors = lybunt(year).filter(user__isnull=False, user__is_active=True)
        people = list(
            User.objects.filter(pk__in=donors.values("user_id")).order_by(
                "first_name", "last_name", "email", "pk"
            )
        )
        return Audience(
            kind,
            _("Donors who gave in %(last)s but not in %(this)s") % {"last": year - 1, "this": year},
            people,
        )
    raise ValueError(f"unknown audience {kind!r}")


@dataclass(frozen=True)
class Reach:
    """How many of an audience a message reaches, and by which channel."""

    people: int
    email: int
    sms: int
    nobody: int  # opted out of this kind, or reached by none of the chosen channels


def reach(
    people: list[User], *, by_email: bool, by_sms: bool, essential: bool, sms_possible: bool = True
) -> Reach:
    """What ``notifications.enqueue_message`` will do for each person (one to three queries)."""
    preferences = preferences_for_users(people)
    counts: Counter[str] = Counter()
    for person in people:
        preference = preferences[person.pk]
        email = by_email and preference.wants(
            channel=Channel.EMAIL, essential=essential, kind=GROUP_MESSAGE.name
        )
        sms = (
            by_sms
            and sms_possible
            and bool(person.phone)
            and preference.wants(channel=Channel.SMS, essential=essential, kind=GROUP_MESSAGE.name)
        )
        counts["email"] += email
        counts["sms"] += sms
        counts["nobody"] += not (email or sms)
    return Reach(len(people), counts["email"], counts["sms"], counts["nobody"])
