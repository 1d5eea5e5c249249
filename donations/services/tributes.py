"""Dedications: the acknowledgement letter to the family of the person a gift honours.

The donor may enter who to tell and where (``tribute_notify``: a name and postal address)
with a dedicated gift; a coordinator prints the letter and posts it. It names the donor
unless they gave anonymously, and never the amount.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from core.dates import org_today
from donations.models import Donation, TributeType
from donations.pdf import TributeLetterDocument, render_tribute_letter
from donations.services.receipts import receipt_language


def tribute_letter_pdf(*, donation: Donation) -> bytes:
    """The letter for ``donation``'s dedication; ``ValidationError`` when there is none to
    send (no dedication, or no one to tell)."""
    if not donation.dedication or not donation.tribute_notify:
        raise ValidationError(
            gettext("This gift has no dedication with an address to write to."), code="none"
        )
    return render_tribute_letter(
        TributeLetterDocument(
            language=receipt_language(donation.donor),
            written_on=org_today(),
            recipient=donation.tribute_notify,
            in_memory=donation.tribute_type == TributeType.IN_MEMORY,
            honoured=donation.tribute_name,
            donor_name="" if donation.anonymous else donation.donor.name,
        )
    )


def tribute_letter_filename(donation: Donation) -> str:
    return f"dedication-letter-{donation.pk}.pdf"
