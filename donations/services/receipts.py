"""Receipts: numbered once per gift, voided and replaced when the gift is refunded, e-mailed.

``sync_receipt`` is called wherever a donation's status may have changed (the ledger's
``_save_donation`` and the posting of offline gifts), inside that transaction and with the
donation locked. It brings the receipts in line with the gift and is idempotent:

* paid (or a dispute won) and no receipt in force: issue one for the net amount;
* refunded in part, so the receipt in force is for more than the net: void it and issue a
  replacement (``replaces``) for the net;
* refunded in full or a dispute lost: void the receipt in force;
* anything else (pending, failed, a dispute still open): leave the receipts as they are.

Numbers come from one ``ReceiptCounter`` row per year, locked while a number is taken, in
the transaction that inserts the receipt: consecutive, unique (a database constraint on
year + number) and without gaps (a rolled-back receipt rolls its number back).

Each new receipt is e-mailed through the outbox (``enqueue_message``; the outbox sends it
after the transaction commits) with its PDF attached, under a dedupe key made from its
number, so running this twice never sends twice. ``resend_receipt`` queues it again under a
new key (``...:resend:<n>``).
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import audit
from core.dates import org_day, org_zone
from core.locales import translated
from donations.message_kinds import RECEIPT
from donations.models import (
    CARD_SOURCES,
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptCounter,
    ReceiptStatus,
)
from donations.money import Money, format_money
from donations.pdf import ReceiptDocument, render_receipt
from donations.services.donors import donor_account
from donations.services.system_audit import event_data
from notifications.models import Message
from notifications.services import enqueue_message
from notifications.services.hooks import Fresh, context_pk

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

RECEIPTED: Final = (
    DonationStatus.PAID,
    DonationStatus.PARTIALLY_REFUNDED,
    DonationStatus.DISPUTE_WON,
)
VOIDING: Final = {
    DonationStatus.REFUNDED: "Refunded in full.",
    DonationStatus.DISPUTE_LOST: "Dispute lost: the card's bank took the gift back.",
}
REPLACED: Final = "Refunded in part: replaced by a receipt for the net amount."
EMAIL_KIND: Final = RECEIPT.name
Changes = dict[str, list[Any]]


def receipt_language(donor: Donor) -> str:
    """The donor's language (their login's), else the site's."""
    offered = {code for code, _name in settings.LANGUAGES}
    user = donor.user
    if user is not None and user.preferred_language in offered:
        return user.preferred_language
    return str(settings.LANGUAGE_CODE)


def donor_address(donor: Donor) -> str:
    """The postal address on several lines, empty lines left out."""
    place = " ".join(part for part in (donor.city, donor.region, donor.postal_code) if part)
    lines = (donor.address_line1, donor.address_line2, place, donor.country)
    return "\n".join(line for line in lines if line)


def gift_method(donation: Donation) -> str:
    """How the gift came, for people (in the active language): "Cheque no. 1042 (Acme Bank)"."""
    if donation.source == DonationSource.CHEQUE:
        text = gettext("Cheque no. %(number)s") % {"number": donation.cheque_number}
        return f"{text} ({donation.cheque_bank})" if donation.cheque_bank else text
    if donation.source == DonationSource.IN_KIND:
        return gettext("In kind: %(description)s (fair value)") % {
            "description": donation.in_kind_description
        }
    if donation.source in CARD_SOURCES:
        return gettext("Card")
    return str(DonationSource(donation.source).label)


def _take_number(year: int) -> int:
    """The next number of ``year``; the counter row stays locked until the transaction ends.

    On PostgreSQL one ``UPDATE ... RETURNING`` takes the number and the lock together (no
    SELECT FOR UPDATE first, no INSERT queueing behind the holder); elsewhere (SQLite, where
    writers are serialised anyway and RETURNING needs 3.35) an UPDATE then a SELECT. The
    year's row is inserted only the first time, when the UPDATE finds none.
    """
    counters = ReceiptCounter.objects.filter(year=year)
    for _attempt in range(2):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    # The table name is the model's own, never input.
                    f"UPDATE {ReceiptCounter._meta.db_table} SET next_number = next_number + 1 "  # noqa: S608
                    "WHERE year = %s RETURNING next_number - 1",
                    [year],
                )
                row = cursor.fetchone()
            if row is not None:
                return int(row[0])
        elif counters.update(next_number=F("next_number") + 1):
            return counters.values_list("next_number", flat=True).get() - 1
        ReceiptCounter.objects.bulk_create(
            [ReceiptCounter(year=year, next_number=settings.RECEIPT_NUMBER_START)],
            ignore_conflicts=True,
        )
    raise RuntimeError(f"no receipt counter for {year}")  # pragma: no cover


def _issue(donation: Donation, *, by: User | None, replaces: Receipt | None = None) -> Receipt:
    now = timezone.now()
    year = now.astimezone(org_zone()).year
    donor = donation.donor
    if donor.email:
        # The login its e-mail goes to, made now if missing: before the number is taken,
        # since the year's number stays locked until commit and every paid gift queues on it.
        donor_account(donor)
    receipt = Receipt(
        donation=donation,
        year=year,
        prefix=settings.RECEIPT_NUMBER_PREFIX,
        issued_at=now,
        amount_minor=donation.net_minor,
        currency=donation.currency,
        language=receipt_language(donor),
        donor_name=donor.name,
        donor_address=donor_address(donor),
        campaign_name=(
            translated(donation.campaign, "name", receipt_language(donor))
            if donation.campaign
            else ""
        ),
        replaces=replaces,
    )
    receipt.number = _take_number(year)  # the last thing before the receipt's own writes
    receipt.save(force_insert=True)
    _audit(
        "donations.receipt.replaced" if replaces is not None else "donations.receipt.issued",
        receipt,
        donation,
        by=by,
        changes=audit.changed_fields({}, audit.snapshot(receipt, RECEIPT_AUDITED_FIELDS)),
    )
    _queue_email(receipt, dedupe_key=f"{EMAIL_KIND}:{receipt.year}-{receipt.number}")
    return receipt


# What a receipt's audit entries record (never the donor's name or address: the receipt
# keeps those, and an erasure would have to find them in the trail too).
RECEIPT_AUDITED_FIELDS = (
    "year",
    "number",
    "amount_minor",
    "currency",
    "status",
    "replaces",
    "voided_at",
    "void_reason",
)


def _audit(
    action: str, receipt: Receipt, donation: Donation, *, by: User | None, changes: Changes
) -> None:
    """A receipt issued, replaced or voided, about the donor's login; ``by`` None: the
    system (a Stripe webhook, whose event the entry names)."""
    audit.record(
        action,
        actor=by,
        subject=donation.donor.user_id,
        obj=receipt,
        changes=changes,
        data={"donation": receipt.donation_id, "number": receipt.display_number, **event_data()},
    )


def _void(receipt: Receipt, donation: Donation, *, reason: str, by: User | None) -> None:
    before = audit.snapshot(receipt, RECEIPT_AUDITED_FIELDS)
    receipt.status = ReceiptStatus.VOID
    receipt.voided_at = timezone.now()
    receipt.void_reason = reason
    receipt.save(update_fields=["status", "voided_at", "void_reason"])
    _audit(
        "donations.receipt.voided",
        receipt,
        donation,
        by=by,
        changes=audit.changed_fields(before, audit.snapshot(receipt, RECEIPT_AUDITED_FIELDS)),
    )


def sync_receipt(*, donation: Donation, by: User | None = None) -> Receipt | None:
    """Bring ``donation``'s receipts in line with its status; the receipt in force, if any.

    Call it with the donation saved and locked, in the transaction that changed it. Each
    receipt issued, replaced or voided is audited as done by ``by`` (None: the system).
    """
    with transaction.atomic():
        current = (
            Receipt.objects.select_for_update(of=("self",))
            .filter(donation=donation, status=ReceiptStatus.ISSUED)
            .first()
        )
        if donation.status in RECEIPTED and donation.net_minor > 0:
            if current is None:
                return _issue(donation, by=by)
            if current.amount_minor == donation.net_minor and current.currency == donation.currency:
                return current
            _void(current, donation, reason=REPLACED, by=by)
            return _issue(donation, by=by, replaces=current)
        reason = VOIDING.get(DonationStatus(donation.status))
        if reason is not None and current is not None:
            _void(current, donation, reason=reason, by=by)
            return None
        return current


def receipt_document(receipt: Receipt) -> ReceiptDocument:
    """What the PDF shows, from the receipt's own row and its gift (in the receipt's language)."""
    donation = receipt.donation
    paid_at = donation.paid_at or receipt.issued_at
    with translation.override(receipt.language):
        method = gift_method(donation)
    return ReceiptDocument(
        number=receipt.display_number,
        issued_at=receipt.issued_at,
        received_on=org_day(paid_at),
        language=receipt.language,
        money=receipt.money,
        donor_name=receipt.donor_name,
        donor_address=receipt.donor_address,
        campaign=receipt.campaign_name,
        method=method,
        void_reason=receipt.void_reason,
        replaces=receipt.replaces.display_number if receipt.replaces else "",
    )


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt's PDF; the same bytes every time for the same row."""
    return render_receipt(receipt_document(receipt))


def receipt_filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.display_number}.pdf"


def _queue_email(receipt: Receipt, *, dedupe_key: str) -> bool:
    """Queue the receipt e-mail; False when the donor has no e-mail address.

    The PDF is made when the e-mail is sent (``refresh_receipt_email``), not here: the
    caller holds the year's number lock, and a receipt voided before the e-mail goes out
    (a refund that arrived with its payment) must not be sent at all.
    """
    donor = receipt.donation.donor
    if not donor.email:
        return False
    received = receipt.donation.paid_at or receipt.issued_at
    message = enqueue_message(
        recipient=donor_account(donor),
        kind=EMAIL_KIND,
        dedupe_key=dedupe_key,
        context={
            "receipt_id": receipt.pk,
            "receipt_number": receipt.display_number,
            "amount": format_money(Money(receipt.amount_minor, receipt.currency), receipt.language),
            "received_on": org_day(received).isoformat(),
            "history_url": f"{settings.SITE_URL.rstrip('/')}{reverse('donations:home')}",
        },
        essential=True,
    )
    if message is not None:
        Receipt.objects.filter(pk=receipt.pk).update(times_sent=F("times_sent") + 1)
        receipt.refresh_from_db(fields=["times_sent"])
    return message is not None


def refresh_receipt_email(message: Message) -> Fresh | str:
    """Just before a receipt e-mail goes: its PDF as the receipt stands, or why not to send."""
    receipt = (
        Receipt.objects.select_related("donation__donor", "donation__campaign", "replaces")
        .filter(pk=context_pk(message, "receipt_id"))
        .first()
    )
    if receipt is None:
        return "The receipt no longer exists."
    if receipt.status != ReceiptStatus.ISSUED:
        return f"Receipt {receipt.display_number} was voided before it was sent."
    attachment = {
        "filename": receipt_filename(receipt),
        "content_type": "application/pdf",
        "content": base64.b64encode(receipt_pdf(receipt)).decode("ascii"),
        "encoding": "base64",
    }
    return Fresh(context=dict(message.context), attachments=[attachment])


def resend_receipt(*, receipt: Receipt, by: User) -> Receipt:
    """E-mail the receipt again (a coordinator's action). Refuses a void receipt and a donor
    without an e-mail address (``ValidationError``)."""
    with transaction.atomic():
        locked = (
            Receipt.objects.select_for_update(of=("self",))
            .select_related("donation__donor__user", "replaces")
            .get(pk=receipt.pk)
        )
        if locked.status != ReceiptStatus.ISSUED:
            raise ValidationError(
                gettext("Receipt %(number)s is void; only a receipt in force is sent."),
                params={"number": locked.display_number},
                code="void",
            )
        if not locked.donation.donor.email:
            raise ValidationError(
                gettext("The donor has no e-mail address; print the receipt instead."),
                code="no_email",
            )
        key = f"{EMAIL_KIND}:{locked.year}-{locked.number}:resend:{locked.times_sent}"
        _queue_email(locked, dedupe_key=key)
        logger.info("receipt %s re-sent by user %s", locked.display_number, by.pk)
        audit.record(
            "donations.receipt.resent",
            actor=by,
            subject=locked.donation.donor.user,
            obj=locked,
            data={"number": locked.display_number, "times_sent": locked.times_sent},
        )
        return locked
