"""A way out for an event that waits for a payment we never linked (a refund or dispute of a
payment made outside our page before its events reached us): fetch the payment's charge from
Stripe, record it as a gift, and run what waited for it."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from donations.models import StripeEvent, StripeEventStatus
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.importer import import_charge
from donations.stripe_integration.ledger import lock_payment_intent, run_deferred
from donations.stripe_integration.outside import donor_for_customer
from donations.stripe_integration.payload import stripe_id

# A deferred event is listed with its way out once it has waited this long.
STUCK_AFTER: Final = timedelta(days=1)


def stuck_events() -> QuerySet[StripeEvent]:
    """Events deferred for more than a day, oldest first."""
    return StripeEvent.objects.filter(
        status=StripeEventStatus.DEFERRED, received_at__lte=timezone.now() - STUCK_AFTER
    ).order_by("received_at", "pk")


def resolve_deferred(*, event_pk: int) -> int:
    """Fetch the charges of the payment the event waits for, record them, run what waits;
    how many events ran (0: Stripe knows no paid charge of it, or nothing waits any more).

    Raises ``stripe.StripeError`` when Stripe cannot be asked.
    """
    event = StripeEvent.objects.filter(pk=event_pk, status=StripeEventStatus.DEFERRED).first()
    if event is None or not event.waiting_for:
        return 0
    intent = event.waiting_for
    charges = stripe_client.get_client().v1.charges.list({"payment_intent": intent, "limit": 10})
    found = [charge.to_dict() for charge in charges.data]
    with transaction.atomic():
        lock_payment_intent(intent)
        for charge in found:
            customer = stripe_id(charge.get("customer"))
            if customer:
                donor_for_customer(customer)
            import_charge(charge)
        return run_deferred(intent)
