"""An administrator's view of the audit trail for one person: entries about them and by them."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.models import User
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.pagination import PAGE_SIZE
from dashboard.forms.audit import AuditFilterForm


@permission_required("audit.view")
@require_http_methods(["GET", "HEAD"])
def person_audit(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    filters = AuditFilterForm(request.GET or None, actions=selectors.person_audit_actions(person))
    action = filters.cleaned_data["action"] if filters.is_valid() else ""
    page = Paginator(selectors.person_audit(person, action=action), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/person_audit.html",
        {"person": person, "filters": filters, "page": page, "query": query.urlencode()},
    )
