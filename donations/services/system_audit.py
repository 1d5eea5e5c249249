"""What the system changes on its own, audited with no actor (``AuditEntry.actor`` empty
means the system): gifts and monthly gifts changed by a Stripe webhook, with the event's
id in the entry. The webhook's handlers run inside ``stripe_event`` (set by the intake and
by the ledger's ``run_deferred``), so whatever they audit names the event that caused it.

A gift's values as loaded from the database are kept on the instance
(``donations.models.gifts.RemembersLoadedValues``); ``save_from_stripe`` compares them
with the values just saved and writes one entry when an audited field changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from accounts.services import audit
from donations.models import Donation, Donor, RecurringGift, StripeEvent

_current_event: ContextVar[tuple[str, str] | None] = ContextVar("stripe_event", default=None)


@contextmanager
def stripe_event(event: StripeEvent) -> Iterator[None]:
    """Everything audited inside names ``event`` (its Stripe id and type)."""
    token = _current_event.set((event.event_id, event.type))
    try:
        yield
    finally:
        _current_event.reset(token)


def event_data() -> dict[str, str]:
    """``{"stripe_event": <id>, "stripe_event_type": <type>}`` inside a webhook, else {}."""
    current = _current_event.get()
    if current is None:
        return {}
    return {"stripe_event": current[0], "stripe_event_type": current[1]}


# What a webhook may change about a gift that the audit trail records.
DONATION_AUDITED_FIELDS = (
    "amount_minor",
    "currency",
    "status",
    "paid_at",
    "failed_at",
    "checkout_expired_at",
    "refunded_minor",
    "disputed_minor",
    "dispute_status",
)
# A monthly gift changed by an event (amount, currency, interval, status, cancellation, an
# abandoned checkout) is audited once by its handler (donations.stripe_integration.
# ledger_monthly, which sees the values before the event); here, only its creation.
RECURRING_CREATED_FIELDS = ("amount_minor", "currency", "interval", "status", "stripe_status")
RECURRING_AUDITED_FIELDS: tuple[str, ...] = ()


def _donation_action(changes: dict[str, list[object]], created: bool) -> str:
    if created:
        return "donations.donation.created_by_stripe"
    for field, action in (
        ("refunded_minor", "donations.donation.refunded"),
        ("dispute_status", "donations.donation.disputed"),
        ("disputed_minor", "donations.donation.disputed"),
        ("paid_at", "donations.donation.paid"),
        ("failed_at", "donations.donation.payment_failed"),
        ("checkout_expired_at", "donations.donation.checkout_expired"),
    ):
        if field in changes:
            return action
    return "donations.donation.changed_by_stripe"


def recurring_action(changes: dict[str, list[object]], created: bool) -> str:
    if created:
        return "donations.recurring.created_by_stripe"
    if "cancelled_at" in changes:
        return "donations.recurring.cancelled_by_stripe"
    return "donations.recurring.changed_by_stripe"


def save_from_stripe(instance: Donation | RecurringGift) -> None:
    """Save a gift the webhook changed and audit what changed, as the system (in the
    caller's transaction); then remember the saved values, so a second save audits only
    what changed since."""
    instance.save()
    loaded = instance.loaded_values
    created = loaded is None
    fields: tuple[str, ...]
    if isinstance(instance, Donation):
        fields = DONATION_AUDITED_FIELDS
        action_for = _donation_action
    else:
        fields = RECURRING_CREATED_FIELDS if created else RECURRING_AUDITED_FIELDS
        action_for = recurring_action
    before = {} if loaded is None else {field: loaded.get(field) for field in fields}
    changes = audit.changed_fields(before, audit.snapshot(instance, fields))
    instance.remember_loaded_values()
    if not changes:
        return
    data: dict[str, object] = {"currency": instance.currency, **event_data()}
    if isinstance(instance, Donation) and instance.recurring_gift_id is not None:
        data["recurring_gift"] = instance.recurring_gift_id
    audit.record(
        action_for(changes, created),
        actor=None,
        subject=Donor.objects.filter(pk=instance.donor_id)
        .values_list("user_id", flat=True)
        .first(),
        obj=instance,
        changes=changes,
        data=data,
    )
