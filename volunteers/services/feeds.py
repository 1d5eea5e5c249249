"""A volunteer's private calendar feed address (a long random token they can reset)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit
from volunteers.models import CalendarFeed
from volunteers.models.shifts import new_token


def calendar_feed_for(*, volunteer: User) -> CalendarFeed:
    """The volunteer's feed, made on first use."""
    feed = CalendarFeed.objects.filter(volunteer=volunteer).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(volunteer=volunteer)
    except IntegrityError:  # made by a request at the same moment
        return CalendarFeed.objects.get(volunteer=volunteer)


def reset_calendar_feed(*, volunteer: User) -> CalendarFeed:
    """A new token: the old address stops working at once."""
    with transaction.atomic():
        feed = calendar_feed_for(volunteer=volunteer)
        before = feed.reset_at
        feed.token = new_token()
        feed.reset_at = timezone.now()
        feed.save(update_fields=["token", "reset_at"])
        # The token itself is never written down: the entry says only that it changed.
        audit.record(
            "volunteers.calendar_feed.reset",
            actor=volunteer,
            subject=volunteer,
            obj=feed,
            changes=audit.changed_fields({"reset_at": before}, {"reset_at": feed.reset_at}),
        )
    return feed
