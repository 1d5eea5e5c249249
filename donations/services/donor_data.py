"""A donor without an account, on request: the export ZIP and the erasure.

A donor record with no login (an offline gift, a CSV import, a Stripe customer brought in)
is nobody's ``User``, so the person's data page cannot reach it. These do the same work by
the donor record, with the same parts (``personal_data``): the giving categories in the
ZIP, the same anonymisation (gifts keep amounts, dates, campaigns and receipt numbers under
"Erased donor #id"), the same refusal of a running monthly gift, the Stripe customers
cleared after commit, the audit trail's entries about the donor's records scrubbed, and
the export and the erasure audited. A donor who has an account goes through the person's
page instead (one erasure for the person and everything they hold).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import AuditEntry, User
from accounts.services import audit
from accounts.services.data_export import PersonExport, write_archive
from accounts.services.erasure import ErasureRefused
from accounts.services.personal_data import Scrub
from donations.models import Donor
from donations.services.personal_data import (
    collect_donor_values,
    donor_categories,
    erase_donors,
    erased_donor_name,
    running_gift_reasons,
)


@dataclass(frozen=True)
class DonorErasureResult:
    donor_id: int
    counts: dict[str, int]


def is_erased_donor(donor: Donor) -> bool:
    return donor.name == erased_donor_name(donor.pk) and not donor.email


def confirmation_word(donor: Donor) -> str:
    """What the administrator types to confirm: the e-mail address, or the name when the
    donor has none."""
    return donor.email or donor.name


def confirmation_matches(donor: Donor, typed: str) -> bool:
    return typed.strip().casefold() == confirmation_word(donor).strip().casefold()


def export_donor(*, donor: Donor, by: User, request: HttpRequest | None = None) -> PersonExport:
    """The ZIP of everything held about a donor without an account; audited as an export."""
    with transaction.atomic():
        archive = write_archive(
            donor_categories([donor]),
            heading=f"Data held about donor #{donor.pk}, exported {{exported_at}}.",
            manifest={"donor": donor.pk, "exported_by": by.pk},
        )
        audit.record(
            "donations.donor_data.exported",
            actor=by,
            obj=donor,
            kind=AuditEntry.Kind.EXPORT,
            data={"records": sum(archive.counts.values()), "files": archive.files},
            request=request,
        )
    return PersonExport(
        filename=f"donor-{donor.pk}-data-{archive.exported_at[:10]}.zip",
        content=archive.content,
        counts=archive.counts,
        files=archive.files,
    )


def refusal_reasons(donor: Donor) -> list[str]:
    """Why the donor cannot be erased from the donor's data page now (empty: they can)."""
    if donor.user_id is not None:
        return [_("This donor has an account: export or erase them from the person's data page.")]
    if is_erased_donor(donor):
        return [_("This donor has already been erased.")]
    return running_gift_reasons(Donor.objects.filter(pk=donor.pk))


def erase_donor(
    *, donor: Donor, by: User, confirmation: str, request: HttpRequest | None = None
) -> DonorErasureResult:
    """Erase a donor without an account, all or nothing; ``confirmation`` must be their
    e-mail address (or their name, when they have none), typed."""
    if not confirmation_matches(donor, confirmation):
        raise ErasureRefused(
            [
                _(
                    "Type the donor's e-mail address (or their name, if they have no e-mail "
                    "address) exactly to confirm the erasure."
                )
            ]
        )
    with transaction.atomic():
        locked = Donor.objects.select_for_update().get(pk=donor.pk)
        reasons = refusal_reasons(locked)
        if reasons:
            raise ErasureRefused(reasons)
        scrub = Scrub()
        donors = Donor.objects.filter(pk=locked.pk)
        collect_donor_values(donors, scrub)
        erase_donors(donors, scrub, by=by)
        audit.record(
            "donations.donor.erased",
            actor=by,
            obj=locked,
            data=scrub.counts,  # records changed per kind; no personal data
            request=request,
        )
    return DonorErasureResult(donor_id=locked.pk, counts=scrub.counts)
