"""Tax receipts (numbered without gaps per year) and the year-end statement runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from donations.models.common import choices_check, currency_check
from donations.models.gifts import Donation
from donations.money import Money


class ReceiptCounter(models.Model):
    """The next receipt number of one year: locked (``select_for_update``) while a receipt is
    numbered, so numbers are consecutive and never reused. A rolled-back receipt rolls its
    number back with it, so there are no gaps either."""

    year = models.PositiveIntegerField(primary_key=True)
    next_number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(next_number__gte=1), name="receipt_counter_positive")
        ]

    def __str__(self) -> str:
        return f"{self.year}: next {self.next_number}"


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    VOID = "void", _("Void")


class Receipt(models.Model):
    """One receipt for one gift: what was given (net of refunds) when it was issued.

    A refund in part voids the receipt and issues a replacement (``replaces``) for the net;
    a full refund or a lost dispute voids it. The donor's name and address are copied at
    issue, so the PDF made again later is the same document.
    """

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="receipts")
    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    prefix = models.CharField(max_length=20, blank=True)
    issued_at = models.DateTimeField()
    amount_minor = models.BigIntegerField(help_text=_("Net of refunds, in minor units."))
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=10)
    donor_name = models.CharField(max_length=200)
    donor_address = models.TextField(blank=True)
    campaign_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.ISSUED
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    times_sent = models.PositiveIntegerField(
        default=0, help_text=_("E-mails queued: the first, then each re-send.")
    )

    class Meta:
        ordering = ("-year", "-number")
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="receipt_unique_number"),
            # At most one receipt in force per gift.
            models.UniqueConstraint(
                fields=["donation"],
                condition=Q(status=ReceiptStatus.ISSUED),
                name="receipt_one_issued_per_donation",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="receipt_number_positive"),
            currency_check("currency", "receipt_currency_code"),
            choices_check("status", ReceiptStatus, "receipt_status_valid"),
            models.CheckConstraint(
                condition=(Q(status=ReceiptStatus.ISSUED) & Q(voided_at__isnull=True))
                | (Q(status=ReceiptStatus.VOID) & Q(voided_at__isnull=False)),
                name="receipt_void_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "-issued_at"], name="receipt_status_idx")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        """ "R2026-000042": the prefix, the year and the number."""
        return f"{self.prefix}{self.year}-{self.number:06d}"

    @property
    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @property
    def is_void(self) -> bool:
        return self.status == ReceiptStatus.VOID


class StatementRunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StatementRun(models.Model):
    """A coordinator's run of the year-end statements: one PDF (and e-mail) per donor."""

    year = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=StatementRunStatus.choices, default=StatementRunStatus.PENDING
    )
    total = models.PositiveIntegerField(default=0, help_text=_("Donors with gifts that year."))
    done = models.PositiveIntegerField(default=0)
    emailed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            choices_check("status", StatementRunStatus, "statement_run_status_valid"),
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="statement_run_done"),
            # One run at a time per year.
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status__in=[StatementRunStatus.PENDING, StatementRunStatus.RUNNING]),
                name="statement_run_one_active_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Statements {self.year} ({self.status}, {self.done}/{self.total})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == StatementRunStatus.DONE else 0
        return self.done * 100 // self.total

    @property
    def active(self) -> bool:
        return self.status in (StatementRunStatus.PENDING, StatementRunStatus.RUNNING)
