"""Coordinator pages about donors: directory, profile, duplicates and merge, CSV export of
donors and gifts, and the CSV import of past gifts (upload, preview, import)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from accounts.roles import Role
from core.http.spreadsheets import safe_row
from core.search import kept_query
from donations.forms.engagement import InteractionForm, TaskForm
from donations.forms.portal import (
    GiftFileForm,
    ImportChoiceForm,
    MergeForm,
)
from donations.forms.segments import DonorFilterForm, SegmentForm
from donations.models import Donor, DonorMerge, GiftImport
from donations.selectors import donors as selectors
from donations.selectors.gifts import gift_export
from donations.selectors.segments import (
    SEGMENT_KEYS,
    all_tags,
    filtered_donors,
    filters_from_query,
    segments,
)
from donations.services.donor_records import MergeError, merge_donors
from donations.services.gift_import import (
    ImportRefused,
    check_gift_file,
    import_gifts,
    upload_gift_file,
)

PAGE_SIZE = 50


class Echo:
    """A file-like object whose ``write`` hands the line back, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    """A streamed CSV download: rows are written as they are read from the database."""
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response  # type: ignore[return-value]


@permission_required("giving.view")
@require_GET
def donor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "donations/records/donors.html", donor_list_context(request))


def donor_list_context(
    request: AuthenticatedHttpRequest, *, segment_form: SegmentForm | None = None
) -> dict[str, Any]:
    """The donor list filtered as the address asks (the form explains values it cannot
    read, which the list then leaves out), with the saved segments and the tag form."""
    form = DonorFilterForm(request.GET or None)
    form.is_valid()
    filters = filters_from_query(request.GET)
    page = Paginator(filtered_donors(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    kept = kept_query(query.urlencode(), SEGMENT_KEYS)
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(kept),
        "kept_query": kept,
        "segments": list(segments()),
        "tags": list(all_tags()),
        "segment_form": segment_form or SegmentForm(initial={"query": kept}),
        "section": "donors",
        "zone": settings.ORG_TIME_ZONE,
    }


def donor_record_context(donor: Donor, **forms: Any) -> dict[str, Any]:
    """Everything the donor record shows (a fixed number of queries, whatever the number
    of gifts); ``forms`` replace the empty interaction and task forms (to show errors)."""
    totals = selectors.yearly_totals(donor)
    user = donor.user
    return {
        "donor": donor,
        "summary": selectors.donor_summary(donor),
        "gifts": list(selectors.donor_gifts(donor)),
        "totals": totals,
        "lifetime": selectors.lifetime_totals(totals),
        "recurring": list(selectors.donor_recurring(donor)),
        "receipts": list(selectors.donor_receipts(donor)),
        "interactions": list(selectors.donor_interactions(donor)),
        "tasks": list(selectors.donor_tasks(donor)),
        "interaction_form": forms.get("interaction_form") or InteractionForm(donor=donor),
        "donor_tags": list(donor.tags.order_by("name", "pk")),
        "tags": list(all_tags()),
        "task_form": forms.get("task_form") or TaskForm(),
        "merges": list(DonorMerge.objects.filter(kept=donor).select_related("merged_by")),
        "also_volunteer": user is not None and Role.VOLUNTEER in user.roles,
        "stripe_erasures": selectors.waiting_stripe_erasures(donor),
        "section": "donors",
        "zone": settings.ORG_TIME_ZONE,
        "reporting_currency": settings.REPORTING_CURRENCY,
    }


@permission_required("giving.view")
@require_GET
def donor_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    donor = get_object_or_404(Donor.objects.select_related("user"), pk=pk)
    return render(request, "donations/records/donor.html", donor_record_context(donor))


@permission_required("giving.view")
@require_GET
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "donations/records/duplicates.html",
        {"groups": selectors.duplicate_groups(), "section": "donors"},
    )


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def merge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET (from the duplicates page): confirm which donor is kept. POST: merge."""
    form = MergeForm(request.POST if request.method == "POST" else request.GET or None)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        for name in ("kept", "duplicate"):
            for error in form.errors.get(name, []):
                messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect("donations:coord_duplicates")
    kept: Donor = form.cleaned_data["kept"]
    duplicate: Donor = form.cleaned_data["duplicate"]
    if request.method == "POST":
        try:
            merge_donors(kept=kept, duplicate=duplicate, merged_by=request.user)
        except MergeError as exc:
            messages.error(request, str(exc))
            return redirect("donations:coord_duplicates")
        messages.success(
            request,
            gettext("%(dup)s was merged into %(kept)s.") % {"dup": duplicate, "kept": kept},
        )
        return redirect("donations:coord_donor", pk=kept.pk)
    counts = {
        donor.pk: (donor.donations.count(), donor.recurring_gifts.count())
        for donor in (kept, duplicate)
    }
    return render(
        request,
        "donations/records/merge_confirm.html",
        {
            "form": form,
            "kept": kept,
            "duplicate": duplicate,
            "dup_gifts": counts[duplicate.pk][0],
            "dup_recurring": counts[duplicate.pk][1],
            "section": "donors",
        },
    )


@permission_required("giving.export")
@require_GET
def export_donors(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every donor, or those the list's filter (its address query) selects."""
    kept = kept_query(request.GET.urlencode(), SEGMENT_KEYS)
    donors = filtered_donors(filters_from_query(kept)) if kept else None
    return donor_csv("donors.csv", donors)


def donor_csv(filename: str, donors: QuerySet[Donor] | None) -> HttpResponse:
    """The donor CSV of ``donors`` (None: every donor)."""
    rows_of = selectors.donor_export_rows(donors)
    header = ["id", *selectors.DONOR_EXPORT_COLUMNS[1:]]
    rows = (
        [
            *row[:11],
            row[11].isoformat() if row[11] else "",
            row[12],
            row[13],
            row[14].isoformat() if row[14] else "",
            row[15].isoformat(),
        ]
        for row in rows_of
    )
    return csv_response(filename, header, rows)


@permission_required("giving.export")
@require_GET
def export_gifts(request: AuthenticatedHttpRequest) -> HttpResponse:
    header, rows = gift_export()
    return csv_response("gifts.csv", header, rows)


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GiftFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            gift_import = upload_gift_file(
                filename=upload.name or "gifts.csv",
                raw=upload.read(),
                uploaded_by=request.user,
            )
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("donations:coord_import_preview", pk=gift_import.pk)
    recent = GiftImport.objects.filter(imported_at__isnull=False).select_related("uploaded_by")[:10]
    return render(
        request,
        "donations/records/import_upload.html",
        {"form": form, "recent": recent, "section": "import"},
        status=400 if form.errors else 200,
    )


@permission_required("giving.manage")
@require_http_methods(["GET", "POST"])
def import_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    gift_import = get_object_or_404(GiftImport, pk=pk)
    choice = ImportChoiceForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and choice.is_valid():
        try:
            done = import_gifts(
                gift_import=gift_import,
                only_good_rows=choice.cleaned_data["only_good_rows"],
                imported_by=request.user,
            )
        except ImportRefused as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s gift from %(file)s.",
                    "Imported %(count)s gifts from %(file)s.",
                    done.rows_imported,
                )
                % {"count": done.rows_imported, "file": done.filename},
            )
            return redirect("donations:coord_import_preview", pk=done.pk)
    check = check_gift_file(gift_import) if gift_import.imported_at is None else None
    return render(
        request,
        "donations/records/import_preview.html",
        {
            "gift_import": gift_import,
            "check": check,
            "error": error,
            "section": "import",
        },
        status=400 if error else 200,
    )
