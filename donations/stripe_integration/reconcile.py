"""Nightly reconciliation: apply the events Stripe sent that our endpoint never received.

Stripe keeps its events for 30 days and lists them (``GET /v1/events``, newest first, paged
with ``starting_after``). ``reconcile_events`` reads the types the ledger handles for the
last ``days`` days and passes each through the same intake as a webhook delivery: an event
already stored is a duplicate and changes nothing (unless it failed: then it runs again, as a
redelivery would); a new one is stored as ``delivered_by=reconciliation`` and applied. So an
endpoint that was down longer than Stripe's retries, or a wrong webhook secret, loses
nothing, and running this twice changes nothing. The events it applied are listed for the
administrator on the Stripe events page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.utils import timezone

from donations.models import EventDelivery, StripeEvent, StripeEventStatus
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.intake import RUNNABLE, process_event, record_event
from donations.stripe_integration.ledger import HANDLERS

logger = logging.getLogger(__name__)

# Stripe keeps events for 30 days.
MAX_DAYS: Final = 30
PAGE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What one run found: events listed, applied late (new to us), run again (had failed)."""

    listed: int
    applied: int
    retried: int


def reconcile_events(*, days: int = 3) -> Reconciliation:
    """Read Stripe's event list for the last ``days`` days and apply what we missed.

    Raises ``stripe.StripeError`` when Stripe cannot be read (the beat task retries later);
    events applied before the failure stay applied.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    since = int((timezone.now() - timedelta(days=days)).timestamp())
    listed = applied = retried = 0
    page = stripe_client.get_client().v1.events.list(
        {"created": {"gte": since}, "types": sorted(HANDLERS), "limit": PAGE_SIZE}
    )
    # Newest first, as Stripe lists them; each event is applied on its own (the handlers
    # tolerate any order), so an interrupted run leaves nothing half-done.
    found = [event.to_dict() for event in page.auto_paging_iter()]
    for data in reversed(found):
        listed += 1
        stored, created = record_event(data, delivered_by=EventDelivery.RECONCILIATION)
        if created:
            process_event(event_pk=stored.pk)
            applied += 1
        elif stored.status in RUNNABLE:
            if stored.status == StripeEventStatus.FAILED:
                retried += 1
            process_event(event_pk=stored.pk)
    if applied:
        logger.warning("Stripe reconciliation applied %d events our endpoint never got", applied)
    return Reconciliation(listed=listed, applied=applied, retried=retried)


def late_events() -> list[StripeEvent]:
    """The events reconciliation applied (most recent first), for the administrator."""
    return list(
        StripeEvent.objects.filter(delivered_by=EventDelivery.RECONCILIATION).order_by(
            "-received_at", "-pk"
        )[:200]
    )
