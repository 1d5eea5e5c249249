"""Every write about giving that has a rule. Views, admin and tasks call these."""

from donations.services.checkout import StartedGift, start_gift
from donations.services.receipts import resend_receipt, sync_receipt

__all__ = ["StartedGift", "resend_receipt", "start_gift", "sync_receipt"]
