"""Importing past gifts from a CSV file: upload, check every row, then import.

The file's columns (header row, any order, case ignored; extra columns are ignored):

=========  ========  ============================================================
date       required  the day the gift was received, ``YYYY-MM-DD``, not in the future
amount     required  digits with a point before decimals: ``25``, ``1,000.50``
currency   required  ISO 4217 code: ``USD``, ``VND``
email      one of    the donor's e-mail; gifts with the same e-mail go to one donor
name       the two   the donor's name (needed for a new donor, or without e-mail)
campaign   optional  a campaign's slug or name (empty: no campaign)
=========  ========  ============================================================

Nothing is imported while a row has an error, unless the coordinator explicitly chooses to
import only the good rows. Imported gifts are paid, have source ``import`` and are dated at
noon of their day in the organisation's time zone; no receipt is e-mailed for them. The same
file cannot be imported twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import tablib  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User, normalize_email
from accounts.services import audit
from core.dates import org_noon, org_today
from donations.models import (
    Campaign,
    Donation,
    DonationSource,
    DonationStatus,
    Donor,
    GiftImport,
)
from donations.money import Money, MoneyError, normalize_currency, parse_amount

MAX_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_ROWS: Final = 5000
REQUIRED_COLUMNS: Final = ("date", "amount", "currency")
KNOWN_COLUMNS: Final = ("date", "amount", "currency", "email", "name", "campaign")


class ImportRefused(Exception):
    """The import cannot go ahead; ``str()`` tells the coordinator why."""


@dataclass
class CheckedRow:
    """One data row: its line in the file (the header is line 1), what it says, and its
    errors, or the gift it would make."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    money: Money | None = None
    received_on: date | None = None
    campaign: Campaign | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportCheck:
    rows: list[CheckedRow]

    @property
    def good(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def bad(self) -> list[CheckedRow]:
        return [row for row in self.rows if not row.ok]


def _read(content: str) -> tablib.Dataset:
    try:
        data = tablib.Dataset().load(content, format="csv")
    except Exception as exc:  # tablib raises assorted errors for a broken file
        raise ImportRefused(gettext("This file could not be read as CSV.")) from exc
    if not isinstance(data, tablib.Dataset):
        raise ImportRefused(gettext("This file could not be read as CSV."))
    return data


def _columns(data: tablib.Dataset) -> list[str]:
    headers = [str(h or "").strip().lower() for h in (data.headers or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        raise ImportRefused(
            gettext("The first row must name the columns; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    if "email" not in headers and "name" not in headers:
        raise ImportRefused(gettext("The file needs an email or a name column (or both)."))
    return headers


def upload_gift_file(*, filename: str, raw: bytes, uploaded_by: User | None) -> GiftImport:
    """Keep an uploaded CSV file for its preview; ``ImportRefused`` if it cannot be read."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportRefused(gettext("The file is larger than 2 MB; split it into parts."))
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(gettext("Save the file as CSV in UTF-8 encoding.")) from exc
    if "\x00" in content:
        # A spreadsheet's own format (or UTF-16) saved under a .csv name.
        raise ImportRefused(gettext("This is not a text CSV file: save it as CSV (UTF-8)."))
    data = _read(content)
    _columns(data)
    if data.height == 0:
        raise ImportRefused(gettext("The file has no rows of gifts under its header."))
    if data.height > MAX_ROWS:
        raise ImportRefused(
            gettext("The file has more than %(max)s rows; split it into parts.") % {"max": MAX_ROWS}
        )
    with transaction.atomic():
        gift_import = GiftImport.objects.create(
            uploaded_by=uploaded_by,
            filename=filename[:255],
            content=content,
            content_sha256=hashlib.sha256(content.encode()).hexdigest(),
            rows_total=data.height,
        )
        audit.record(
            "donations.gift_import.uploaded",
            actor=uploaded_by,
            obj=gift_import,
            changes=audit.changed_fields(
                {}, audit.snapshot(gift_import, ("filename", "content_sha256", "rows_total"))
            ),
        )
    return gift_import


def _campaigns() -> dict[str, Campaign]:
    found: dict[str, Campaign] = {}
    for campaign in Campaign.objects.all():
        found.setdefault(campaign.name.strip().casefold(), campaign)
        found[campaign.slug.casefold()] = campaign
    return found


def check_gift_file(gift_import: GiftImport) -> ImportCheck:
    """Check every row of the file (two queries, whatever its length)."""
    data = _read(gift_import.content)
    headers = _columns(data)
    campaigns = _campaigns()
    today = org_today()
    rows: list[CheckedRow] = []
    for index, raw in enumerate(data, start=2):
        values = {
            name: str(raw[i] if i < len(raw) and raw[i] is not None else "").strip()
            for i, name in enumerate(headers)
            if name in KNOWN_COLUMNS
        }
        rows.append(_check_row(index, values, campaigns=campaigns, today=today))
    return ImportCheck(rows=rows)


def _check_row(
    line: int, values: dict[str, str], *, campaigns: dict[str, Campaign], today: date
) -> CheckedRow:
    row = CheckedRow(line=line, values=values)
    _check_date(row, today)
    _check_money(row)
    _check_donor(row)
    campaign = values.get("campaign", "")
    if campaign:
        row.campaign = campaigns.get(campaign.casefold())
        if row.campaign is None:
            row.errors.append(gettext("Unknown campaign “%(value)s”.") % {"value": campaign})
    return row


def _check_date(row: CheckedRow, today: date) -> None:
    text = row.values.get("date", "")
    try:
        row.received_on = date.fromisoformat(text)
    except ValueError:
        row.errors.append(
            gettext("Bad date “%(value)s”: write it as YYYY-MM-DD, e.g. 2024-03-31.")
            % {"value": text}
        )
        return
    if row.received_on > today:
        row.errors.append(gettext("The date %(value)s is in the future.") % {"value": text})


def _check_money(row: CheckedRow) -> None:
    currency = row.values.get("currency", "")
    try:
        code = normalize_currency(currency)
    except MoneyError:
        row.errors.append(
            gettext("Bad currency “%(value)s”: use an ISO code such as USD.") % {"value": currency}
        )
        return
    amount = row.values.get("amount", "")
    try:
        row.money = parse_amount(amount, code)
    except MoneyError as exc:
        row.errors.append(
            gettext("Bad amount “%(value)s”: %(reason)s")
            % {"value": amount, "reason": " ".join(exc.messages)}
        )


def _check_donor(row: CheckedRow) -> None:
    name = " ".join(row.values.get("name", "").split())
    email = row.values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(gettext("Bad e-mail “%(value)s”.") % {"value": email})
    elif not name:
        row.errors.append(gettext("Give the donor's e-mail or name."))
    if len(name) > 200:
        row.errors.append(gettext("The name is longer than 200 characters."))


def _donor_for(row: CheckedRow, cache: dict[str, Donor]) -> Donor:
    email = normalize_email(row.values.get("email", ""))
    name = " ".join(row.values.get("name", "").split())
    key = f"e:{email}" if email else f"n:{name.casefold()}"
    if key in cache:
        return cache[key]
    if email:
        donor, _ = Donor.objects.get_or_create(email=email, defaults={"name": name or email})
    else:
        donor = Donor.objects.filter(email="", name__iexact=name).order_by(
            "pk"
        ).first() or Donor.objects.create(name=name)
    cache[key] = donor
    return donor


# What the audit records of an imported gift and of the import itself.
IMPORTED_GIFT_FIELDS = ("amount_minor", "currency", "source", "status", "paid_at", "campaign")
IMPORT_AUDITED_FIELDS = ("imported_at", "rows_imported", "skipped_bad_rows")


def import_gifts(
    *, gift_import: GiftImport, only_good_rows: bool, imported_by: User | None
) -> GiftImport:
    """Create the gifts of a checked file, in one transaction.

    Refused (nothing imported) when the file was imported already, when any row has an
    error and ``only_good_rows`` is False, or when no row is good.
    """
    try:
        with transaction.atomic():
            locked = GiftImport.objects.select_for_update(of=("self",)).get(pk=gift_import.pk)
            if locked.imported_at is not None:
                raise ImportRefused(gettext("This file has been imported already."))
            if GiftImport.objects.filter(
                content_sha256=locked.content_sha256, imported_at__isnull=False
            ).exists():
                raise ImportRefused(
                    gettext("The same file has been imported before; nothing was imported.")
                )
            check = check_gift_file(locked)
            if check.bad and not only_good_rows:
                raise ImportRefused(
                    ngettext(
                        "%(count)s row has errors. Fix the file and upload it again, or "
                        "choose to import only the good rows.",
                        "%(count)s rows have errors. Fix the file and upload it again, or "
                        "choose to import only the good rows.",
                        len(check.bad),
                    )
                    % {"count": len(check.bad)}
                )
            if not check.good:
                raise ImportRefused(gettext("No row of this file can be imported."))
            donors: dict[str, Donor] = {}
            made: list[Donation] = []
            for row in check.good:
                assert row.money is not None and row.received_on is not None
                gift = Donation.objects.create(
                    donor=_donor_for(row, donors),
                    campaign=row.campaign,
                    amount_minor=row.money.minor,
                    currency=row.money.currency,
                    status=DonationStatus.PAID,
                    source=DonationSource.IMPORT,
                    paid_at=org_noon(row.received_on),
                    entered_by=imported_by,
                )
                made.append(gift)
                audit.record(
                    "donations.gift.imported",
                    actor=imported_by,
                    subject=gift.donor.user_id,
                    obj=gift,
                    changes=audit.changed_fields({}, audit.snapshot(gift, IMPORTED_GIFT_FIELDS)),
                    data={"donor": gift.donor_id, "import": locked.pk, "line": row.line},
                )
            before = audit.snapshot(locked, IMPORT_AUDITED_FIELDS)
            locked.imported_at = timezone.now()
            locked.rows_imported = len(made)
            locked.skipped_bad_rows = bool(check.bad)
            locked.donation_ids = [gift.pk for gift in made]
            locked.save()
            audit.record(
                "donations.gift_import.imported",
                actor=imported_by,
                obj=locked,
                changes=audit.changed_fields(before, audit.snapshot(locked, IMPORT_AUDITED_FIELDS)),
                data={"rows_skipped": len(check.bad)},
            )
    except IntegrityError as exc:
        raise ImportRefused(
            gettext("The same file has been imported before; nothing was imported.")
        ) from exc
    return locked
