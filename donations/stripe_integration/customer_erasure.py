"""Clearing an erased donor's customer at Stripe, after the erasure has committed.

``clear_customer`` asks Stripe to empty the customer's personal fields
(``client.erase_customer``), outside any transaction; when Stripe cannot be reached the
row stays pending with the attempt counted, the task retries with backoff, and an hourly
sweep takes up whatever is still pending, so a lost message or a long outage delays it,
never loses it. Until it is done the donor's pages say that Stripe still holds their
details (``selectors.donors.waiting_stripe_erasures``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.services import audit
from donations.models import StripeCustomerErasure
from donations.services.stripe_erasure import pending_erasures
from donations.stripe_integration import client as stripe_client

# The sweep leaves a row alone this long after a try (the task's own retries come first).
SWEEP_AFTER = timedelta(minutes=30)


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


def sweep_customer_erasures() -> int:
    """Hourly: try again every pending row not tried in the last half hour; how many are
    now done."""
    due = pending_erasures().exclude(last_tried_at__gte=timezone.now() - SWEEP_AFTER)
    return sum(clear_customer(erasure_id=pk) for pk in due.values_list("pk", flat=True))
