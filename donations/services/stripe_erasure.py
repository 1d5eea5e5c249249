"""An erased donor's customer records at Stripe: queued by the erasure, cleared afterwards.

The erasure is local and all or nothing; no network call is made inside its transaction.
It records one ``StripeCustomerErasure`` per Stripe customer of the donor and sends a task
once it commits. The task asks Stripe to empty the customer's personal fields
(``stripe_client.erase_customer``); when Stripe cannot be reached the row stays pending
with the attempt counted, the task retries with backoff, and an hourly sweep takes up
whatever is still pending, so a lost message or a long outage delays it, never loses it.
Until it is done the donor's pages say that Stripe still holds their details.

In offline test mode (no Stripe key) there is no customer at Stripe: nothing is queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.services import audit
from core.tasks import enqueue_on_commit
from donations.models import (
    Donation,
    Donor,
    RecurringGift,
    StripeCustomerErasure,
    StripeCustomerLink,
)
from donations.stripe_integration import client as stripe_client

ERASE_TASK = "donations.erase_stripe_customer"
# The sweep leaves a row alone this long after a try (the task's own retries come first).
SWEEP_AFTER = timedelta(minutes=30)


def customers_of(donor_ids: Iterable[int]) -> dict[str, int]:
    """``{Stripe customer id: donor id}`` for every customer the donors' records name."""
    ids = list(donor_ids)
    found: dict[str, int] = {}
    for customer_id, donor_id in [
        *StripeCustomerLink.objects.filter(donor_id__in=ids).values_list("customer_id", "donor_id"),
        *RecurringGift.objects.filter(donor_id__in=ids)
        .exclude(stripe_customer_id="")
        .values_list("stripe_customer_id", "donor_id"),
        *Donation.objects.filter(donor_id__in=ids)
        .exclude(customer_id="")
        .values_list("customer_id", "donor_id")
        .distinct(),
    ]:
        found.setdefault(customer_id, donor_id)
    return found


def queue_customer_erasures(*, donors: Iterable[Donor], by: User) -> int:
    """In the erasure's transaction: a pending row per Stripe customer of ``donors``, and a
    task for each once the transaction commits. Returns how many were queued."""
    if not stripe_client.is_configured():
        return 0
    queued = 0
    for customer_id, donor_id in sorted(customers_of(donor.pk for donor in donors).items()):
        row, _ = StripeCustomerErasure.objects.update_or_create(
            customer_id=customer_id,
            defaults={"donor_id": donor_id, "status": StripeCustomerErasure.Status.PENDING},
        )
        audit.record(
            "donations.stripe_customer.erasure_queued",
            actor=by,
            obj=row,
            data={"customer": customer_id, "donor": donor_id},
        )
        enqueue_on_commit(ERASE_TASK, erasure_id=row.pk)
        queued += 1
    return queued


def clear_customer(*, erasure_id: int) -> bool:
    """Ask Stripe to forget the customer of one pending row; True once it is done (or was).

    Called outside any transaction (the network call holds no lock); the outcome is
    written, with its audit entry, in a short one afterwards."""
    row = StripeCustomerErasure.objects.filter(pk=erasure_id).first()
    if row is None or row.status == StripeCustomerErasure.Status.DONE:
        return True
    try:
        stripe_client.erase_customer(
            customer_id=row.customer_id,
            # A new key per attempt: Stripe replays a failed answer for a reused key.
            idempotency_key=f"erase-customer-{row.pk}-{row.attempts}",
        )
    except stripe_client.StripeUnavailable as exc:
        cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else "StripeUnavailable"
        _note_attempt(row.pk, error=cause)
        return False
    _note_attempt(row.pk, error="")
    return True


def _note_attempt(erasure_id: int, *, error: str) -> None:
    with transaction.atomic():
        row = StripeCustomerErasure.objects.select_for_update().get(pk=erasure_id)
        if row.status == StripeCustomerErasure.Status.DONE:
            return
        now = timezone.now()
        row.attempts += 1
        row.last_tried_at = now
        row.last_error = error[:200]
        if not error:
            row.status = StripeCustomerErasure.Status.DONE
            row.done_at = now
        row.save()
        audit.record(
            "donations.stripe_customer.erased" if not error else "donations.stripe_customer.failed",
            actor=None,
            obj=row,
            changes={"status": ["pending", row.status]} if not error else None,
            data={"customer": row.customer_id, "attempt": row.attempts, "error": error},
        )


def pending_erasures() -> QuerySet[StripeCustomerErasure]:
    return StripeCustomerErasure.objects.filter(status=StripeCustomerErasure.Status.PENDING)


def sweep_customer_erasures() -> int:
    """Hourly: try again every pending row not tried in the last half hour; how many are
    now done."""
    due = pending_erasures().exclude(last_tried_at__gte=timezone.now() - SWEEP_AFTER)
    return sum(clear_customer(erasure_id=pk) for pk in due.values_list("pk", flat=True))
