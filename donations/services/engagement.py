"""Writes about a fundraiser's work with donors: interactions, tasks, and the tasks that
gifts trigger.

Triggers (``tasks_for_gift``, ``tasks_for_failed_monthly``) make each task at most once: a
task made by a trigger has a unique key (``first-gift:<donor>``, ``large-gift:<gift>``,
``failed-monthly:<gift>``), inserted in a savepoint that loses quietly to an existing
key, so two deliveries of one event, two events for one gift, or two first gifts paid at
the same moment in two transactions leave one task, and neither transaction fails.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from accounts.services import audit
from core.dates import org_today
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    DonorTask,
    Interaction,
    InteractionKind,
    TaskTrigger,
)
from donations.models.engagement import INTERACTION_TEXT_LIMIT, TASK_TITLE_LIMIT
from donations.money import Money, format_money, to_minor
from donations.selectors.gifts import COUNTED_STATUSES
from donations.selectors.reporting import reporting_gross_of

# A failed monthly instalment not paid this many days later becomes a task.
FAILED_MONTHLY_DAYS: Final = 7
# Days a triggered task is given.
THANK_WITHIN_DAYS: Final = 3


def record_interaction(
    *,
    donor: Donor,
    kind: str,
    happened_on: date,
    text: str,
    staff: User,
    donation: Donation | None = None,
) -> Interaction:
    """Write down one contact with ``donor``."""
    if kind not in InteractionKind.values:
        raise ValidationError(gettext("Choose a kind of contact."), code="kind")
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(gettext("Write what was said or sent."), code="text")
    if len(cleaned) > INTERACTION_TEXT_LIMIT:
        raise ValidationError(
            gettext("Keep it under %(limit)d characters.") % {"limit": INTERACTION_TEXT_LIMIT},
            code="text_length",
        )
    if happened_on > org_today():
        raise ValidationError(gettext("The date cannot be in the future."), code="future")
    if donation is not None and donation.donor_id != donor.pk:
        raise ValidationError(gettext("That gift is another donor's."), code="donation")
    with transaction.atomic():
        interaction = Interaction.objects.create(
            donor=donor,
            kind=kind,
            happened_on=happened_on,
            text=cleaned,
            staff=staff,
            donation=donation,
        )
        audit.record(
            "donations.interaction.recorded",
            actor=staff,
            subject=donor.user_id,
            obj=interaction,
            changes=audit.changed_fields(
                {}, audit.snapshot(interaction, ("kind", "happened_on", "text", "donation"))
            ),
            data={"donor": donor.pk},
        )
    return interaction


def add_task(
    *, donor: Donor, title: str, due_on: date, assignee: User | None, by: User
) -> DonorTask:
    """A task added by hand (no trigger key: as many as staff want)."""
    cleaned = title.strip()
    if not cleaned or len(cleaned) > TASK_TITLE_LIMIT:
        raise ValidationError(
            gettext("Give the task a title of at most %(limit)d characters.")
            % {"limit": TASK_TITLE_LIMIT},
            code="title",
        )
    with transaction.atomic():
        task = DonorTask.objects.create(
            donor=donor, title=cleaned, due_on=due_on, assignee=assignee
        )
        audit.record(
            "donations.task.added",
            actor=by,
            subject=donor.user,
            obj=task,
            changes=audit.changed_fields(
                {}, {"title": cleaned, "due_on": due_on, "assignee": assignee}
            ),
            data={"donor": donor.pk},
        )
    return task


def complete_task(*, task: DonorTask, by: User) -> bool:
    """Mark ``task`` done; False when it was done already (a double click changes nothing)."""
    with transaction.atomic():
        now = timezone.now()
        done = DonorTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=now, done_by=by
        )
        if done:
            audit.record(
                "donations.task.completed",
                actor=by,
                subject=task.donor.user,
                obj=task,
                changes=audit.changed_fields(
                    {"done_at": None, "done_by": None}, {"done_at": now, "done_by": by}
                ),
                data={"donor": task.donor_id},
            )
    return done == 1


def default_assignee() -> User | None:
    """Who gets triggered tasks: the active user ``DONOR_TASK_ASSIGNEE`` names, else nobody
    (an unassigned task is on every coordinator's list)."""
    email = settings.DONOR_TASK_ASSIGNEE
    if not email:
        return None
    return User.objects.filter(email__iexact=email, is_active=True).first()


def _task_once(*, key: str, trigger: str, donation: Donation, title: str, due_on: date) -> bool:
    """Insert the task unless one with ``key`` exists (the unique key decides); True if new."""
    task = DonorTask(
        donor_id=donation.donor_id,
        title=title[:TASK_TITLE_LIMIT],
        trigger=trigger,
        trigger_key=key,
        donation=donation,
        assignee=default_assignee(),
        due_on=due_on,
    )
    try:
        # In a savepoint: a concurrent insert of the same key waits for the other
        # transaction, then loses here without failing the caller's transaction.
        with transaction.atomic():
            task.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def large_gift_threshold() -> Money:
    """``DONOR_TASK_LARGE_GIFT``, in the reporting currency."""
    code = settings.REPORTING_CURRENCY
    return Money(to_minor(settings.DONOR_TASK_LARGE_GIFT, code), code)


def tasks_for_gift(*, donation: Donation) -> list[str]:
    """The tasks a counted gift triggers (keys of those made now): thank a first gift, and
    thank a gift at or over the large-gift threshold. Runs in the caller's transaction."""
    if donation.status not in COUNTED_STATUSES or donation.paid_at is None:
        return []
    made: list[str] = []
    due = org_today() + timedelta(days=THANK_WITHIN_DAYS)
    earlier = (
        Donation.objects.filter(donor_id=donation.donor_id, status__in=COUNTED_STATUSES)
        .exclude(pk=donation.pk)
        .exists()
    )
    name = donation.donor.name
    if not earlier:
        key = f"first-gift:{donation.donor_id}"
        title = (
            gettext("Thank %(name)s for their first monthly gift")
            if donation.recurring_gift_id
            else gettext("Thank %(name)s for their first gift")
        ) % {"name": name}
        if _task_once(
            key=key, trigger=TaskTrigger.FIRST_GIFT, donation=donation, title=title, due_on=due
        ):
            made.append(key)
    worth = reporting_gross_of(donation)
    threshold = large_gift_threshold()
    if worth is not None and worth >= threshold.minor:
        key = f"large-gift:{donation.pk}"
        title = gettext("Thank %(name)s for a gift of %(amount)s") % {
            "name": name,
            "amount": format_money(donation.money),
        }
        if _task_once(
            key=key, trigger=TaskTrigger.LARGE_GIFT, donation=donation, title=title, due_on=due
        ):
            made.append(key)
    return made


def tasks_for_failed_monthly(*, now: datetime | None = None) -> int:
    """A task for each monthly instalment that failed at least ``FAILED_MONTHLY_DAYS`` ago
    and is still unpaid; how many were made (the sweep may run any number of times)."""
    cutoff = (now or timezone.now()) - timedelta(days=FAILED_MONTHLY_DAYS)
    failed = (
        Donation.objects.filter(
            recurring_gift__isnull=False,
            status=DonationStatus.FAILED,
            paid_at__isnull=True,
            failed_at__lte=cutoff,
        )
        .exclude(tasks__trigger=TaskTrigger.FAILED_MONTHLY)
        .select_related("donor")
        .order_by("pk")
    )
    made = 0
    due = org_today() + timedelta(days=2)
    for donation in failed.iterator(chunk_size=500):
        title = gettext("Call %(name)s: their monthly gift of %(amount)s failed") % {
            "name": donation.donor.name,
            "amount": format_money(donation.money),
        }
        with transaction.atomic():
            if _task_once(
                key=f"failed-monthly:{donation.pk}",
                trigger=TaskTrigger.FAILED_MONTHLY,
                donation=donation,
                title=title,
                due_on=due,
            ):
                made += 1
    return made
