"""The fundraisers' tags and segments: tag donors (one on the donor record, many from the
donor list), save or delete a segment of the list, download a segment as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import AuditEntry
from accounts.permissions import AuthenticatedHttpRequest, permission_required
from accounts.services import audit
from core.forms import put_errors_on_form
from donations.forms.segments import SegmentForm, TagForm
from donations.models import DonorSegment, DonorTag
from donations.selectors.segments import segment_donors
from donations.services import segments as services
from donations.views.records import donor_csv, donor_list_context


def _back(request: AuthenticatedHttpRequest, target: str) -> str:
    """Where to go after a tag change: the page it came from (this site only), else the list."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("donations:coord_donors")


@permission_required("giving.manage")
@require_POST
def tag_donors(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a tag to, or take it off, the donors posted (the record's one, or those ticked)."""
    form = TagForm(request.POST)
    back = _back(request, request.POST.get("next", ""))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["remove"]:
            tag = DonorTag.objects.filter(name__iexact=" ".join(data["tag"].split())).first()
            count = (
                services.untag_donors(donor_ids=data["donors"], tag=tag, actor=request.user)
                if tag is not None
                else 0
            )
            messages.success(
                request,
                ngettext(
                    "Tag %(tag)s taken off %(count)d donor.",
                    "Tag %(tag)s taken off %(count)d donors.",
                    count,
                )
                % {"tag": data["tag"], "count": count},
            )
        else:
            count = services.tag_donors(
                donor_ids=data["donors"], name=data["tag"], actor=request.user
            )
            messages.success(
                request,
                ngettext(
                    "Tag %(tag)s added to %(count)d donor.",
                    "Tag %(tag)s added to %(count)d donors.",
                    count,
                )
                % {"tag": " ".join(data["tag"].split()), "count": count},
            )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    return redirect(back)


@permission_required("giving.manage")
@require_POST
def segment_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SegmentForm(request.POST)
    if form.is_valid():
        try:
            saved = services.save_segment(
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors_on_form(form, exc)
        else:
            messages.success(request, gettext("Segment saved as %(name)s.") % {"name": saved.name})
            return redirect(f"{reverse('donations:coord_donors')}?{saved.query}")
    request.GET = QueryDict(request.POST.get("query", ""))
    return render(
        request,
        "donations/records/donors.html",
        donor_list_context(request, segment_form=form),
        status=400,
    )


@permission_required("giving.manage")
@require_POST
def segment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not services.delete_segment(pk=pk, actor=request.user):
        raise Http404("No such segment.")
    messages.success(request, gettext("Segment deleted."))
    return redirect("donations:coord_donors")


@permission_required("giving.export")
@require_GET
def segment_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(DonorSegment, pk=pk)
    audit.record(
        "donor_segment.exported",
        actor=request.user,
        obj=segment,
        data={"query": segment.query},
        kind=AuditEntry.Kind.EXPORT,
        request=request,
    )
    name = slugify(segment.name) or f"segment-{segment.pk}"
    return donor_csv(f"{name}.csv", segment_donors(segment))
