"""Year-end statements: every gift a donor made in a year, net of refunds, with totals.

A statement is made from the ledger whenever it is asked for (``statement_pdf``), so it is
always current. ``start_statement_run`` is a coordinator's "send the statements for
2026": it records a ``StatementRun`` and, after commit, a Celery task runs
``generate_statements``, which makes each donor's PDF and queues it to them by e-mail,
updating the run's progress as it goes.
"""

from __future__ import annotations

import base64
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import audit
from core.dates import org_day, org_today, year_bounds
from core.locales import display_year, translated
from core.tasks import enqueue_on_commit
from donations.message_kinds import STATEMENT
from donations.models import (
    Donation,
    DonationStatus,
    Donor,
    Receipt,
    ReceiptStatus,
    StatementRun,
    StatementRunStatus,
)
from donations.money import Money
from donations.pdf import StatementDocument, StatementLine, render_statement
from donations.selectors.reporting import reporting_figures_of
from donations.services.donors import donor_account
from donations.services.receipts import donor_address, gift_method, receipt_language
from notifications.services import enqueue_message

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# Gifts whose money we kept (some of it, for a partial refund); a refunded gift nets 0.
STATEMENT_STATUSES: Final = (
    DonationStatus.PAID,
    DonationStatus.PARTIALLY_REFUNDED,
    DonationStatus.DISPUTE_WON,
)
EMAIL_KIND: Final = STATEMENT.name
STALE_AFTER: Final = timedelta(hours=1)


def statement_gifts(*, donor: Donor, year: int) -> QuerySet[Donation]:
    """The donor's gifts paid in ``year`` that count (net above zero), oldest first, each
    with its receipt in force prefetched as ``issued_receipts``."""
    start, end = year_bounds(year)
    return (
        Donation.objects.filter(
            donor=donor, paid_at__gte=start, paid_at__lt=end, status__in=STATEMENT_STATUSES
        )
        .select_related("campaign")
        .prefetch_related(
            Prefetch(
                "receipts",
                queryset=Receipt.objects.filter(status=ReceiptStatus.ISSUED),
                to_attr="issued_receipts",
            )
        )
        .order_by("paid_at", "pk")
    )


def statement_document(
    *, donor: Donor, year: int, language: str | None = None
) -> StatementDocument:
    """The statement's content: one line per gift (net of refunds, in its own currency),
    totals per currency; beside them each gift's gross, fee and net in the reporting
    currency (``selectors.reporting``) and their totals. A gift with no figure in the
    reporting currency yet shows none and is counted in ``unconverted``."""
    language = language or receipt_language(donor)
    code = settings.REPORTING_CURRENCY
    lines: list[StatementLine] = []
    totals: dict[str, int] = defaultdict(int)
    reporting = [0, 0, 0]
    unconverted = 0
    with translation.override(language):
        for gift in statement_gifts(donor=donor, year=year):
            if gift.net_minor <= 0:
                continue
            assert gift.paid_at is not None
            receipts: list[Receipt] = getattr(gift, "issued_receipts", [])
            figures = reporting_figures_of(gift)
            if figures is None:
                unconverted += 1
            else:
                reporting = [total + part for total, part in zip(reporting, figures, strict=True)]
            lines.append(
                StatementLine(
                    received_on=org_day(gift.paid_at),
                    receipt_number=receipts[0].display_number if receipts else "",
                    campaign=translated(gift.campaign, "name") if gift.campaign else "",
                    method=gift_method(gift),
                    money=gift.net,
                    reporting=None
                    if figures is None
                    else (
                        Money(figures[0], code),
                        Money(figures[1], code),
                        Money(figures[2], code),
                    ),
                )
            )
            totals[gift.currency] += gift.net_minor
    return StatementDocument(
        year=year,
        language=language,
        donor_name=donor.name,
        donor_address=donor_address(donor),
        created_on=org_today(),
        lines=lines,
        totals=[Money(minor, currency) for currency, minor in sorted(totals.items())],
        reporting_currency=code,
        reporting_totals=(
            Money(reporting[0], code),
            Money(reporting[1], code),
            Money(reporting[2], code),
        ),
        unconverted=unconverted,
    )


def statement_pdf(*, donor: Donor, year: int) -> bytes:
    return render_statement(statement_document(donor=donor, year=year))


def statement_filename(*, donor: Donor, year: int) -> str:
    return f"statement-{year}-{donor.pk}.pdf"


def donors_for_year(year: int) -> QuerySet[Donor]:
    """Donors with at least one counted gift paid in ``year``, in a fixed order."""
    start, end = year_bounds(year)
    return (
        Donor.objects.filter(
            donations__paid_at__gte=start,
            donations__paid_at__lt=end,
            donations__status__in=STATEMENT_STATUSES,
        )
        .distinct()
        .order_by("pk")
    )


def start_statement_run(*, year: int, by: User) -> StatementRun:
    """Record a run for ``year`` and start its task after commit; one run at a time per year."""
    if year < 2000 or year > org_today().year:
        raise ValidationError(gettext("Choose a year between 2000 and this year."), code="bad_year")
    now = timezone.now()
    try:
        with transaction.atomic():
            _close_stale_runs(year, now, by)
            run = StatementRun.objects.create(year=year, started_by=by)
            audit.record(
                "donations.statement_run.started",
                actor=by,
                obj=run,
                changes=audit.changed_fields({}, {"year": run.year, "status": run.status}),
            )
            _enqueue_run(run.pk)
    except IntegrityError:
        raise ValidationError(
            gettext("The statements for %(year)s are being made already."),
            params={"year": display_year(year)},
            code="running",
        ) from None
    return run


def _close_stale_runs(year: int, now: datetime, by: User) -> None:
    """A run that made no progress for an hour is dead (its task was lost or killed): close
    it, so that it does not block the year for ever."""
    error = "Stopped: no progress for an hour; started again."
    stale = list(
        StatementRun.objects.select_for_update()
        .filter(
            year=year,
            status__in=[StatementRunStatus.PENDING, StatementRunStatus.RUNNING],
            created_at__lt=now - STALE_AFTER,
        )
        .order_by("pk")
    )
    for run in stale:
        audit.record(
            "donations.statement_run.closed_stale",
            actor=by,
            obj=run,
            changes=audit.changed_fields(
                {"status": run.status, "error": run.error},
                {"status": StatementRunStatus.FAILED, "error": error},
            ),
        )
    StatementRun.objects.filter(pk__in=[run.pk for run in stale]).update(
        status=StatementRunStatus.FAILED, error=error, finished_at=now
    )


def _enqueue_run(run_id: int) -> None:
    """Start the run's task once the transaction that recorded the run commits (by the
    task's name: the tasks module imports this one)."""
    enqueue_on_commit("donations.run_statements", run_id=run_id)


def _queue_statement_email(*, run: StatementRun, donor: Donor, pdf: bytes) -> bool:
    if not donor.email:
        return False
    message = enqueue_message(
        recipient=donor_account(donor),
        kind=EMAIL_KIND,
        dedupe_key=f"{EMAIL_KIND}:{run.year}:{run.pk}:{donor.pk}",
        context={
            "year": run.year,
            "history_url": f"{settings.SITE_URL.rstrip('/')}{reverse('donations:home')}",
        },
        essential=True,
        attachments=[
            {
                "filename": statement_filename(donor=donor, year=run.year),
                "content_type": "application/pdf",
                "content": base64.b64encode(pdf).decode("ascii"),
                "encoding": "base64",
            }
        ],
    )
    return message is not None


def generate_statements(*, run_id: int) -> StatementRun:
    """Make and e-mail every donor's statement of the run's year, counting progress.

    Safe to run again (a retried task): the run restarts its count, and the e-mails already
    queued for this run are not queued twice (dedupe key per run and donor).
    """
    claimed = StatementRun.objects.filter(
        pk=run_id, status__in=[StatementRunStatus.PENDING, StatementRunStatus.RUNNING]
    ).update(status=StatementRunStatus.RUNNING, started_at=timezone.now(), done=0)
    run = StatementRun.objects.get(pk=run_id)
    if not claimed:
        return run
    donors = list(donors_for_year(run.year).select_related("user"))
    StatementRun.objects.filter(pk=run_id).update(total=len(donors))
    emailed = 0
    try:
        for index, donor in enumerate(donors, start=1):
            with transaction.atomic():
                pdf = statement_pdf(donor=donor, year=run.year)
                queued = _queue_statement_email(run=run, donor=donor, pdf=pdf)
                emailed += queued
                StatementRun.objects.filter(pk=run_id).update(done=index, emailed=emailed)
                if queued:  # a retried run queues (and records) no statement twice
                    audit.record(
                        "donations.statement.issued",
                        actor=None,
                        subject=donor.user_id,
                        obj=run,
                        data={"year": run.year, "donor": donor.pk},
                    )
    except Exception as exc:
        with transaction.atomic():
            _finish_run(run, StatementRunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:500])
        raise
    with transaction.atomic():
        _finish_run(run, StatementRunStatus.DONE, "")
    run.refresh_from_db()
    return run


def _finish_run(run: StatementRun, status: str, error: str) -> None:
    """Close the run, audited as the system: one entry per run, with its counts (each
    statement e-mailed has its own entry, about its donor)."""
    StatementRun.objects.filter(pk=run.pk).update(
        status=status, error=error, finished_at=timezone.now()
    )
    counts = StatementRun.objects.values("total", "done", "emailed").get(pk=run.pk)
    audit.record(
        "donations.statement_run.finished"
        if status == StatementRunStatus.DONE
        else "donations.statement_run.failed",
        actor=None,
        obj=run,
        changes=audit.changed_fields(
            {"status": StatementRunStatus.RUNNING}, {"status": status, "error": error}
        ),
        data={"year": run.year, **counts},
    )
