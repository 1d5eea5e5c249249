"""Reads about donors: a donor's own history (the donor portal), the coordinators' donor
directory and profile, and duplicate donors.

"Counted" gifts are those whose money we hold (``selectors.COUNTED_STATUSES``: paid,
refunded in part or in full, dispute won); their *net* is ``amount_minor - refunded_minor``.
A gift's year is the year of ``paid_at`` in the organisation's time zone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear

from accounts.models import User
from core.dates import org_today, org_zone, year_bounds
from core.search import words_match
from donations.models import (
    Donation,
    Donor,
    DonorTask,
    Interaction,
    RecurringGift,
    StripeCustomerErasure,
)
from donations.models.receipts import Receipt
from donations.money import Money, MoneyError, to_minor
from donations.selectors.gifts import COUNTED_STATUSES, GIFT_AT, UNFINISHED
from donations.selectors.reporting import (
    reporting_gross,
    settled_in_reporting,
    unsettled_in_reporting,
)

COUNTED = Q(status__in=COUNTED_STATUSES)


@dataclass(frozen=True, slots=True)
class YearTotal:
    """Net counted gifts of one year in one currency."""

    year: int
    money: Money
    gifts: int


def donor_for_user(user: User) -> Donor | None:
    """The donor record a login belongs to (``Donor.user``), if any."""
    return Donor.objects.filter(user=user).first()


def waiting_stripe_erasures(donor: Donor) -> list[StripeCustomerErasure]:
    """The donor's customers at Stripe that an erasure asked to clear and that are not
    cleared yet (shown until Stripe has answered)."""
    return list(
        StripeCustomerErasure.objects.filter(
            donor=donor, status=StripeCustomerErasure.Status.PENDING
        ).order_by("pk")
    )


def donor_gifts(donor: Donor) -> QuerySet[Donation]:
    """Every gift of ``donor`` except unfinished checkouts, newest first by the date each
    shows (when paid, else when made: a failed gift of today comes first), with the
    campaign, the recurring gift and the receipts (one query each, whatever the number)."""
    return (
        Donation.objects.filter(donor=donor)
        .exclude(status__in=UNFINISHED)
        .select_related("campaign", "recurring_gift")
        .prefetch_related(
            Prefetch("receipts", queryset=Receipt.objects.order_by("-issued_at", "-pk")),
            Prefetch("interactions", queryset=Interaction.objects.order_by("happened_on", "pk")),
        )
        .order_by(GIFT_AT.desc(), "-pk")
    )


def yearly_totals(donor: Donor) -> list[YearTotal]:
    """Net counted giving of ``donor`` per year and currency, newest year first (one query).

    Refunds are taken off (a gift refunded in full adds 0 but still counts as a gift).
    """
    rows = (
        Donation.objects.filter(COUNTED, donor=donor, paid_at__isnull=False)
        .annotate(year=ExtractYear("paid_at", tzinfo=org_zone()))
        .values("year", "currency")
        .annotate(
            net_total=Coalesce(
                Sum(F("amount_minor") - F("refunded_minor")),
                Value(0),
                output_field=IntegerField(),
            ),
            gifts=Count("pk"),
        )
        .order_by("-year", "currency")
    )
    return [
        YearTotal(
            year=row["year"], money=Money(row["net_total"], row["currency"]), gifts=row["gifts"]
        )
        for row in rows
    ]


def lifetime_totals(totals: list[YearTotal]) -> list[Money]:
    """All years of ``yearly_totals`` added up per currency (no query)."""
    sums: dict[str, int] = defaultdict(int)
    for total in totals:
        sums[total.money.currency] += total.money.minor
    return [Money(minor, currency) for currency, minor in sorted(sums.items())]


def donor_recurring(donor: Donor) -> QuerySet[RecurringGift]:
    """The donor's monthly gifts that got as far as Stripe, active first."""
    return (
        RecurringGift.objects.filter(donor=donor)
        .exclude(status__in=("incomplete", "abandoned"), stripe_subscription_id="")
        .select_related("campaign")
        .order_by("cancelled_at", "-created_at", "-pk")
    )


def donor_receipts(donor: Donor) -> QuerySet[Receipt]:
    """The receipts of the donor's gifts, newest first."""
    return (
        Receipt.objects.filter(donation__donor=donor)
        .select_related("donation")
        .order_by("-issued_at", "-pk")
    )


def statement_years(totals: list[YearTotal]) -> list[int]:
    """Years for which a year-end statement exists to download (years with counted gifts)."""
    return sorted({total.year for total in totals}, reverse=True)


# ---------------------------------------------------------------------------------------
# Coordinators


def donor_directory(*, search: str = "") -> QuerySet[Donor]:
    """Donors for the coordinators' directory with ``gift_count`` (counted gifts) and
    ``last_gift_at``, searched by part of the name, e-mail, city or postal code."""
    donors = Donor.objects.select_related("user").annotate(
        gift_count=Count("donations", filter=Q(donations__status__in=COUNTED_STATUSES)),
        last_gift_at=Max("donations__paid_at", filter=Q(donations__status__in=COUNTED_STATUSES)),
    )
    text = search.strip()
    if text:
        donors = donors.filter(words_match(text, "name", "email", "city", "postal_code"))
    return donors.order_by("name", "pk")


DonorExportRow = tuple[Any, ...]


# The donor CSV's columns, in order (the header says id for pk).
DONOR_EXPORT_COLUMNS = (
    "pk",
    "name",
    "email",
    "kind",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postal_code",
    "country",
    "communication_consent",
    "communication_consent_at",
    "give_anonymously",
    "gift_count",
    "last_gift_at",
    "created_at",
)


def donor_export_rows(donors: QuerySet[Donor] | None = None) -> Iterator[DonorExportRow]:
    """Every donor (or those of ``donors``, e.g. a segment's) as a row for the CSV export
    (streamed from the database in chunks):
    id, name, email, kind, the address, consent, consent time, anonymous, the number of
    counted gifts, the last one's time and the record's creation time."""
    counted = Q(donations__status__in=COUNTED_STATUSES)
    chosen = (
        Donor.objects.all()
        if donors is None
        else Donor.objects.filter(pk__in=donors.order_by().values("pk"))
    )
    return (
        chosen.annotate(
            gift_count=Count("donations", filter=counted),
            last_gift_at=Max("donations__paid_at", filter=counted),
        )
        .order_by("name", "pk")
        .values_list(*DONOR_EXPORT_COLUMNS)
        .iterator(chunk_size=1000)
    )


# ---------------------------------------------------------------------------------------
# Duplicates

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def canonical_email(email: str) -> str:
    """The address with case, a ``+tag`` and (for Gmail, which ignores them) dots removed:
    ``Jane.Doe+gifts@GMail.com`` -> ``janedoe@gmail.com``."""
    local, _, domain = email.strip().lower().partition("@")
    if not domain:
        return local
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_local_part(email: str) -> str:
    return canonical_email(email).partition("@")[0].replace(".", "")


def normalised_name(name: str) -> str:
    """Lower case, accents and punctuation removed, words sorted: "Doe, Jané" == "jane doe"."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.findall(r"\w+", text)
    return " ".join(sorted(words))


def normalised_postal_code(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", code.upper())


@dataclass
class DuplicateGroup:
    """Donors that look like one person, and why."""

    donors: list[Donor]
    reasons: set[str] = field(default_factory=set)

    @property
    def reason_text(self) -> str:
        return ", ".join(sorted(self.reasons))


def _match_keys(donors: list[Donor]) -> dict[str, dict[str, list[Donor]]]:
    """For each reason two donors may be one person, the donors grouped by that key."""
    keys: dict[str, dict[str, list[Donor]]] = {
        "same e-mail": defaultdict(list),
        "same name and postal code": defaultdict(list),
        "same name and similar e-mail": defaultdict(list),
    }
    for donor in donors:
        name = normalised_name(donor.name)
        if donor.email:
            keys["same e-mail"][canonical_email(donor.email)].append(donor)
        postcode = normalised_postal_code(donor.postal_code)
        if name and postcode:
            keys["same name and postal code"][f"{name}|{postcode}"].append(donor)
        if name and donor.email:
            key = f"{name}|{email_local_part(donor.email)}"
            keys["same name and similar e-mail"][key].append(donor)
    return keys


def duplicate_groups() -> list[DuplicateGroup]:
    """Groups of donors that are probably the same person (one query).

    Two donors are linked when they have

    * the same canonical e-mail (``canonical_email``: case, ``+tags`` and Gmail dots
      ignored), or
    * the same normalised name (``normalised_name``) and the same postal code (both set), or
    * the same normalised name and a similar e-mail: the same local part (dots ignored)
      at another domain.

    Links are joined transitively into groups (a union-find), each listed oldest donor
    first; groups are ordered by their first donor's name.
    """
    donors = list(
        Donor.objects.only(
            "pk", "name", "email", "postal_code", "city", "created_at", "user"
        ).order_by("created_at", "pk")
    )
    parent = {donor.pk: donor.pk for donor in donors}
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)

    def find(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    def link(keys: dict[str, list[Donor]], reason: str) -> None:
        for members in keys.values():
            for other in members[1:]:
                a, b = find(members[0].pk), find(other.pk)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                reasons[(members[0].pk, other.pk)].add(reason)

    for reason, keys in _match_keys(donors).items():
        link(keys, reason)

    groups: dict[int, DuplicateGroup] = {}
    for donor in donors:
        root = find(donor.pk)
        groups.setdefault(root, DuplicateGroup(donors=[])).donors.append(donor)
    found = [group for group in groups.values() if len(group.donors) > 1]
    for group in found:
        pks = {donor.pk for donor in group.donors}
        for (a, b), why in reasons.items():
            if a in pks and b in pks:
                group.reasons |= why
    return sorted(found, key=lambda group: (group.donors[0].name.casefold(), group.donors[0].pk))


# ---------------------------------------------------------------------------------------
# The donor record's figures, interactions and tasks


@dataclass(frozen=True, slots=True)
class DonorSummary:
    """A donor's giving in the reporting currency (gross: before fees, net of refunds).

    ``unconverted`` counts gifts with no figure in the reporting currency yet (left out of
    the sums; the per-currency totals beside them include them).
    """

    gifts: int
    lifetime: Money
    this_year: Money
    last_year: Money
    first: Donation | None
    last: Donation | None
    largest: Donation | None
    unconverted: int

    @property
    def level(self) -> str:
        """The giving level (``DONOR_LEVELS``) that lifetime giving reaches, or ""."""
        reached = ""
        bands = []
        for name, amount in settings.DONOR_LEVELS.items():
            try:
                bands.append((to_minor(amount, self.lifetime.currency), name))
            except MoneyError:
                continue  # a band the currency cannot express is left out, not a 500
        for floor, name in sorted(bands):
            if self.lifetime.minor >= floor:
                reached = name
        return reached


def donor_summary(donor: Donor) -> DonorSummary:
    """Lifetime, this year and last year, first, last and largest gift (four queries)."""
    code = settings.REPORTING_CURRENCY
    year = org_today().year
    this_start, this_end = year_bounds(year)
    last_start, _ = year_bounds(year - 1)
    counted = Donation.objects.filter(COUNTED, donor=donor, paid_at__isnull=False)
    worth = reporting_gross()

    def total(condition: Q | None = None) -> Coalesce:
        summed = Sum(worth, filter=condition) if condition is not None else Sum(worth)
        return Coalesce(summed, Value(0), output_field=IntegerField())

    figures = counted.aggregate(
        gifts=Count("pk"),
        lifetime=total(),
        this_year=total(Q(paid_at__gte=this_start, paid_at__lt=this_end)),
        last_year=total(Q(paid_at__gte=last_start, paid_at__lt=this_start)),
        unconverted=Count("pk", filter=~settled_in_reporting() & ~unsettled_in_reporting()),
    )
    return DonorSummary(
        gifts=figures["gifts"],
        lifetime=Money(figures["lifetime"], code),
        this_year=Money(figures["this_year"], code),
        last_year=Money(figures["last_year"], code),
        first=counted.order_by("paid_at", "pk").first(),
        last=counted.order_by("-paid_at", "-pk").first(),
        largest=counted.annotate(worth=worth)
        .order_by(F("worth").desc(nulls_last=True), "-amount_minor", "paid_at", "pk")
        .first(),
        unconverted=figures["unconverted"],
    )


def donor_interactions(donor: Donor) -> QuerySet[Interaction]:
    """Every contact with the donor, newest first, with who and which gift."""
    return (
        Interaction.objects.filter(donor=donor)
        .select_related("staff", "donation")
        .order_by("-happened_on", "-pk")
    )


def donor_tasks(donor: Donor) -> QuerySet[DonorTask]:
    """The donor's tasks: open ones by due date, then done ones, newest first."""
    return (
        DonorTask.objects.filter(donor=donor)
        .select_related("assignee", "done_by")
        .order_by(F("done_at").desc(nulls_first=True), "due_on", "pk")
    )


def open_tasks_for(user: User) -> QuerySet[DonorTask]:
    """Open tasks on ``user``'s list: assigned to them or to nobody, soonest due first."""
    return (
        DonorTask.objects.filter(done_at__isnull=True)
        .filter(Q(assignee=user) | Q(assignee__isnull=True))
        .select_related("donor", "assignee")
        .order_by("due_on", "pk")
    )
