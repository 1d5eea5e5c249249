from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import NotificationPreference, Status


class OutboxFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Status.choices],
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        max_length=100,
        help_text=_("Part of a name or an e-mail address."),
    )

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("Any kind")), *((k, k) for k in kinds)]  # type: ignore[attr-defined]


class PreferencesForm(forms.ModelForm[NotificationPreference]):
    class Meta:
        model = NotificationPreference
        fields = ("email_enabled", "sms_enabled", "push_enabled", "non_essential_opt_out")
        labels = {
            "push_enabled": _("Reminders as notifications on my phone"),
            "email_enabled": _("Reminders and updates by e-mail"),
            "sms_enabled": _("Reminders by text message"),
            "non_essential_opt_out": _("Stop all reminders and updates"),
        }
        help_texts = {
            "email_enabled": _("Receipts and login links always come by e-mail."),
            "sms_enabled": _("Sent to the phone number in your account."),
            "push_enabled": _(
                "On the phones and browsers where you turned notifications on below."
            ),
            "non_essential_opt_out": _("Receipts and login links are still sent."),
        }

    def __init__(self, *args: object, has_phone: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.has_phone = has_phone

    def clean_sms_enabled(self) -> bool:
        enabled = bool(self.cleaned_data["sms_enabled"])
        if enabled and not self.has_phone:
            raise forms.ValidationError(
                _("Add a phone number to your account first, then turn on text messages.")
            )
        return enabled
