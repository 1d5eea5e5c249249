"""Bank deposits of offline gifts (cash, cheques, transfers), entered line by line."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models.common import choices_check, currency_check
from donations.models.donors import Campaign, Donor
from donations.models.gifts import DonationSource
from donations.money import Money


class DepositStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")


class Deposit(models.Model):
    """A deposit slip: its date, total and count are typed first; the lines must add up to
    them before the deposit is posted (which makes the gifts and their receipts)."""

    deposited_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text=_("The slip's number."))
    currency = models.CharField(max_length=3)
    expected_total_minor = models.BigIntegerField()
    expected_count = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=DepositStatus.choices, default=DepositStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_total_minor__gt=0), name="deposit_total_positive"
            ),
            models.CheckConstraint(
                condition=Q(expected_count__gt=0), name="deposit_count_positive"
            ),
            currency_check("currency", "deposit_currency_code"),
            choices_check("status", DepositStatus, "deposit_status_valid"),
            models.CheckConstraint(
                condition=(Q(status=DepositStatus.OPEN) & Q(posted_at__isnull=True))
                | (Q(status=DepositStatus.POSTED) & Q(posted_at__isnull=False)),
                name="deposit_posted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Deposit {self.deposited_on} {self.expected_total}"

    @property
    def expected_total(self) -> Money:
        return Money(self.expected_total_minor, self.currency)

    @property
    def is_open(self) -> bool:
        return self.status == DepositStatus.OPEN


class DepositLine(models.Model):
    """One gift of an open deposit, before posting turns it into a ``Donation``."""

    deposit = models.ForeignKey(Deposit, on_delete=models.CASCADE, related_name="lines")
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=DonationSource.choices)
    amount_minor = models.BigIntegerField()
    cheque_number = models.CharField(max_length=40, blank=True)
    cheque_bank = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("pk",)
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0), name="deposit_line_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    source__in=[
                        DonationSource.CASH,
                        DonationSource.CHEQUE,
                        DonationSource.BANK_TRANSFER,
                    ]
                ),
                name="deposit_line_source_banked",
            ),
            models.CheckConstraint(
                condition=~Q(source=DonationSource.CHEQUE) | ~Q(cheque_number=""),
                name="deposit_line_cheque_numbered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.amount_minor}"
