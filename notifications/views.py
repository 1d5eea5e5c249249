"""The outbox page for coordinators; preferences and one-click unsubscribe for everyone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from notifications import selectors, services
from notifications.forms import OutboxFilterForm, PreferencesForm
from notifications.models import Message, NotificationPreference

PAGE_SIZE = 50


@permission_required("outbox.view")
@require_http_methods(["GET", "HEAD"])
def outbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = OutboxFilterForm(request.GET or None, kinds=selectors.outbox_kinds())
    kind = status = recipient = ""
    if filters.is_valid():
        kind = filters.cleaned_data["kind"]
        status = filters.cleaned_data["status"]
        recipient = filters.cleaned_data["recipient"].strip()
    page = Paginator(
        selectors.outbox_list(kind=kind, status=status, recipient=recipient), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/coordinator/outbox.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


@permission_required("outbox.manage")
@require_POST
def resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk)
    try:
        services.resend_message(message_id=message.pk)
    except services.OutboxError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The message to %(email)s will be sent again.") % {"email": message.recipient.email},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("notifications:outbox")
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    preference = services.preferences_for(request.user)
    has_phone = bool(request.user.phone)
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=preference, has_phone=has_phone)
        if form.is_valid():
            services.update_preferences(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                sms_enabled=form.cleaned_data["sms_enabled"],
                non_essential_opt_out=form.cleaned_data["non_essential_opt_out"],
            )
            messages.success(request, _("Your message preferences have been saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(instance=preference, has_phone=has_phone)
    return render(request, "notifications/preferences.html", {"form": form, "has_phone": has_phone})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation button; POST (the button, or a mail client) unsubscribes.

    The long random token in the address is the authority, as in the List-Unsubscribe
    header; it changes nothing but turning off non-essential messages.
    """
    if request.method == "POST":
        preference = services.unsubscribe(token=token)
        if preference is None:
            raise Http404("Unknown unsubscribe link.")
        return render(request, "notifications/unsubscribed.html", {"preference": preference})
    preference = get_object_or_404(NotificationPreference, unsubscribe_token=token)
    return render(request, "notifications/unsubscribe_confirm.html", {"preference": preference})
