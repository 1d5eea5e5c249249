"""Offline gifts: cash, cheques, bank transfers and gifts in kind, entered by coordinators.

One gift at a time (``record_offline_gift``), or a bank deposit: its date, total and count
typed from the slip (``open_deposit``), its gifts added line by line (``add_deposit_line``),
then ``post_deposit``, which refuses a deposit whose lines do not add up to the slip and
otherwise makes every gift and its receipt in one transaction. Offline gifts are paid when
entered (``paid_at`` is the day received, in the organisation's zone) and get receipts
exactly as card gifts do (``sync_receipt``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.services import audit
from core.dates import org_noon
from donations.models import (
    Campaign,
    Deposit,
    DepositLine,
    DepositStatus,
    Donation,
    DonationSource,
    Donor,
)
from donations.money import Money, format_money
from donations.services.engagement import tasks_for_gift
from donations.services.gift_status import donation_status
from donations.services.receipts import sync_receipt

if TYPE_CHECKING:
    from accounts.models import User

BANKED_SOURCES = (DonationSource.CASH, DonationSource.CHEQUE, DonationSource.BANK_TRANSFER)


@dataclass(frozen=True, slots=True)
class NewDonor:
    """A donor typed in with the gift (checked by the form: no donor has this e-mail yet)."""

    name: str
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class DepositTotals:
    count: int
    total: Money

    def matches(self, deposit: Deposit) -> bool:
        return (
            self.count == deposit.expected_count
            and self.total.minor == deposit.expected_total_minor
        )


def _donor(donor: Donor | None, new_donor: NewDonor | None) -> Donor:
    if donor is not None:
        return donor
    if new_donor is None or not new_donor.name.strip():
        raise ValidationError(gettext("Choose a donor or type the new donor's name."), code="donor")
    email = new_donor.email.strip().lower()
    if email and Donor.objects.filter(email=email).exists():
        raise ValidationError(
            gettext("A donor with the e-mail %(email)s exists already: choose them instead."),
            params={"email": email},
            code="donor_exists",
        )
    return Donor.objects.create(
        name=new_donor.name.strip(),
        email=email,
        address_line1=new_donor.address_line1,
        address_line2=new_donor.address_line2,
        city=new_donor.city,
        region=new_donor.region,
        postal_code=new_donor.postal_code,
        country=new_donor.country,
    )


def _check_details(*, source: str, cheque_number: str, in_kind_description: str) -> None:
    if source == DonationSource.CHEQUE and not cheque_number.strip():
        raise ValidationError(gettext("Enter the cheque's number."), code="cheque_number")
    if source == DonationSource.IN_KIND and not in_kind_description.strip():
        raise ValidationError(
            gettext("Describe the gift in kind (what was given)."), code="in_kind_description"
        )


def _settled_fields(amount: Money, received: Money | None) -> dict[str, Any]:
    """What a gift in another currency brought in the reporting currency (no fee).

    A gift in the reporting currency needs nothing: its amount is what was received.
    """
    if received is None or amount.currency == settings.REPORTING_CURRENCY:
        return {}
    if received.currency != settings.REPORTING_CURRENCY:
        raise ValidationError(
            gettext("The amount received must be in %(currency)s.")
            % {"currency": settings.REPORTING_CURRENCY},
            code="received_currency",
        )
    if received.minor <= 0:
        raise ValidationError(gettext("Enter an amount more than zero."), code="received_zero")
    return {
        "settlement_currency": received.currency,
        "settled_gross_minor": received.minor,
        "settled_fee_minor": 0,
        "settled_net_minor": received.minor,
    }


def _make_gift(
    *,
    donor: Donor,
    source: str,
    amount: Money,
    received_on: date,
    campaign: Campaign | None,
    cheque_number: str = "",
    cheque_bank: str = "",
    in_kind_description: str = "",
    deposit: Deposit | None = None,
    by: User | None,
    received: Money | None = None,
) -> Donation:
    settled = _settled_fields(amount, received)
    donation = Donation(
        donor=donor,
        campaign=campaign,
        amount_minor=amount.minor,
        currency=amount.currency,
        source=source,
        cheque_number=cheque_number.strip() if source == DonationSource.CHEQUE else "",
        cheque_bank=cheque_bank.strip() if source == DonationSource.CHEQUE else "",
        in_kind_description=(
            in_kind_description.strip() if source == DonationSource.IN_KIND else ""
        ),
        deposit=deposit,
        entered_by=by,
        paid_at=org_noon(received_on),
        **settled,
    )
    donation.status = donation_status(donation)
    donation.save()
    audit.record(
        "donations.gift.recorded",
        actor=by,
        subject=donor.user if donor.user_id else None,
        obj=donation,
        changes=audit.changed_fields({}, audit.snapshot(donation, GIFT_AUDITED_FIELDS)),
        data={"donor": donor.pk},
    )
    tasks_for_gift(donation=donation)
    sync_receipt(donation=donation, by=by)
    return donation


# What an offline gift's audit entry records.
GIFT_AUDITED_FIELDS = (
    "amount_minor",
    "currency",
    "source",
    "status",
    "paid_at",
    "campaign",
    "cheque_number",
    "in_kind_description",
    "deposit",
)


def record_offline_gift(
    *,
    donor: Donor | None,
    new_donor: NewDonor | None = None,
    source: str,
    amount: Money,
    received_on: date,
    campaign: Campaign | None = None,
    cheque_number: str = "",
    cheque_bank: str = "",
    in_kind_description: str = "",
    by: User,
    received: Money | None = None,
) -> Donation:
    """Record one offline gift (paid) and issue its receipt. For in kind, ``amount`` is the
    fair value. ``received``: for a gift in a currency other than the reporting one, what it
    brought in the reporting currency (optional; reports leave the gift out until known)."""
    if source not in (*BANKED_SOURCES, DonationSource.IN_KIND):
        raise ValidationError(gettext("Choose how the gift came."), code="source")
    _check_details(
        source=source, cheque_number=cheque_number, in_kind_description=in_kind_description
    )
    with transaction.atomic():
        return _make_gift(
            donor=_donor(donor, new_donor),
            source=source,
            amount=amount,
            received_on=received_on,
            campaign=campaign,
            cheque_number=cheque_number,
            cheque_bank=cheque_bank,
            in_kind_description=in_kind_description,
            by=by,
            received=received,
        )


def open_deposit(
    *,
    deposited_on: date,
    expected_total: Money,
    expected_count: int,
    reference: str = "",
    by: User,
) -> Deposit:
    if expected_total.minor <= 0 or expected_count <= 0:
        raise ValidationError(gettext("A deposit has a total and a count above zero."))
    with transaction.atomic():
        deposit = Deposit.objects.create(
            deposited_on=deposited_on,
            currency=expected_total.currency,
            expected_total_minor=expected_total.minor,
            expected_count=expected_count,
            reference=reference.strip(),
            created_by=by,
        )
        audit.record(
            "donations.deposit.opened",
            actor=by,
            obj=deposit,
            changes=audit.changed_fields({}, audit.snapshot(deposit, DEPOSIT_AUDITED_FIELDS)),
        )
    return deposit


# What a deposit's and a deposit line's audit entries record.
DEPOSIT_AUDITED_FIELDS = (
    "deposited_on",
    "currency",
    "expected_total_minor",
    "expected_count",
    "reference",
)
LINE_AUDITED_FIELDS = ("donor", "campaign", "source", "amount_minor", "cheque_number")


def _lock_open(deposit: Deposit) -> Deposit:
    locked = Deposit.objects.select_for_update(of=("self",)).get(pk=deposit.pk)
    if locked.status != DepositStatus.OPEN:
        raise ValidationError(gettext("This deposit is posted already."), code="posted")
    return locked


def add_deposit_line(
    *,
    deposit: Deposit,
    donor: Donor | None,
    new_donor: NewDonor | None = None,
    source: str,
    amount: Money,
    campaign: Campaign | None = None,
    cheque_number: str = "",
    cheque_bank: str = "",
    by: User,
) -> DepositLine:
    """Add one gift to an open deposit (in the deposit's currency)."""
    if source not in BANKED_SOURCES:
        raise ValidationError(gettext("A deposit takes cash, cheques and transfers."))
    _check_details(source=source, cheque_number=cheque_number, in_kind_description="")
    with transaction.atomic():
        locked = _lock_open(deposit)
        if amount.currency != locked.currency:
            raise ValidationError(
                gettext("This deposit is in %(currency)s."),
                params={"currency": locked.currency},
                code="currency",
            )
        line = DepositLine.objects.create(
            deposit=locked,
            donor=_donor(donor, new_donor),
            campaign=campaign,
            source=source,
            amount_minor=amount.minor,
            cheque_number=cheque_number.strip() if source == DonationSource.CHEQUE else "",
            cheque_bank=cheque_bank.strip() if source == DonationSource.CHEQUE else "",
        )
        _audit_line("donations.deposit.line_added", line, by, added=True)
    return line


def _audit_line(action: str, line: DepositLine, by: User, *, added: bool) -> None:
    fields = audit.snapshot(line, LINE_AUDITED_FIELDS)
    audit.record(
        action,
        actor=by,
        obj=line.deposit,
        changes=audit.changed_fields({}, fields) if added else audit.changed_fields(fields, {}),
        data={"line": line.pk},
    )


def remove_deposit_line(*, line: DepositLine, by: User) -> None:
    with transaction.atomic():
        locked = _lock_open(line.deposit)
        kept = DepositLine.objects.filter(pk=line.pk, deposit=locked).first()
        if kept is None:
            return  # removed already (a second click)
        _audit_line("donations.deposit.line_removed", kept, by, added=False)
        kept.delete()


def deposit_totals(deposit: Deposit) -> DepositTotals:
    """The lines' count and sum so far (one query)."""
    found = DepositLine.objects.filter(deposit=deposit).aggregate(
        count=Count("pk"), total=Sum("amount_minor")
    )
    return DepositTotals(count=found["count"], total=Money(found["total"] or 0, deposit.currency))


def post_deposit(*, deposit: Deposit, by: User) -> list[Donation]:
    """Turn the deposit's lines into paid gifts with receipts, all or nothing.

    Refused (``ValidationError``) unless the lines add up to the slip's total and count.
    """
    with transaction.atomic():
        locked = _lock_open(deposit)
        totals = deposit_totals(locked)
        if not totals.matches(locked):
            raise ValidationError(
                ngettext(
                    "The gifts add up to %(total)s in %(count)s gift, but the slip says "
                    "%(expected)s in %(expected_count)s. Fix the lines before posting.",
                    "The gifts add up to %(total)s in %(count)s gifts, but the slip says "
                    "%(expected)s in %(expected_count)s. Fix the lines before posting.",
                    totals.count,
                ),
                params={
                    "total": format_money(totals.total),
                    "count": totals.count,
                    "expected": format_money(locked.expected_total),
                    "expected_count": locked.expected_count,
                },
                code="unbalanced",
            )
        gifts = [
            _make_gift(
                donor=line.donor,
                source=line.source,
                amount=Money(line.amount_minor, locked.currency),
                received_on=locked.deposited_on,
                campaign=line.campaign,
                cheque_number=line.cheque_number,
                cheque_bank=line.cheque_bank,
                deposit=locked,
                by=by,
            )
            for line in locked.lines.select_related("donor", "campaign").order_by("pk")
        ]
        before = audit.snapshot(locked, ("status", "posted_at", "posted_by"))
        locked.status = DepositStatus.POSTED
        locked.posted_at = timezone.now()
        locked.posted_by = by
        locked.save(update_fields=["status", "posted_at", "posted_by"])
        audit.record(
            "donations.deposit.posted",
            actor=by,
            obj=locked,
            changes=audit.changed_fields(
                before, audit.snapshot(locked, ("status", "posted_at", "posted_by"))
            ),
            data={"gifts": len(gifts)},
        )
        return gifts
