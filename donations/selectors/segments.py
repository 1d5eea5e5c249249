"""The donor list filtered by tag and by giving, and the saved segments that keep a filter.

One parser, ``filters_from_query``, reads a filter from the list's address query: the page
uses it for what the fundraiser typed (the form shows the errors), a saved segment for its
stored query, and a group message's audience for the segment it names. A value that is no
longer valid (a deleted tag or campaign, a mistyped amount) is left out, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from django.conf import settings
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict

from core.dates import org_midnight, org_today
from donations.models import Campaign, Donor, DonorSegment, DonorTag, RecurringGift, RecurringStatus
from donations.money import MoneyError, parse_amount
from donations.selectors.donors import donor_directory
from donations.selectors.gifts import COUNTED_STATUSES
from donations.selectors.reporting import reporting_gross
from donations.selectors.reports import counted_gifts, lybunt

# What a segment keeps of the donor list's address: every filter, never the page.
SEGMENT_KEYS: Final = (
    "q",
    "tag",
    "lapsed",
    "monthly",
    "total_min",
    "campaign",
    "last_after",
    "last_before",
)
CHECKED: Final = ("on", "1", "true")


@dataclass(frozen=True)
class DonorFilters:
    search: str = ""
    tag: DonorTag | None = None
    lapsed: bool = False  # gave last year, not this year (in the organisation's zone)
    monthly: bool = False  # has an active monthly gift
    total_min: int | None = None  # lifetime gross in the reporting currency, minor units
    campaign: Campaign | None = None  # gave to this campaign (a counted gift)
    last_after: date | None = None  # last counted gift on or after this day
    last_before: date | None = None  # last counted gift before this day

    @property
    def active(self) -> bool:
        return self != DonorFilters(search=self.search) or bool(self.search)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _pk(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


def filters_from_query(query: str | QueryDict) -> DonorFilters:
    """The filter an address query asks for (two queries at most: the tag, the campaign)."""
    params = QueryDict(query) if isinstance(query, str) else query
    tag_id = _pk(params.get("tag", ""))
    campaign_id = _pk(params.get("campaign", ""))
    total_min: int | None = None
    total_text = str(params.get("total_min", "")).strip()
    if total_text:
        try:
            total_min = parse_amount(total_text, settings.REPORTING_CURRENCY).minor
        except MoneyError:
            total_min = None
    return DonorFilters(
        search=params.get("q", "")[:200],
        tag=DonorTag.objects.filter(pk=tag_id).first() if tag_id else None,
        lapsed=params.get("lapsed", "") in CHECKED,
        monthly=params.get("monthly", "") in CHECKED,
        total_min=total_min,
        campaign=Campaign.objects.filter(pk=campaign_id).first() if campaign_id else None,
        last_after=_day(params.get("last_after", "")),
        last_before=_day(params.get("last_before", "")),
    )


def filtered_donors(filters: DonorFilters) -> QuerySet[Donor]:
    """The donor directory (``gift_count``, ``last_gift_at``, tags prefetched) narrowed by
    ``filters``; the total is lifetime gross of counted gifts in the reporting currency
    (gifts with no figure in it count for nothing)."""
    donors = donor_directory(search=filters.search).prefetch_related(
        Prefetch("tags", queryset=DonorTag.objects.order_by("name", "pk"))
    )
    if filters.tag is not None:
        donors = donors.filter(pk__in=filters.tag.donors.values("pk"))
    if filters.lapsed:
        donors = donors.filter(pk__in=lybunt(org_today().year).values("pk"))
    if filters.monthly:
        donors = donors.filter(
            Exists(
                RecurringGift.objects.filter(donor=OuterRef("pk"), status=RecurringStatus.ACTIVE)
            )
        )
    if filters.campaign is not None:
        donors = donors.filter(
            Exists(counted_gifts().filter(donor=OuterRef("pk"), campaign=filters.campaign))
        )
    if filters.total_min is not None:
        donors = donors.annotate(
            reporting_total=Coalesce(
                Sum(
                    reporting_gross("donations__"),
                    filter=Q(donations__status__in=COUNTED_STATUSES),
                ),
                Value(0),
                output_field=IntegerField(),
            )
        ).filter(reporting_total__gte=filters.total_min)
    if filters.last_after is not None:
        donors = donors.filter(last_gift_at__gte=org_midnight(filters.last_after))  # type: ignore[misc]
    if filters.last_before is not None:
        donors = donors.filter(last_gift_at__lt=org_midnight(filters.last_before))  # type: ignore[misc]
    return donors


def segment_donors(segment: DonorSegment) -> QuerySet[Donor]:
    """Who is in ``segment`` now (resolved each time: donors change)."""
    return filtered_donors(filters_from_query(segment.query))


def segments() -> QuerySet[DonorSegment]:
    return DonorSegment.objects.order_by("name", "pk")


def all_tags() -> QuerySet[DonorTag]:
    return DonorTag.objects.order_by("name", "pk")
