from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.kinds import registered_kinds
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


def push_kind_choices() -> list[tuple[str, str]]:
    """The kinds that can come as push notifications (those with a text message)."""
    return [(kind.name, str(kind.label)) for kind in registered_kinds() if kind.sms]


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

    push_kinds = forms.MultipleChoiceField(
        label=_("Notifications on my phone for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, has_phone: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.has_phone = has_phone
        choices = push_kind_choices()
        field = self.fields["push_kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices
        chosen = self.instance.push_kinds
        field.initial = [name for name, _label in choices] if chosen is None else chosen

    def clean_sms_enabled(self) -> bool:
        enabled = bool(self.cleaned_data["sms_enabled"])
        if enabled and not self.has_phone:
            raise forms.ValidationError(
                _("Add a phone number to your account first, then turn on text messages.")
            )
        return enabled
