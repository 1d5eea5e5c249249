from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.authentication import throttle
from accounts.models import User, normalize_email, time_zone_choices
from core import locales


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with e-mail and password; too many failures lock the address for a while."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That e-mail address and password do not match an account. Check both, or reset "
            "your password."
        ),
        "throttled": _(
            "Too many failed attempts. Wait %(minutes)s minutes, or reset your password."
        ),
        "unconfirmed": _(
            "Confirm your e-mail address first: open the link we sent you when you applied. "
            "No e-mail? Ask for a new link below."
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username") or ""
        if email and not throttle.register_attempt(email, self.request):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            password = self.cleaned_data.get("password") or ""
            waiting = User.objects.filter(
                email=normalize_email(email), is_active=False, email_confirmed_at__isnull=True
            ).first()
            if waiting is not None and waiting.check_password(password):
                raise forms.ValidationError(
                    self.error_messages["unconfirmed"], code="unconfirmed"
                ) from None
            raise
        throttle.attempt_succeeded(email, self.request)
        return cleaned


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class VolunteerRegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        required=False,
        help_text=_(
            "For shift reminders by text message. Include the country code "
            "if you are outside the organisation's country."
        ),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password and not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = settings.LANGUAGE_CODE
        self.fields["time_zone"].initial = settings.ORG_TIME_ZONE

    def clean_email(self) -> str:
        # Whether the address has an account is never said here: see register_volunteer.
        return normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "phone", "preferred_language", "time_zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].widget = forms.Select(choices=settings.LANGUAGES)
        self.fields["time_zone"].widget = forms.Select(choices=time_zone_choices())
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True


class MagicLinkRequestForm(forms.Form):
    """Ask for a login link. Whether the address has an account is never said."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class LanguageForm(forms.Form):
    """The language switcher: the languages the pages can be shown in, in their own names."""

    language = forms.ChoiceField(label=_("Language"))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        available = locales.page_languages()
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, name) for code, name in settings.LANGUAGES if code in available]
