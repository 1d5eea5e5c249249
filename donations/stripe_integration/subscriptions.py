"""What donors change themselves in the donor portal: cancelling a monthly gift, their
details and communication preferences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from donations.message_kinds import RECURRING_CANCELLED
from donations.models import RecurringGift, RecurringStatus
from donations.money import format_money
from donations.services.gift_status import recurring_status
from donations.stripe_integration import client as stripe_client
from notifications.services import enqueue_message

CANCELLED_KIND = RECURRING_CANCELLED.name


def cancel_idempotency_key(gift: RecurringGift) -> str:
    """One cancel request per recurring gift, whoever clicks and however often."""
    return f"cancel-recurring-{gift.pk}"


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    gift: RecurringGift
    already_cancelled: bool


def cancel_recurring_gift(*, gift: RecurringGift) -> CancelOutcome:
    """Stop a monthly gift: cancel its Stripe subscription, then record it in the ledger.

    Stripe is called first, outside any transaction and lock (a network call must not hold a
    row lock), with the idempotency key ``cancel-recurring-<pk>``, so repeats are harmless.
    Then, under the gift's lock, ``cancelled_at`` is set as the ledger does (the earliest
    time wins) and the status is derived by ``recurring_status``. The later
    ``customer.subscription.deleted`` webhook then finds the gift cancelled already and
    changes nothing. In offline test mode (no Stripe key) or for a gift Stripe never made a
    subscription for, the cancellation is local only. Raises
    ``stripe_client.StripeUnavailable`` when Stripe fails (nothing is recorded).
    """
    if gift.cancelled_at is not None:
        return CancelOutcome(gift=gift, already_cancelled=True)
    stripe_status = "canceled"
    cancelled_at = timezone.now()
    if stripe_client.is_configured() and gift.stripe_subscription_id:
        answer = stripe_client.cancel_subscription(
            subscription_id=gift.stripe_subscription_id,
            idempotency_key=cancel_idempotency_key(gift),
        )
        stripe_status = answer.status or stripe_status
        if answer.canceled_at is not None:
            cancelled_at = datetime.fromtimestamp(answer.canceled_at, tz=UTC)
    with transaction.atomic():
        locked = (
            RecurringGift.objects.select_for_update(of=("self",))
            .select_related("donor")
            .get(pk=gift.pk)
        )
        if locked.cancelled_at is not None:
            return CancelOutcome(gift=locked, already_cancelled=True)
        now = timezone.now()
        locked.cancelled_at = cancelled_at
        if locked.stripe_status_at is None or now >= locked.stripe_status_at:
            locked.stripe_status = stripe_status
            locked.stripe_status_at = now
        instalments = list(locked.donations.exclude(invoice_id=""))
        locked.status = recurring_status(locked, instalments)
        locked.save()
        donor = locked.donor
        if donor.user is not None and locked.status == RecurringStatus.CANCELLED:
            enqueue_message(
                recipient=donor.user,
                kind=CANCELLED_KIND,
                dedupe_key=f"{CANCELLED_KIND}:{locked.pk}",
                context={
                    "amount": format_money(locked.money, donor.user.preferred_language),
                    "give_url": f"{settings.SITE_URL}{reverse('donations:donate')}",
                },
                essential=True,
            )
    return CancelOutcome(gift=locked, already_cancelled=False)
