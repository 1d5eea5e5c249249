"""Reads for the receipt, deposit and statement pages (kept apart from ``selectors`` so the
pages of each issue can grow without editing one file at the same time)."""

from __future__ import annotations

import re

from django.db.models import Count, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from core.search import words_match
from donations.models import Deposit, DepositLine, Donor, Receipt, StatementRun

# "R2026-000042" (any prefix), or "2026-42".
_NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<year>\d{4})-(?P<number>\d{1,9})$")
DONOR_SEARCH_LIMIT = 20


def receipt_list(
    *, search: str = "", year: int | None = None, status: str = ""
) -> QuerySet[Receipt]:
    """Receipts, newest first, with their gift, donor and the receipts they replace or that
    replace them, in one query."""
    receipts = Receipt.objects.select_related(
        "donation__donor", "replaces", "replaced_by"
    ).order_by("-issued_at", "-pk")
    if year is not None:
        receipts = receipts.filter(year=year)
    if status:
        receipts = receipts.filter(status=status)
    text = search.strip()
    if text:
        match = _NUMBER.match(text)
        if match:
            receipts = receipts.filter(year=int(match["year"]), number=int(match["number"]))
        else:
            receipts = receipts.filter(words_match(text, "donor_name", "donation__donor__email"))
    return receipts


def donor_search(text: str) -> list[Donor]:
    """Donors whose name or e-mail contains ``text`` (at most 20), for choosing a gift's donor."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        Donor.objects.filter(words_match(text, "name", "email")).order_by("name", "pk")[
            :DONOR_SEARCH_LIMIT
        ]
    )


def deposit_list() -> QuerySet[Deposit]:
    """Deposits, newest first, with their lines' count and sum (``line_count``, ``line_total``)."""
    return Deposit.objects.annotate(
        line_count=Count("lines"),
        line_total=Coalesce(Sum("lines__amount_minor"), Value(0), output_field=IntegerField()),
    ).order_by("-created_at", "-pk")


def deposit_lines(deposit: Deposit) -> QuerySet[DepositLine]:
    return deposit.lines.select_related("donor", "campaign").order_by("pk")


def statement_runs() -> QuerySet[StatementRun]:
    return StatementRun.objects.select_related("started_by").order_by("-created_at", "-pk")[:20]
