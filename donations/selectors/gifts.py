"""Reads that giving pages share, with the joins and sums that keep their query counts flat."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from django.db.models import (
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.dates import org_midnight
from core.search import words_match
from donations.models import (
    Campaign,
    Donation,
    DonationStatus,
    RecurringGift,
    RecurringStatus,
    StripeEvent,
)
from donations.models.gifts import dedication_text
from donations.money import Money, from_minor

# A gift's date: when it was paid, or, until then, when it was made.
GIFT_AT: Final = Coalesce("paid_at", "created_at")

# Checkouts not finished: still open, or left to expire. Not gifts: lists of gifts leave them
# out unless asked for them by status.
UNFINISHED: Final = (DonationStatus.PENDING, DonationStatus.ABANDONED)

# Gifts whose money we hold: paid, less what was refunded (a refunded gift counts 0). An open
# or lost dispute has taken the money back, so those gifts do not count.
COUNTED_STATUSES: Final = (
    DonationStatus.PAID,
    DonationStatus.PARTIALLY_REFUNDED,
    DonationStatus.REFUNDED,
    DonationStatus.DISPUTE_WON,
)


@dataclass(frozen=True, slots=True)
class Progress:
    """A campaign's money received against its goal (both in the goal's currency)."""

    raised: Money | None
    goal: Money | None
    gifts: int

    @property
    def percent(self) -> int:
        """Whole percent of the goal reached, capped at 100 for a progress bar."""
        if self.goal is None or self.raised is None:
            return 0
        return min(100, self.raised.minor * 100 // self.goal.minor)


def _counted(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": COUNTED_STATUSES})


def _progress_annotations(prefix: str) -> dict[str, Coalesce | Count]:
    """``raised_minor`` and ``counted_gifts`` of a campaign in its goal currency."""
    in_goal_currency = _counted(prefix) & Q(**{f"{prefix}currency": F("goal_currency")})
    return {
        "raised_minor": Coalesce(
            Sum(
                F(f"{prefix}amount_minor") - F(f"{prefix}refunded_minor"),
                filter=in_goal_currency,
            ),
            Value(0),
            output_field=IntegerField(),
        ),
        "counted_gifts": Count(f"{prefix}pk", filter=in_goal_currency),
    }


def progress_of(campaign: Campaign) -> Progress:
    """The progress of a campaign annotated by ``campaigns_with_progress`` or
    ``public_campaign`` (no query)."""
    if not campaign.goal_currency or campaign.goal_minor is None:
        return Progress(raised=None, goal=None, gifts=getattr(campaign, "counted_gifts", 0))
    raised: int = getattr(campaign, "raised_minor", 0)
    return Progress(
        raised=Money(raised, campaign.goal_currency),
        goal=Money(campaign.goal_minor, campaign.goal_currency),
        gifts=getattr(campaign, "counted_gifts", 0),
    )


def campaigns_with_progress() -> QuerySet[Campaign]:
    """Every campaign with ``raised_minor`` and ``counted_gifts`` (see ``progress_of``)."""
    return Campaign.objects.annotate(**_progress_annotations("donations__")).order_by(
        "-active", "name", "pk"
    )


def public_campaign(slug: str) -> Campaign | None:
    """An active public campaign by slug, with its progress, in one query."""
    return (
        Campaign.objects.filter(slug=slug, public=True, active=True)
        .annotate(**_progress_annotations("donations__"))
        .first()
    )


def donation_list(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    campaign: Campaign | None = None,
    status: str = "",
    currency: str = "",
    search: str = "",
) -> QuerySet[Donation]:
    """Donations for the coordinators' list, newest first, filtered and searched.

    A gift's date (``gift_at``) is when it was paid, or when it was made while unpaid, so an
    imported or late-entered gift sorts and filters by its own date, not the day it was
    typed in (an expression index covers it). Dates are days in the organisation's time
    zone, both included. Unfinished checkouts (``UNFINISHED``) are listed only when the
    status filter asks for them. The search matches part of the donor's name or e-mail, or of
    the name a gift is dedicated to, or a whole Stripe id.
    """
    gifts = Donation.objects.select_related("donor", "campaign", "recurring_gift").annotate(
        gift_at=GIFT_AT
    )
    if date_from is not None:
        gifts = gifts.filter(gift_at__gte=org_midnight(date_from))
    if date_to is not None:
        gifts = gifts.filter(gift_at__lt=org_midnight(date_to + timedelta(days=1)))
    if campaign is not None:
        gifts = gifts.filter(campaign=campaign)
    gifts = gifts.filter(status=status) if status else gifts.exclude(status__in=UNFINISHED)
    if currency:
        gifts = gifts.filter(currency=currency)
    text = search.strip()
    if text:
        gifts = gifts.filter(
            words_match(text, "donor__name", "donor__email")
            | words_match(text, "tribute_name")
            | Q(checkout_session_id=text)
            | Q(payment_intent_id=text)
            | Q(charge_id=text)
            | Q(invoice_id=text)
            | Q(subscription_id=text)
            | Q(customer_id=text)
            | Q(dispute_id=text)
        )
    return gifts.order_by(GIFT_AT.desc(), "-pk")


def recurring_gift_list(*, status: str = "") -> QuerySet[RecurringGift]:
    """Monthly gifts, newest first; abandoned checkouts only when the filter asks for them."""
    gifts = RecurringGift.objects.select_related("donor", "campaign")
    if status:
        gifts = gifts.filter(status=status)
    else:
        gifts = gifts.exclude(status=RecurringStatus.ABANDONED)
    return gifts.order_by("-created_at", "-pk")


def stripe_event_list(*, status: str = "", event_type: str = "") -> QuerySet[StripeEvent]:
    """The events log, newest first, without the payloads (the admin shows those)."""
    events = StripeEvent.objects.defer("payload")
    if status:
        events = events.filter(status=status)
    if event_type:
        events = events.filter(type=event_type)
    return events.order_by("-received_at", "-pk")


def stripe_event_types() -> list[str]:
    """The event types seen so far, for the log's filter."""
    return list(StripeEvent.objects.order_by("type").values_list("type", flat=True).distinct())


def gift_status_by_session(session_id: str) -> Donation | RecurringGift | None:
    """The gift a Checkout Session was made for (for the thank-you page), if any."""
    if not session_id:
        return None
    donation = Donation.objects.filter(checkout_session_id=session_id).first()
    if donation is not None:
        return donation
    return RecurringGift.objects.filter(checkout_session_id=session_id).first()


def gift_export() -> tuple[list[str], Iterator[list[Any]]]:
    """Every gift but unfinished checkouts, oldest first, as CSV header and rows (streamed
    from the database in chunks): amounts in major units of their currency."""
    gifts = (
        Donation.objects.exclude(status__in=UNFINISHED)
        .order_by("paid_at", "pk")
        .values_list(
            "pk",
            "paid_at",
            "donor_id",
            "donor__name",
            "donor__email",
            "amount_minor",
            "refunded_minor",
            "currency",
            "status",
            "source",
            "campaign__slug",
            "recurring_gift_id",
            "anonymous",
            "tribute_type",
            "tribute_name",
            "tribute_notify",
        )
        .iterator(chunk_size=1000)
    )
    header = [
        "id",
        "date",
        "donor_id",
        "donor_name",
        "donor_email",
        "amount",
        "refunded",
        "net",
        "currency",
        "status",
        "source",
        "campaign",
        "recurring_gift_id",
        "anonymous",
        "dedication",
        "dedication_notify",
    ]
    rows = (
        [
            pk,
            paid_at.isoformat() if paid_at else "",
            donor_id,
            name,
            email,
            from_minor(amount, currency),
            from_minor(refunded, currency),
            from_minor(amount - refunded, currency),
            currency,
            status,
            source,
            campaign or "",
            recurring or "",
            anonymous,
            dedication_text(tribute_type, tribute_name),
            notify,
        ]
        for (
            pk,
            paid_at,
            donor_id,
            name,
            email,
            amount,
            refunded,
            currency,
            status,
            source,
            campaign,
            recurring,
            anonymous,
            tribute_type,
            tribute_name,
            notify,
        ) in gifts
    )
    return header, rows
