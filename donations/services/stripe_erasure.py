"""An erased donor's customer records at Stripe: queued by the erasure, cleared afterwards
(``stripe_integration.customer_erasure``).

The erasure is local and all or nothing; no network call is made inside its transaction.
It records one ``StripeCustomerErasure`` per Stripe customer of the donor and sends a task
once it commits. In offline test mode (no Stripe key) there is no customer at Stripe:
nothing is queued.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

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

ERASE_TASK = "donations.erase_stripe_customer"


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
    if not settings.STRIPE_SECRET_KEY:  # offline test mode
        return 0
    queued = 0
    for customer_id, donor_id in sorted(customers_of(donor.pk for donor in donors).items()):
        # A link keeps a later import of the Stripe account from making a new donor of the
        # customer (with the name and e-mail Stripe may still hold until it is cleared).
        StripeCustomerLink.objects.get_or_create(
            customer_id=customer_id, defaults={"donor_id": donor_id}
        )
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


def pending_erasures() -> QuerySet[StripeCustomerErasure]:
    return StripeCustomerErasure.objects.filter(status=StripeCustomerErasure.Status.PENDING)
