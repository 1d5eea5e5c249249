"""Donations (one gift, one payment) and recurring gifts (a Stripe subscription).

Amounts are integer minor units of an ISO 4217 currency, as Stripe counts them (USD 25.00 is
2500, JPY 3000 is 3000, KWD 10.000 is 10000); ``donations.money`` converts and formats them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import limits
from donations.models.common import (
    STRIPE_ID_LENGTH,
    choices_check,
    currency_check,
    unique_when_set,
)
from donations.models.donors import Campaign, Donor
from donations.money import Money, MoneyError


def _describe(minor: int, currency: str) -> str:
    """ "25.00 USD"; never fails, even on a row the admin has not saved yet."""
    try:
        return str(Money(minor, currency))
    except (MoneyError, TypeError):
        return f"{minor} {currency} (minor units)"


class GiftInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class TributeType(models.TextChoices):
    NONE = "none", _("None")
    IN_HONOUR = "honour", _("In honour of")
    IN_MEMORY = "memory", _("In memory of")


def dedication_text(tribute_type: str, name: str) -> str:
    """A gift's dedication for people: "In memory of Rosa Alvarez", "In honour of ...", or ""."""
    if not name or tribute_type == TributeType.NONE:
        return ""
    if tribute_type == TributeType.IN_MEMORY:
        return gettext("In memory of %(name)s") % {"name": name}
    return gettext("In honour of %(name)s") % {"name": name}


def tribute_named_check(name: str) -> models.CheckConstraint:
    """A tribute names someone; no tribute, no name."""
    return models.CheckConstraint(
        condition=(Q(tribute_type=TributeType.NONE) & Q(tribute_name=""))
        | (~Q(tribute_type=TributeType.NONE) & ~Q(tribute_name="")),
        name=name,
    )


def fee_covered_check(name: str) -> models.CheckConstraint:
    """The fee cover is part of the amount, never all of it."""
    return models.CheckConstraint(
        condition=Q(fee_covered_minor__gte=0) & Q(fee_covered_minor__lt=F("amount_minor")),
        name=name,
    )


class RecurringStatus(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due")
    CANCELLED = "cancelled", _("Cancelled")
    # The donor left the checkout: it expired before a subscription was made.
    ABANDONED = "abandoned", _("Checkout abandoned")


class RemembersLoadedValues(models.Model):
    """Keeps the values a row had when it was loaded (Django's documented ``from_db``
    recipe), so the system's changes to it can be audited with their old values
    (donations.services.system_audit). None for a row made in this process."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        **kwargs: Any,
    ) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def loaded_values(self) -> dict[str, Any] | None:
        return getattr(self, "_loaded_values", None)

    def remember_loaded_values(self) -> None:
        self._loaded_values = {
            field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields
        }


class RecurringGift(RemembersLoadedValues):
    """A monthly (or yearly) gift, mirroring one Stripe subscription.

    Each paid invoice of the subscription becomes its own ``Donation``.
    """

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_gifts")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recurring_gifts",
    )
    amount_minor = models.BigIntegerField(help_text=_("Each instalment, in minor units."))
    currency = models.CharField(max_length=3)
    interval = models.CharField(
        max_length=10, choices=GiftInterval.choices, default=GiftInterval.MONTH
    )
    status = models.CharField(
        max_length=20, choices=RecurringStatus.choices, default=RecurringStatus.INCOMPLETE
    )
    # Empty only until Stripe has made the subscription.
    stripe_subscription_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    stripe_customer_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True, db_index=True)
    checkout_session_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    # What each instalment copies from the donor's choices on the donation page.
    fee_covered_minor = models.BigIntegerField(
        default=0, help_text=_("The part of each instalment that covers the card fee.")
    )
    tribute_type = models.CharField(
        max_length=10, choices=TributeType.choices, default=TributeType.NONE
    )
    tribute_name = models.CharField(max_length=200, blank=True)
    # Who to tell of the dedication, and where (a name and postal address), if the donor
    # asked: the coordinator posts them an acknowledgement letter (without the amount).
    tribute_notify = models.TextField(max_length=limits.ADDRESS, blank=True)
    anonymous = models.BooleanField(default=False)
    # Which shared link brought the gift ("whatsapp", "qr", a newsletter's utm_source).
    referral = models.CharField(max_length=40, blank=True, default="")
    # Stripe's own subscription status and when the event that told us was created: a later
    # "customer.subscription.updated" wins, an older one delivered late does not.
    stripe_status = models.CharField(max_length=30, blank=True)
    stripe_status_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checkout_expired_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the Stripe checkout expired unfinished.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="recurring_amount_positive"
            ),
            fee_covered_check("recurring_fee_covered_within_amount"),
            choices_check("tribute_type", TributeType, "recurring_tribute_type_valid"),
            currency_check("currency", "recurring_currency_code"),
            choices_check("interval", GiftInterval, "recurring_interval_valid"),
            choices_check("status", RecurringStatus, "recurring_status_valid"),
            tribute_named_check("recurring_tribute_named"),
            unique_when_set("stripe_subscription_id", "recurring_unique_subscription"),
            unique_when_set("checkout_session_id", "recurring_unique_checkout_session"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="recurring_status_idx")]

    def __str__(self) -> str:
        return f"{_describe(self.amount_minor, self.currency)} every {self.interval}"

    @property
    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def dedication(self) -> str:
        """ "In memory of Rosa Alvarez", or "" (in the active language)."""
        return dedication_text(self.tribute_type, self.tribute_name)


class DonationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    DISPUTED = "disputed", _("Disputed")
    DISPUTE_LOST = "dispute_lost", _("Dispute lost")
    DISPUTE_WON = "dispute_won", _("Dispute won")
    # The donor left the checkout: it expired without a payment. Not a gift.
    ABANDONED = "abandoned", _("Checkout abandoned")


class DisputeStatus(models.TextChoices):
    """A card dispute (chargeback), kept apart from refunds: both can happen to one gift."""

    NONE = "", _("No dispute")
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DonationSource(models.TextChoices):
    """Where a gift came from. Offline sources (cash, cheque, transfer) come with receipts."""

    STRIPE = "stripe", _("Card (Stripe)")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    IN_KIND = "in_kind", _("In kind")
    IMPORT = "import", _("Imported (CSV)")
    STRIPE_OUTSIDE = "stripe_outside", _("Stripe, outside the donate page")


# Card payments through Stripe: from our donate page, or made in Stripe itself.
CARD_SOURCES: tuple[str, ...] = (DonationSource.STRIPE, DonationSource.STRIPE_OUTSIDE)

# Sources a coordinator enters by hand (the deposit batch takes all but in-kind).
OFFLINE_SOURCES: tuple[str, ...] = (
    DonationSource.CASH,
    DonationSource.CHEQUE,
    DonationSource.BANK_TRANSFER,
    DonationSource.IN_KIND,
)


class Donation(RemembersLoadedValues):
    """One gift and its payment: amount, currency, status and the Stripe objects behind it.

    ``amount_minor`` is what the donor paid, including ``fee_covered_minor`` when they chose to
    cover the card fee. ``refunded_minor`` is the total refunded so far (never more than the
    amount). Each Stripe id is unique where set, so a webhook delivered twice finds the same
    donation instead of making another.
    """

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="donations")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="donations"
    )
    recurring_gift = models.ForeignKey(
        RecurringGift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    amount_minor = models.BigIntegerField(help_text=_("In minor units, fee cover included."))
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=DonationStatus.choices, default=DonationStatus.PENDING
    )
    source = models.CharField(
        max_length=20, choices=DonationSource.choices, default=DonationSource.STRIPE
    )
    refunded_minor = models.BigIntegerField(default=0)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When Stripe told us the payment failed.")
    )
    checkout_expired_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the Stripe checkout expired unpaid.")
    )
    dispute_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    dispute_status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.NONE, blank=True
    )
    disputed_minor = models.BigIntegerField(default=0)
    fee_covered_minor = models.BigIntegerField(
        default=0, help_text=_("The part of the amount the donor added to cover the card fee.")
    )
    tribute_type = models.CharField(
        max_length=10, choices=TributeType.choices, default=TributeType.NONE
    )
    tribute_name = models.CharField(max_length=200, blank=True)
    # Who to tell of the dedication, and where (a name and postal address), if the donor
    # asked: the coordinator posts them an acknowledgement letter (without the amount).
    tribute_notify = models.TextField(max_length=limits.ADDRESS, blank=True)
    anonymous = models.BooleanField(default=False)
    # Which shared link brought the gift ("whatsapp", "qr", a newsletter's utm_source).
    referral = models.CharField(max_length=40, blank=True, default="")
    checkout_session_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    payment_intent_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    charge_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    invoice_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    subscription_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True, db_index=True)
    customer_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    stripe_created = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When Stripe created the invoice or session: orders a monthly gift's payments."
        ),
    )
    # Offline gifts (entered by a coordinator): a cheque's number and bank, an in-kind gift's
    # description (its amount is the fair value), the deposit it was banked with, who entered it.
    cheque_number = models.CharField(max_length=40, blank=True)
    cheque_bank = models.CharField(max_length=100, blank=True)
    in_kind_description = models.CharField(max_length=500, blank=True)
    deposit = models.ForeignKey(
        "donations.Deposit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What reached the organisation, in the currency it was settled in: for a card gift the
    # sums of its Stripe balance transactions (donations.models.settlement), for an offline gift
    # in a currency other than the reporting one the amount received (no fee). Empty currency:
    # not known yet (an offline gift in the reporting currency needs none: it is its amount).
    settlement_currency = models.CharField(max_length=3, blank=True, default="")
    settled_gross_minor = models.BigIntegerField(null=True, blank=True)
    settled_fee_minor = models.BigIntegerField(null=True, blank=True)
    settled_net_minor = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="donation_amount_positive"
            ),
            currency_check("settlement_currency", "donation_settlement_currency", optional=True),
            models.CheckConstraint(
                condition=Q(settlement_currency="")
                | Q(settled_net_minor=F("settled_gross_minor") - F("settled_fee_minor")),
                name="donation_settled_net_is_gross_less_fee",
            ),
            models.CheckConstraint(
                condition=~Q(source=DonationSource.CHEQUE) | ~Q(cheque_number=""),
                name="donation_cheque_numbered",
            ),
            models.CheckConstraint(
                condition=~Q(source=DonationSource.IN_KIND) | ~Q(in_kind_description=""),
                name="donation_in_kind_described",
            ),
            currency_check("currency", "donation_currency_code"),
            choices_check("status", DonationStatus, "donation_status_valid"),
            choices_check("source", DonationSource, "donation_source_valid"),
            choices_check("dispute_status", DisputeStatus, "donation_dispute_status_valid"),
            choices_check("tribute_type", TributeType, "donation_tribute_type_valid"),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0) & Q(refunded_minor__lte=F("amount_minor")),
                name="donation_refunded_within_amount",
            ),
            fee_covered_check("donation_fee_covered_within_amount"),
            tribute_named_check("donation_tribute_named"),
            unique_when_set("checkout_session_id", "donation_unique_checkout_session"),
            unique_when_set("payment_intent_id", "donation_unique_payment_intent"),
            unique_when_set("charge_id", "donation_unique_charge"),
            unique_when_set("invoice_id", "donation_unique_invoice"),
        ]
        # The coordinators' list filters by date, status, campaign (the foreign key's own
        # index) and currency, newest first.
        indexes = [
            models.Index(fields=["-created_at"], name="donation_created_idx"),
            # The gift's date in lists and reports: paid, else made (donations.selectors.gifts).
            models.Index(
                Coalesce("paid_at", "created_at").desc(),
                F("id").desc(),
                name="donation_gift_at_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="donation_status_idx"),
            models.Index(fields=["currency", "-created_at"], name="donation_currency_idx"),
        ]

    def __str__(self) -> str:
        return f"{_describe(self.amount_minor, self.currency)} ({self.get_status_display()})"

    @property
    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def dedication(self) -> str:
        """ "In memory of Rosa Alvarez", or "" (in the active language)."""
        return dedication_text(self.tribute_type, self.tribute_name)

    @property
    def refunded(self) -> Money:
        return Money(self.refunded_minor, self.currency)

    @property
    def net_minor(self) -> int:
        """What we keep: the amount less refunds (an in-kind gift: its fair value)."""
        return self.amount_minor - self.refunded_minor

    @property
    def net(self) -> Money:
        return Money(self.net_minor, self.currency)

    @property
    def settled_gross(self) -> Money | None:
        if not self.settlement_currency or self.settled_gross_minor is None:
            return None
        return Money(self.settled_gross_minor, self.settlement_currency)

    @property
    def settled_fee(self) -> Money | None:
        if not self.settlement_currency or self.settled_fee_minor is None:
            return None
        return Money(self.settled_fee_minor, self.settlement_currency)

    @property
    def settled_net(self) -> Money | None:
        if not self.settlement_currency or self.settled_net_minor is None:
            return None
        return Money(self.settled_net_minor, self.settlement_currency)
