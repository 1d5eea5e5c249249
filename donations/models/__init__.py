"""Giving data: donors, campaigns, donations, recurring gifts and the Stripe events log."""

from donations.models.donors import Campaign, Donor, DonorKind
from donations.models.events import StripeEvent, StripeEventStatus
from donations.models.gifts import (
    Donation,
    DonationSource,
    DonationStatus,
    GiftInterval,
    RecurringGift,
    RecurringStatus,
    TributeType,
)

__all__ = [
    "Campaign",
    "Donation",
    "DonationSource",
    "DonationStatus",
    "Donor",
    "DonorKind",
    "GiftInterval",
    "RecurringGift",
    "RecurringStatus",
    "StripeEvent",
    "StripeEventStatus",
    "TributeType",
]
