"""Fundraisers' own words for donors: tags, saved segments of the donor list, and the line
of impact text a suggested amount shows on the donate page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from donations.models.common import currency_check
from donations.money import Money

TAG_MAX = 40
SEGMENT_NAME_MAX = 80
SEGMENT_QUERY_MAX = 500
IMPACT_TEXT_MAX = 160


class DonorTag(models.Model):
    """A label on donors ("board", "gala 2026"); names are unique whatever their case."""

    name = models.CharField(_("tag"), max_length=TAG_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="donor_tag_name_unique_ci"),
            models.CheckConstraint(condition=~Q(name=""), name="donor_tag_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class DonorSegment(models.Model):
    """A filter of the donor list as its address query ("tag=3&lapsed=on"), under a name;
    shared by the fundraisers and resolved again each time it is used (donors change)."""

    name = models.CharField(_("name"), max_length=SEGMENT_NAME_MAX, unique=True)
    query = models.CharField(max_length=SEGMENT_QUERY_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.name


class ImpactLine(models.Model):
    """What a suggested amount does ("trains one hotline volunteer"), on the general donate
    page (no campaign) or on one campaign's, in one currency; ``translations`` holds the
    text in other languages ({"es": {"text": ...}}, read with core.locales.translated)."""

    campaign = models.ForeignKey(
        "donations.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_lines",
    )
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    text = models.CharField(max_length=IMPACT_TEXT_MAX)
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("currency", "amount_minor", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "currency", "amount_minor"],
                name="impact_line_per_amount",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="impact_amount_positive"),
            currency_check("currency", "impact_line_currency_code"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def money(self) -> Money:
        return Money(self.amount_minor, self.currency)


class SuggestedAmounts(models.Model):
    """The suggested amounts of the donate page in one currency, set by staff (minor units,
    ascending); a currency without a row falls back on settings or a derived default
    (``donations.options.preset_amounts``)."""

    currency = models.CharField(max_length=3, unique=True)
    amounts_minor = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("currency",)
        constraints = [currency_check("currency", "suggested_amounts_currency_code")]

    def __str__(self) -> str:
        return self.currency
