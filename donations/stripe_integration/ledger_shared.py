"""What every ledger handler shares: saving a gift with its derived status, the
per-payment-intent lock, and running the events that waited for a payment intent.

The handlers themselves live in ``ledger_one_time`` (checkout sessions, charges, refunds,
disputes) and ``ledger_monthly`` (subscription checkouts, invoices, subscriptions);
``ledger`` puts them together in ``HANDLERS`` (the rules they follow are written there).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from typing import Final

from django.db import DataError, connection, transaction
from django.utils import timezone

from donations.models import Donation, RecurringGift, StripeEvent, StripeEventStatus
from donations.services.engagement import tasks_for_gift
from donations.services.gift_status import donation_status, recurring_status
from donations.services.receipts import sync_receipt
from donations.services.system_audit import save_from_stripe, stripe_event
from donations.stripe_integration.payload import PermanentEventError

logger = logging.getLogger(__name__)

Handler = Callable[[StripeEvent], None]

# A checkout the donor never finished: Stripe expires it (after 24 hours by default).
EXPIRED: Final = "checkout.session.expired"

# Every event type's handler; filled by ``donations.stripe_integration.ledger`` (which the
# intake imports), so that the handlers can run what waits without importing the registry.
HANDLERS: dict[str, Handler] = {}


def save_donation(donation: Donation, *, receipt: bool = True) -> None:
    """Save with its derived status, make the tasks it triggers (once each) and (unless
    ``receipt`` is False) issue, void or replace its receipt (idempotent; via the outbox)."""
    donation.status = donation_status(donation)
    save_from_stripe(donation)
    tasks_for_gift(donation=donation)
    if receipt:
        sync_receipt(donation=donation)


def refresh_recurring(gift: RecurringGift) -> None:
    instalments = list(gift.donations.exclude(invoice_id=""))
    gift.status = recurring_status(gift, instalments)
    save_from_stripe(gift)


def lock_payment_intent(payment_intent_id: str) -> None:
    """Serialise everything about one payment intent until the transaction ends.

    Taken by "look up the donation of this payment intent, else defer" and by "link this
    payment intent to a donation, then run what waits for it", so a deferral can never slip
    between a link and its release. SQLite allows one writer at a time, so it needs none.
    """
    if connection.vendor != "postgresql" or not payment_intent_id:
        return
    key = zlib.crc32(f"stripe-pi:{payment_intent_id}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def link_payment_intent(donation: Donation, payment_intent_id: str) -> None:
    if payment_intent_id and not donation.payment_intent_id:
        donation.payment_intent_id = payment_intent_id


def run_deferred(payment_intent_id: str) -> int:
    """Apply the events that waited for ``payment_intent_id``; how many ran.

    Called in the transaction that linked the payment intent, under its lock.
    """
    if not payment_intent_id:
        return 0
    waiting = StripeEvent.objects.select_for_update(of=("self",)).filter(
        status=StripeEventStatus.DEFERRED, waiting_for=payment_intent_id
    )
    ran = 0
    for event in waiting.order_by("stripe_created", "pk"):
        event.status = StripeEventStatus.DONE
        event.error = ""
        try:
            with transaction.atomic(), stripe_event(event):
                HANDLERS[event.type](event)
        except (PermanentEventError, DataError) as exc:
            # That event can never apply; the payment that released it still does.
            event.status = StripeEventStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.permanent_failure = True
        event.waiting_for = ""
        event.processed_at = timezone.now()
        event.save(
            update_fields=["status", "waiting_for", "error", "processed_at", "permanent_failure"]
        )
        ran += 1
    return ran
