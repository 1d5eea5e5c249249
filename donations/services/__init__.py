"""Every write about giving that has a rule. Views, admin, tasks and the Stripe ledger call
these. What needs Stripe's API (starting a checkout, cancelling a subscription) lives in
``donations.stripe_integration``, which builds on these and never the other way round."""

from donations.services.receipts import resend_receipt, sync_receipt

__all__ = ["resend_receipt", "sync_receipt"]
