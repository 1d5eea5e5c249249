"""Donors (people and organisations) and the campaigns they give to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import normalize_email
from donations.models.common import currency_check, unique_when_set


class DonorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Donor(models.Model):
    """Someone who gives. Gifts with the same e-mail land on one donor.

    The e-mail is stored in lower case (``save`` normalises it, and a check refuses any other
    form), so uniqueness is case-insensitive. It may be empty for an offline gift from
    someone without one; any non-empty address belongs to one donor only.
    """

    kind = models.CharField(max_length=20, choices=DonorKind.choices, default=DonorKind.PERSON)
    name = models.CharField(
        max_length=200, help_text=_("A person's full name, or the organisation's name.")
    )
    email = models.EmailField(max_length=254, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="donor",
        help_text=_("The donor's login, when they have one (e.g. a volunteer who gives)."),
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(_("state / region"), max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text=_("Two-letter ISO 3166 code, e.g. US.")
    )
    communication_consent = models.BooleanField(
        default=False, help_text=_("Agreed to hear from us about our work and appeals.")
    )
    communication_consent_at = models.DateTimeField(null=True, blank=True)
    give_anonymously = models.BooleanField(
        default=False, help_text=_("New gifts default to anonymous (not named publicly).")
    )
    tags = models.ManyToManyField("donations.DonorTag", blank=True, related_name="donors")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            unique_when_set("email", "donor_unique_email"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="donor_email_lower"),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="donor_country_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalize_email(self.email)
        self.country = self.country.strip().upper()
        super().save(*args, **kwargs)


class Campaign(models.Model):
    """A campaign or fund (designation) a gift can go to, with an optional goal and dates."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # The coordinators' text in other languages (core.locales.translated).
    translations = models.JSONField(default=dict, blank=True)
    goal_minor = models.BigIntegerField(
        null=True, blank=True, help_text=_("Goal in minor units of the goal currency.")
    )
    goal_currency = models.CharField(max_length=3, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True, help_text=_("Takes gifts."))
    public = models.BooleanField(default=True, help_text=_("Has a public page."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            # A goal is an amount and its currency, or neither. (The explicit "is not null":
            # NULL > 0 is NULL, and a check that is NULL passes.)
            models.CheckConstraint(
                condition=(Q(goal_minor__isnull=True) & Q(goal_currency=""))
                | (Q(goal_minor__isnull=False) & Q(goal_minor__gt=0) & ~Q(goal_currency="")),
                name="campaign_goal_amount_and_currency",
            ),
            currency_check("goal_currency", "campaign_goal_currency_code", optional=True),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name
