"""Giving data: donors, campaigns, donations, recurring gifts and the Stripe events log."""

from donations.models.donors import Campaign, Donor, DonorKind
from donations.models.engagement import (
    DonorTask,
    Interaction,
    InteractionKind,
    TaskTrigger,
)
from donations.models.events import (
    EventDelivery,
    StripeDisagreement,
    StripeEvent,
    StripeEventStatus,
)
from donations.models.gifts import (
    CARD_SOURCES,
    OFFLINE_SOURCES,
    DisputeStatus,
    Donation,
    DonationSource,
    DonationStatus,
    GiftInterval,
    RecurringGift,
    RecurringStatus,
    TributeType,
)
from donations.models.offline import Deposit, DepositLine, DepositStatus
from donations.models.receipts import (
    Receipt,
    ReceiptCounter,
    ReceiptStatus,
    StatementRun,
    StatementRunStatus,
)
from donations.models.records import DonorMerge, GiftImport
from donations.models.segments import DonorSegment, DonorTag, ImpactLine, SuggestedAmounts
from donations.models.settlement import BalanceTransaction, SettlementKind
from donations.models.stripe_import import (
    StripeCustomerErasure,
    StripeCustomerLink,
    StripeImportCursor,
)

__all__ = [
    "CARD_SOURCES",
    "OFFLINE_SOURCES",
    "BalanceTransaction",
    "Campaign",
    "Deposit",
    "DepositLine",
    "DepositStatus",
    "DisputeStatus",
    "Donation",
    "DonationSource",
    "DonationStatus",
    "Donor",
    "DonorKind",
    "DonorMerge",
    "DonorSegment",
    "DonorTag",
    "DonorTask",
    "EventDelivery",
    "GiftImport",
    "GiftInterval",
    "ImpactLine",
    "Interaction",
    "InteractionKind",
    "Receipt",
    "ReceiptCounter",
    "ReceiptStatus",
    "RecurringGift",
    "RecurringStatus",
    "SettlementKind",
    "StatementRun",
    "StatementRunStatus",
    "StripeCustomerErasure",
    "StripeCustomerLink",
    "StripeDisagreement",
    "StripeEvent",
    "StripeEventStatus",
    "StripeImportCursor",
    "SuggestedAmounts",
    "TaskTrigger",
    "TributeType",
]
