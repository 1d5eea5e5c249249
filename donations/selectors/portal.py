"""What the donor portal offers from a donor's own history: the gift to "give again"
(its link is ``forms.public.give_again_url``: the donation form's own parameters)."""

from __future__ import annotations

from collections.abc import Iterable

from donations.models import Donation
from donations.selectors.gifts import COUNTED_STATUSES


def last_gift(gifts: Iterable[Donation]) -> Donation | None:
    """The newest gift that counted (paid, not refunded in full), from the portal's list
    (newest first, already loaded: no query)."""
    for gift in gifts:
        if gift.status in COUNTED_STATUSES and gift.paid_at is not None and gift.net_minor > 0:
            return gift
    return None
