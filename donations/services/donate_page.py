"""The general donate page's own settings that staff change: the suggested amounts per
currency (what each amount does is an impact line: ``segments.save_impact_line``)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import audit
from donations.models import SuggestedAmounts
from donations.money import Money


def save_suggested_amounts(*, currency: str, amounts: list[Money], by: User) -> None:
    """Set the donate page's suggested amounts in ``currency`` (ascending, no repeats);
    none means back to the default (settings' table, or derived from the exchange rate)."""
    minors = sorted({money.minor for money in amounts if money.currency == currency})
    with transaction.atomic():
        # get_or_create: two first saves at once make one row (the second reads it).
        row, created = SuggestedAmounts.objects.select_for_update().get_or_create(
            currency=currency, defaults={"amounts_minor": minors}
        )
        before = [] if created else list(row.amounts_minor)
        if before == minors:
            if not minors:
                row.delete()
            return
        audit.record(
            "donations.suggested_amounts.changed",
            actor=by,
            obj=row,
            changes={"amounts_minor": [before, minors]},
            data={"currency": currency},
        )
        if not minors:
            row.delete()
        elif row.amounts_minor != minors:
            row.amounts_minor = minors
            row.save(update_fields=["amounts_minor", "updated_at"])
