"""The outbox page for coordinators; preferences and one-click unsubscribe for everyone."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from accounts.permissions import AuthenticatedHttpRequest, permission_required
from notifications import conf, selectors, services
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
                push_enabled=form.cleaned_data["push_enabled"],
                push_kinds=form.cleaned_data["push_kinds"],
            )
            messages.success(request, _("Your message preferences have been saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(instance=preference, has_phone=has_phone)
    context = {
        "form": form,
        "has_phone": has_phone,
        # The browser subscribes with this key (static/js/pwa.js); empty: push is off.
        "vapid_public_key": settings.VAPID_PUBLIC_KEY if conf.push_enabled() else "",
    }
    return render(request, "notifications/preferences.html", context)


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


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's webhook for texts sent to our number. Verified with the SDK's
    RequestValidator against the URL Twilio called (403 when the signature is missing or
    wrong: nothing is stored or done); answered with TwiML."""
    token = str(getattr(settings, "TWILIO_AUTH_TOKEN", "") or "")
    validator = RequestValidator(token)
    algorithm = get_signature_algorithm(
        request.headers.get("X-Twilio-Webhooks-Signature-Settings", "")
    )
    signature = request.headers.get("X-Twilio-Signature", "")
    if (
        not token
        or not signature
        or not validator.validate(request.build_absolute_uri(), request.POST, signature, algorithm)
    ):
        return HttpResponseForbidden("Invalid signature.")
    sid = request.POST.get("MessageSid", "") or request.POST.get("SmsSid", "")
    number = request.POST.get("From", "")
    if not sid or not number:
        return HttpResponseBadRequest("MessageSid and From are required.")
    reply = services.receive_sms(
        provider_sid=sid, from_number=number, body=request.POST.get("Body", "")
    )
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")


def _subscription_fields(request: HttpRequest) -> dict[str, str] | None:
    """The browser's PushSubscription (its toJSON()), or None when it is not one."""
    if request.content_type != "application/json":
        return None
    try:
        data = json.loads(request.body or b"{}")
        keys = data["keys"]
        fields = {"endpoint": data["endpoint"], "p256dh": keys["p256dh"], "auth": keys["auth"]}
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(value, str) and value for value in fields.values()):
        return None
    if not fields["endpoint"].startswith(("https://", "http://")) or len(fields["endpoint"]) > 1000:
        return None
    if len(fields["p256dh"]) > 200 or len(fields["auth"]) > 100:
        return None
    return fields


@login_required
@require_POST
def push_subscription(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save this browser's push subscription (POST), or forget it (POST with "remove")."""
    fields = _subscription_fields(request)
    if fields is None:
        return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
    if request.GET.get("remove"):
        services.remove_subscription(user=request.user, endpoint=fields["endpoint"])
        return JsonResponse({"subscribed": False})
    services.save_subscription(user=request.user, **fields)
    return JsonResponse({"subscribed": True}, status=201)
