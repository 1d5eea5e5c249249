"""What donors change themselves in the donor portal: cancelling a monthly gift and
changing its amount; and the amount a subscription event carries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.services.audit import changed_fields, record, snapshot
from donations.message_kinds import RECURRING_AMOUNT_CHANGED, RECURRING_CANCELLED
from donations.models import RecurringGift, RecurringStatus
from donations.money import Money, check_maximum, check_minimum, format_money
from donations.services.gift_status import recurring_status
from donations.stripe_integration import client as stripe_client
from donations.stripe_integration.payload import JSON, subscription_amount
from notifications.services import enqueue_message

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CANCELLED_KIND = RECURRING_CANCELLED.name
AMOUNT_CHANGED_KIND = RECURRING_AMOUNT_CHANGED.name


def cancel_idempotency_key(gift: RecurringGift) -> str:
    """One cancel request per recurring gift, whoever clicks and however often."""
    return f"cancel-recurring-{gift.pk}"


# What a cancellation's audit entry compares.
CANCEL_AUDITED = ("cancelled_at", "status", "stripe_status")


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    gift: RecurringGift
    already_cancelled: bool


def cancel_recurring_gift(*, gift: RecurringGift, by: User | None = None) -> CancelOutcome:
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
        before = snapshot(locked, CANCEL_AUDITED)
        now = timezone.now()
        locked.cancelled_at = cancelled_at
        if locked.stripe_status_at is None or now >= locked.stripe_status_at:
            locked.stripe_status = stripe_status
            locked.stripe_status_at = now
        instalments = list(locked.donations.exclude(invoice_id=""))
        locked.status = recurring_status(locked, instalments)
        locked.save()
        donor = locked.donor
        record(
            "donations.recurring.cancelled",
            actor=by,  # the donor in their portal; None for the system
            subject=donor.user_id,
            obj=locked,
            changes=changed_fields(before, snapshot(locked, CANCEL_AUDITED)),
            data={"currency": locked.currency, "stripe": bool(locked.stripe_subscription_id)},
        )
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


def take_subscription_amount(gift: RecurringGift, sub: JSON) -> bool:
    """Set ``gift``'s instalment to what the subscription ``sub`` charges (not saved).

    The caller holds the gift's lock and has decided ``sub`` is the newest state it knows
    (as for the status). An amount in another currency than the gift's, or none we can
    read, changes nothing. A new amount drops the part that covered the card fee (the
    donor chose a whole new amount). True when the amount changed.
    """
    found = subscription_amount(sub)
    if found is None:
        return False
    minor, currency = found
    if currency != gift.currency:
        logger.warning(
            "subscription %s is now in %s, not %s",
            gift.stripe_subscription_id,
            currency,
            gift.currency,
        )
        return False
    if minor == gift.amount_minor:
        return False
    gift.amount_minor = minor
    gift.fee_covered_minor = 0
    return True


def change_idempotency_key(gift: RecurringGift, amount: Money) -> str:
    """One update request per gift state and new amount: a double click sends the same
    request; changing back and forth later sends new ones (the state has moved on)."""
    stamp = int(gift.updated_at.timestamp() * 1_000_000)
    return f"change-recurring-{gift.pk}-{stamp}-{amount.minor}"


def check_new_amount(*, gift: RecurringGift, amount: Money) -> None:
    """Refuse a new instalment that cannot be: for a stopped gift, in another currency,
    the same as now, under the card minimum or over the largest charge (``ValidationError``
    with a message for the donor)."""
    if gift.cancelled_at is not None or gift.status not in (
        RecurringStatus.ACTIVE,
        RecurringStatus.PAST_DUE,
    ):
        raise ValidationError(
            gettext("Only a running monthly gift can change its amount."), code="not_running"
        )
    if amount.currency != gift.currency:
        raise ValidationError(
            gettext("The amount must be in %(currency)s."),
            params={"currency": gift.currency},
            code="currency",
        )
    if amount.minor == gift.amount_minor:
        raise ValidationError(
            gettext("This is already your amount: type a different one."), code="same"
        )
    check_minimum(amount)
    check_maximum(amount)


def change_recurring_amount(*, gift: RecurringGift, amount: Money, by: User) -> RecurringGift:
    """The donor changes the instalment of their running monthly gift to ``amount``.

    Stripe first, outside any lock (``update_subscription_amount``: the same product at the
    new price, no proration: nothing is charged today, the next invoice is the new amount),
    with a key naming this change. Then, under the gift's lock, the amount Stripe answered
    is recorded with Stripe's status (so an older subscription event delivered late cannot
    put the old amount back), an audit entry and a confirmation e-mail, in one transaction.
    The ``customer.subscription.updated`` event that follows finds the same amount and
    changes nothing. In offline test mode, or for a gift Stripe never made a subscription
    for, the change is local. Raises ``ValidationError`` (``check_new_amount``) or
    ``stripe_client.StripeUnavailable`` (nothing is recorded).
    """
    check_new_amount(gift=gift, amount=amount)
    answer = None
    if stripe_client.is_configured() and gift.stripe_subscription_id:
        answer = stripe_client.update_subscription_amount(
            subscription_id=gift.stripe_subscription_id,
            amount=amount,
            interval=gift.interval,
            idempotency_key=change_idempotency_key(gift, amount),
        )
    with transaction.atomic():
        locked = (
            RecurringGift.objects.select_for_update(of=("self",))
            .select_related("donor", "donor__user")
            .get(pk=gift.pk)
        )
        before = {
            "amount_minor": locked.amount_minor,
            "fee_covered_minor": locked.fee_covered_minor,
        }
        old = locked.money
        if answer is None:
            locked.amount_minor, locked.fee_covered_minor = amount.minor, 0
        else:
            if not take_subscription_amount(locked, answer.data):
                # Stripe's answer always carries the new price; say so if it did not.
                logger.warning("subscription %s answered without the new amount", answer.id)
                locked.amount_minor, locked.fee_covered_minor = amount.minor, 0
            locked.stripe_status = answer.status or locked.stripe_status
        # The newest state we know: an older subscription event delivered later loses.
        locked.stripe_status_at = timezone.now()
        locked.save()
        after = {"amount_minor": locked.amount_minor, "fee_covered_minor": locked.fee_covered_minor}
        entry = record(
            "donations.recurring.amount_changed",
            actor=by,
            subject=locked.donor.user_id,
            obj=locked,
            changes=changed_fields(before, after),
            data={"currency": locked.currency, "stripe": answer is not None},
        )
        user = locked.donor.user
        if user is not None:
            enqueue_message(
                recipient=user,
                kind=AMOUNT_CHANGED_KIND,
                dedupe_key=f"{AMOUNT_CHANGED_KIND}:{locked.pk}:{entry.pk}",
                context={
                    "old_amount": format_money(old),
                    "new_amount": format_money(locked.money),
                    "portal_url": f"{settings.SITE_URL.rstrip('/')}{reverse('donations:home')}",
                },
                essential=True,
            )
    return locked
