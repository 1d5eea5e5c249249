"""Messages to a group: compose, preview for one real recipient, send, follow delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from core.pagination import PAGE_SIZE
from dashboard.forms.group_messages import GroupMessageForm
from dashboard.message_kinds import GROUP_MESSAGE
from dashboard.models import GroupMessage
from dashboard.selectors import group_messages as selectors
from dashboard.selectors.audiences import reach
from dashboard.services.group_messages import message_context, send_group_message
from notifications.models import Channel, Message
from notifications.services.preferences import preferences_for
from notifications.services.rendering import render_message


@permission_required("volunteering.manage", "giving.manage")
@require_http_methods(["GET", "HEAD"])
def group_message_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.sent_group_messages(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/messages/list.html", {"page": page})


@permission_required("volunteering.manage", "giving.manage")
@require_http_methods(["GET", "HEAD", "POST"])
def group_message_compose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the form (``?audience=...&shift=...`` fill it in). POST with ``preview``: who
    gets it, by which channel, and the message as its first recipient will read it. POST
    with ``send``: queued once, then the delivery page."""
    if request.method != "POST":
        initial = {
            key: request.GET[key] for key in ("audience", "shift", "role") if key in request.GET
        }
        form = GroupMessageForm(initial=initial, user=request.user)
        return render(request, "dashboard/messages/compose.html", {"form": form})
    form = GroupMessageForm(request.POST, user=request.user)
    if not form.is_valid() or form.resolved is None:
        return render(request, "dashboard/messages/compose.html", {"form": form}, status=400)
    data = form.cleaned_data
    if "send" not in request.POST:
        return render(
            request, "dashboard/messages/compose.html", {"form": form, **_preview(request, form)}
        )
    sent = send_group_message(
        token=data["token"],
        sender=request.user,
        audience=form.resolved,
        parameters=form.parameters(),
        subject=data["subject"],
        body=data["body"],
        by_email=data["by_email"],
        by_sms=data["by_sms"],
        essential=data["essential"],
    )
    if sent.created:
        count = sent.group.recipient_count
        messages.success(
            request,
            ngettext(
                "Your message is queued for %(count)d person.",
                "Your message is queued for %(count)d people.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("This message had been sent already; it was not sent again."))
    return redirect("dashboard:group_message", pk=sent.group.pk)


def _preview(request: AuthenticatedHttpRequest, form: GroupMessageForm) -> dict[str, object]:
    assert form.resolved is not None
    data = form.cleaned_data
    first = form.resolved.people[0]
    preference = preferences_for(first)
    context = message_context(subject=data["subject"], body=data["body"], sender=request.user)
    email = render_message(
        Message(
            recipient=first,
            kind=GROUP_MESSAGE.name,
            context=context,
            channel=Channel.EMAIL,
            essential=data["essential"],
        ),
        preference,
    )
    sms = render_message(
        Message(recipient=first, kind=GROUP_MESSAGE.name, context=context, channel=Channel.SMS),
        preference,
    )
    return {
        "preview": email,
        "preview_sms": sms.sms if data["by_sms"] else "",
        "preview_person": first,
        "audience": form.resolved,
        "reach": reach(
            form.resolved.people,
            by_email=data["by_email"],
            by_sms=data["by_sms"],
            essential=data["essential"],
        ),
    }


@permission_required("volunteering.manage", "giving.manage")
@require_http_methods(["GET", "HEAD"])
def group_message_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(GroupMessage.objects.select_related("sender"), pk=pk)
    rows = list(selectors.deliveries(group))
    return render(
        request,
        "dashboard/messages/detail.html",
        {"group": group, "rows": rows, "counts": selectors.delivery_counts(rows)},
    )
