"""Giving's part of a person's data (accounts.services.personal_data).

An erasure keeps the legal record: every gift keeps its amount, currency, dates, status,
campaign and receipt numbers, so a year's totals and its receipt numbering do not change.
What names the donor goes: the donor shows as "Erased donor #<id>" (on the receipts and
statements too), with no e-mail or address; tributes, notes and cheque banks are emptied.
A monthly gift still running blocks the erasure: it must be cancelled first, or Stripe
would go on charging a card nobody can be told about. The donor's customer records at
Stripe are cleared after the erasure commits (``stripe_erasure``).

The same parts serve a person with an account (the registry's contributor, by the person)
and a donor without one (``donor_data``, by the donor record).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit
from accounts.services.personal_data import (
    ERASED,
    Category,
    Contributor,
    Erasure,
    Scrub,
    register_contributor,
    rows,
)
from core.dates import org_day
from donations.models import (
    DepositLine,
    Donation,
    Donor,
    DonorMerge,
    DonorTask,
    Interaction,
    Receipt,
    RecurringGift,
    RecurringStatus,
    StripeCustomerLink,
)
from donations.services.receipts import receipt_filename, receipt_pdf
from donations.services.statements import statement_filename, statement_pdf
from donations.services.stripe_erasure import queue_customer_erasures

RUNNING = (RecurringStatus.ACTIVE, RecurringStatus.PAST_DUE, RecurringStatus.INCOMPLETE)


def donors_of(person: User) -> QuerySet[Donor]:
    """The donor records of ``person``: the one linked to the account, and one with the
    account's e-mail that was never linked."""
    return Donor.objects.filter(Q(user=person) | Q(email=person.email)).order_by("pk")


def erased_donor_name(donor_id: int) -> str:
    return f"Erased donor #{donor_id}"


def export(person: User) -> list[Category]:
    return donor_categories(list(donors_of(person)))


def donor_categories(donors: list[Donor]) -> list[Category]:
    """The giving categories of an export, for these donor records."""
    gifts = list(
        Donation.objects.filter(donor__in=donors)
        .select_related("campaign")
        .order_by("created_at", "pk")
    )
    receipts = list(
        Receipt.objects.filter(donation__donor__in=donors)
        .select_related("donation", "replaces")
        .order_by("year", "number", "pk")
    )
    gift_rows = rows(gifts)
    for data, gift in zip(gift_rows, gifts, strict=True):
        data["campaign"] = gift.campaign.name if gift.campaign else ""
    years = sorted({(gift.donor_id, org_day(gift.paid_at).year) for gift in gifts if gift.paid_at})
    by_id = {donor.pk: donor for donor in donors}
    statements = [
        (
            statement_filename(donor=by_id[donor_id], year=year),
            statement_pdf(donor=by_id[donor_id], year=year),
        )
        for donor_id, year in years
    ]
    receipt_rows = rows(receipts)
    for data, receipt in zip(receipt_rows, receipts, strict=True):
        data["display_number"] = receipt.display_number
    return [
        Category(
            "donor",
            "the donor record: name, e-mail, address, consent to hear from us",
            rows(donors),
        ),
        Category("donations", "gifts, one-off and each monthly instalment", gift_rows),
        Category(
            "recurring_gifts",
            "monthly or yearly gifts",
            rows(RecurringGift.objects.filter(donor__in=donors).order_by("pk")),
        ),
        Category(
            "receipts",
            "receipts issued, with their PDFs",
            receipt_rows,
            [(receipt_filename(receipt), receipt_pdf(receipt)) for receipt in receipts],
        ),
        Category(
            "statements",
            "yearly giving statements, as PDFs made at export",
            [{"file": name} for name, _ in statements],
            statements,
        ),
        Category(
            "donor_interactions",
            "calls, meetings and letters noted by staff",
            rows(Interaction.objects.filter(donor__in=donors).order_by("happened_on", "pk")),
        ),
        Category(
            "donor_tasks",
            "staff tasks about them",
            rows(DonorTask.objects.filter(donor__in=donors).order_by("due_on", "pk")),
        ),
        Category(
            "deposit_lines",
            "cheques and cash paid in for them",
            rows(DepositLine.objects.filter(donor__in=donors).order_by("pk")),
        ),
        Category(
            "payment_accounts",
            "their customer records at the card processor (Stripe)",
            rows(StripeCustomerLink.objects.filter(donor__in=donors)),
        ),
    ]


def blockers(person: User) -> list[str]:
    return running_gift_reasons(donors_of(person))


def running_gift_reasons(donors: QuerySet[Donor]) -> list[str]:
    running = RecurringGift.objects.filter(donor__in=donors, status__in=RUNNING)
    if running.exists():
        return [
            _(
                "They have a monthly gift that is still running: cancel it first (on the "
                "donor's page), so their card is not charged after the erasure."
            )
        ]
    return []


def collect_values(erasure: Erasure) -> None:
    collect_donor_values(donors_of(erasure.person), erasure)


def collect_donor_values(donors: QuerySet[Donor], scrub: Scrub) -> None:
    for donor in donors:
        scrub.add_values(
            donor.name, donor.email, donor.address_line1, donor.address_line2, donor.postal_code
        )


def erase(erasure: Erasure) -> None:
    erase_donors(donors_of(erasure.person), erasure, by=erasure.by)


def erase_donors(donors: QuerySet[Donor], erasure: Scrub, *, by: User) -> None:
    """Anonymise the donor records (caller's transaction); their Stripe customers are
    queued to be cleared once it commits."""
    erased: list[Donor] = []
    for donor in donors.select_for_update():
        name = erased_donor_name(donor.pk)
        erasure.count(
            "receipts",
            Receipt.objects.filter(donation__donor=donor).update(donor_name=name, donor_address=""),
        )
        erasure.count(
            "donations",
            Donation.objects.filter(donor=donor).update(
                tribute_name="", tribute_notify="", cheque_bank=""
            ),
        )
        RecurringGift.objects.filter(donor=donor).update(tribute_name="", tribute_notify="")
        erasure.count(
            "donor_interactions", Interaction.objects.filter(donor=donor).update(text=ERASED)
        )
        for task in DonorTask.objects.filter(donor=donor):
            task.title = erasure.scrub(task.title)
            task.save(update_fields=["title"])
        DepositLine.objects.filter(donor=donor).update(cheque_bank="")
        StripeCustomerLink.objects.filter(donor=donor).update(email="")
        for merge in DonorMerge.objects.filter(kept=donor):
            merge.merged_name = erased_donor_name(merge.merged_donor_id)
            merge.merged_email = ""
            merge.save(update_fields=["merged_name", "merged_email"])
        donor.name = name
        donor.email = ""
        donor.address_line1 = donor.address_line2 = ""
        donor.city = donor.region = donor.postal_code = donor.country = ""
        donor.communication_consent = False
        donor.communication_consent_at = None
        donor.save()
        erasure.count("donor", 1)
        erased.append(donor)
    erasure.count(
        "audit_entries_scrubbed",
        audit.scrub_entries(where=_entries_about(erased), scrub=erasure.scrub, erased=ERASED),
    )
    erasure.count("stripe_customers_queued", queue_customer_erasures(donors=erased, by=by))


def _entries_about(donors: list[Donor]) -> Q:
    """The audit entries about the donors' records (those about the person, if any, are
    scrubbed by the account's part)."""
    return (
        audit.object_entries(donors)
        | audit.object_entries(Donation.objects.filter(donor__in=donors).only("pk"))
        | audit.object_entries(RecurringGift.objects.filter(donor__in=donors).only("pk"))
        | audit.object_entries(Receipt.objects.filter(donation__donor__in=donors).only("pk"))
        | audit.object_entries(Interaction.objects.filter(donor__in=donors).only("pk"))
        | audit.object_entries(DonorTask.objects.filter(donor__in=donors).only("pk"))
    )


CONTRIBUTOR = Contributor(
    app="donations",
    export=export,
    erase=erase,
    collect_values=collect_values,
    blockers=blockers,
    order=30,
)


def register() -> None:
    register_contributor(CONTRIBUTOR)
