from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from accounts import services
from accounts.authentication import magic_links, throttle
from accounts.forms import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    LanguageForm,
    MagicLinkRequestForm,
    ProfileForm,
    ResendConfirmationForm,
    SecondFactorForm,
)
from accounts.permissions import AuthenticatedHttpRequest, second_factor_verified
from accounts.services import two_factor as two_factor_service


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    # The form queues the e-mail in the outbox (EmailPasswordResetForm.send_mail).
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # The page looks the same either way; past the limit, simply no e-mail is sent.
        if throttle.allow("password-reset", self.request, limit=10, window=3600):
            return super().form_valid(form)
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        # Whoever can read the mailbox may log in again at once, lock or no lock.
        throttle.reset(form.user.email)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@require_safe
def register_volunteer(request: HttpRequest) -> HttpResponse:
    """The old sign-up address: volunteers now apply through the volunteer application."""
    return redirect("volunteers:apply", permanent=True)


@require_http_methods(["GET", "POST"])
def confirmation_sent(request: HttpRequest) -> HttpResponse:
    """After signing up: check your inbox. Also where a lost link is asked for again."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if throttle.allow("resend-confirmation", request, limit=5, window=3600):
            services.resend_email_confirmation(email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If that address is waiting for confirmation, a new link is on its way."),
        )
        return redirect("accounts:confirmation_sent")
    return render(request, "accounts/confirmation_sent.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the confirmation e-mail. GET asks for a click (mail scanners open links
    too); POST confirms the address, opens the account and logs the person in."""
    if request.method == "POST":
        user = services.confirm_email(uidb64=uidb64, token=token)
        if user is not None:
            login(request, user, backend="accounts.authentication.backends.EmailBackend")
            messages.success(
                request,
                _("Welcome, %(name)s! Your address is confirmed.")
                % {"name": user.get_short_name()},
            )
            return redirect("home")
        return render(request, "accounts/confirm_email.html", {"valid": False}, status=400)
    return render(request, "accounts/confirm_email.html", {"valid": True})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Everyone's own account page: name, phone, language and time zone."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_own_profile(
            user=request.user,  # type: ignore[arg-type]
            **{name: form.cleaned_data[name] for name in services.OWN_PROFILE_FIELDS},
        )
        messages.success(request, _("Your details have been saved."))
        return redirect("accounts:profile")
    two_factor = two_factor_service.has_two_factor(request.user)  # type: ignore[arg-type]
    return render(request, "accounts/profile.html", {"form": form, "two_factor": two_factor})


@require_http_methods(["GET", "POST"])
def magic_link_request(request: HttpRequest) -> HttpResponse:
    """Ask for a login link by e-mail. The answer is the same whether or not the address
    has an account; past the throttle, simply nothing is sent."""
    form = MagicLinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if throttle.allow("magic-link", request, limit=10, window=3600) and throttle.allow(
            f"magic-link:{throttle.email_bucket(email)}", request, limit=5, window=3600
        ):
            magic_links.send_magic_link(email=email)
        return redirect("accounts:magic_link_sent")
    return render(request, "accounts/magic_link_request.html", {"form": form})


@require_safe
def magic_link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/magic_link_sent.html",
        {"valid_minutes": magic_links.valid_minutes()},
    )


@require_http_methods(["GET", "POST"])
def magic_link_login(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. GET asks for a click (mail scanners open links too and
    must not use it up); POST uses the link once and logs the person in."""
    if request.method == "POST":
        user = magic_links.consume_magic_link(token=token)
        if user is None:
            return render(request, "accounts/magic_link_login.html", {"valid": False}, status=400)
        throttle.reset(user.email)
        login(request, user, backend="accounts.authentication.backends.EmailBackend")
        return redirect("home")
    valid = magic_links.peek_magic_link(token=token) is not None
    return render(
        request, "accounts/magic_link_login.html", {"valid": valid}, status=200 if valid else 400
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language: remembered in a cookie, and as the preference of a
    logged-in person (so their e-mails, texts and receipts follow too)."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if not form.is_valid():
        messages.error(request, _("That language is not available."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.set_preferred_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


# ---------------------------------------------------------------------------------------
# Two-factor login (accounts/services/two_factor.py)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second factor: a code from the authenticator app, or a recovery code. Staff
    pages send here until it is given in this session; someone without an authenticator
    yet is sent to set one up."""
    if second_factor_verified(request):
        return redirect(_next_url(request))
    if not two_factor_service.has_two_factor(request.user):
        return redirect(_with_next("accounts:two_factor_setup", request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_service.verify(
                user=request.user, token=form.cleaned_data["token"], request=request
            )
        except two_factor_service.TwoFactorError as exc:
            form.add_error("token", str(exc))
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), enter one code.

    Someone who has one already must give the second factor first, so a stolen password
    alone cannot replace it."""
    user = request.user
    if two_factor_service.has_two_factor(user) and not second_factor_verified(request):
        return redirect(_with_next("accounts:two_factor", request))
    device = two_factor_service.start_enrolment(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor_service.confirm_enrolment(
                user=user, device=device, token=form.cleaned_data["token"], request=request
            )
        except two_factor_service.TwoFactorError as exc:
            form.add_error("token", str(exc))
        else:
            otp_login(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(_with_next("accounts:two_factor_codes", request))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),  # noqa: S308 - segno's own SVG, no user input in markup
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/two_factor_setup.html", context)


RECOVERY_CODES_SESSION_KEY = "two_factor_recovery_codes"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recovery codes, shown once after enrolment; POST makes new ones (the old stop
    working)."""
    if not two_factor_service.has_two_factor(request.user):
        return redirect(_with_next("accounts:two_factor_setup", request))
    if not second_factor_verified(request):
        return redirect(_with_next("accounts:two_factor", request))
    if request.method == "POST":
        codes = two_factor_service.new_recovery_codes(user=request.user, request=request)
    else:
        codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, [])
    return render(
        request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next_url(request)}
    )
