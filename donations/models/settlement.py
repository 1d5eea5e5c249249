"""What Stripe actually moved: one row per balance transaction of a gift.

A card gift's charge lands in the Stripe account's balance as a *balance transaction* in the
account's settlement currency: the amount converted at Stripe's rate, Stripe's fee, and the
net. A refund or a dispute adds balance transactions of its own (negative amounts; a dispute
its fee, a won dispute the money back). Each is kept once (its Stripe id is unique), so the
gift's settled figures are sums over a set: the same whatever order and however often the
events that carried them arrived.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models.common import STRIPE_ID_LENGTH, choices_check, currency_check
from donations.models.gifts import Donation


class SettlementKind(models.TextChoices):
    CHARGE = "charge", _("Payment")
    REFUND = "refund", _("Refund")
    DISPUTE = "dispute", _("Dispute")
    OTHER = "other", _("Other")


class BalanceTransaction(models.Model):
    """One Stripe balance transaction of a gift, in the account's settlement currency.

    ``amount_minor`` and ``net_minor`` are signed as Stripe signs them (a refund is
    negative); ``fee_minor`` is what Stripe kept (negative when a fee is given back).
    ``net_minor == amount_minor - fee_minor`` always.
    """

    donation = models.ForeignKey(
        Donation, on_delete=models.PROTECT, related_name="balance_transactions"
    )
    stripe_id = models.CharField(max_length=STRIPE_ID_LENGTH, unique=True)
    kind = models.CharField(max_length=10, choices=SettlementKind.choices)
    # The charge, refund or dispute it belongs to (ch_..., re_..., dp_...).
    source_id = models.CharField(max_length=STRIPE_ID_LENGTH, blank=True)
    amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField()
    net_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # Stripe's rate from the gift's currency to the settlement currency (None: no conversion).
    exchange_rate = models.DecimalField(max_digits=24, decimal_places=12, null=True, blank=True)
    stripe_created = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("stripe_created", "pk")
        constraints = [
            currency_check("currency", "balance_transaction_currency_code"),
            choices_check("kind", SettlementKind, "balance_transaction_kind_valid"),
            models.CheckConstraint(
                condition=Q(net_minor=models.F("amount_minor") - models.F("fee_minor")),
                name="balance_transaction_net_is_amount_less_fee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_id} {self.amount_minor} {self.currency}"
