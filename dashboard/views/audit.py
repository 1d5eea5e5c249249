"""An administrator's view of the audit trail: the whole trail filtered (per record, action,
who, days) and exported as CSV, and one person's entries (about them and by them)."""

from __future__ import annotations

import csv
import json
from datetime import UTC
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.models import AuditEntry, User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from accounts.services import audit
from core.http.spreadsheets import safe_row
from core.pagination import PAGE_SIZE
from dashboard.forms.audit import AuditFilterForm


def _page(request: AuthenticatedHttpRequest, entries: Any) -> tuple[Any, str]:
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@permission_required("audit.view")
@require_http_methods(["GET", "HEAD"])
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = AuditFilterForm(
        request.GET or None,
        actions=selectors.audit_choices("action"),
        object_types=selectors.audit_choices("object_type"),
    )
    page, query = _page(request, selectors.audit_entries(**filters.filters()))
    return render(
        request,
        "dashboard/audit_trail.html",
        {"filters": filters, "page": page, "query": query},
    )


@permission_required("audit.view")
@require_http_methods(["GET", "HEAD"])
def person_audit(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    filters = AuditFilterForm(
        request.GET or None,
        actions=selectors.audit_choices("action", person=person),
        object_types=selectors.audit_choices("object_type", person=person),
    )
    page, query = _page(request, selectors.audit_entries(person=person, **filters.filters()))
    return render(
        request,
        "dashboard/person_audit.html",
        {"person": person, "filters": filters, "page": page, "query": query},
    )


CSV_HEADER = (
    gettext_lazy("When (UTC)"),
    gettext_lazy("Who"),
    gettext_lazy("Action"),
    gettext_lazy("Kind"),
    gettext_lazy("About"),
    gettext_lazy("Record type"),
    gettext_lazy("Record id"),
    gettext_lazy("Changes"),
    gettext_lazy("Details"),
    gettext_lazy("IP address"),
)


def _csv_row(entry: AuditEntry, system: str) -> list[object]:
    return safe_row(
        [
            entry.created_at.astimezone(UTC).isoformat(sep=" "),
            entry.actor.email if entry.actor else system,
            entry.action,
            entry.get_kind_display(),
            entry.subject.email if entry.subject else "",
            entry.object_type,
            entry.object_id,
            json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
            json.dumps(entry.data, ensure_ascii=False, sort_keys=True) if entry.data else "",
            entry.ip_address or "",
        ]
    )


@permission_required("audit.view")
@require_http_methods(["GET", "HEAD"])
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The entries the page's filters select (all pages) as CSV; the export is itself
    recorded in the trail (after the rows, so it is not among them)."""
    form = AuditFilterForm(
        request.GET or None,
        actions=selectors.audit_choices("action"),
        object_types=selectors.audit_choices("object_type"),
    )
    if form.is_bound and not form.is_valid():
        # Never more than the page showed: an invalid filter is an error here, not left out.
        return HttpResponseBadRequest(
            gettext("Correct the filters on the audit page, then download the entries again."),
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    entries = selectors.audit_entries(**filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    system = gettext("the system")
    rows = 0
    for entry in entries.iterator(chunk_size=500):
        writer.writerow(_csv_row(entry, system))
        rows += 1
    # The person filtered on is the entry's subject (by id), never their address in the
    # data: an erasure finds and scrubs entries about a person by subject.
    address = filters.pop("actor", None)
    subject = (
        User.objects.filter(email__iexact=address).values_list("pk", flat=True).first()
        if address
        else None
    )
    audit.record(
        "accounts.audit.exported",
        actor=request.user,
        subject=subject,
        kind=AuditEntry.Kind.EXPORT,
        data={"filters": {**filters, **({"actor": "subject"} if address else {})}, "rows": rows},
        request=request,
    )
    return response
