"""The filters of the audit pages (the whole trail, and one person's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BoundedDateField

# What the filters pass on to accounts.selectors.audit_entries.
FILTER_NAMES = ("action", "object_type", "object_id", "actor", "system", "since", "until")


class AuditFilterForm(forms.Form):
    # The actions and record types are codes, the same in every language.
    action = forms.ChoiceField(
        label=_("Action"), required=False, widget=forms.Select(attrs={"translate": "no"})
    )
    object_type = forms.ChoiceField(
        label=_("Record type"), required=False, widget=forms.Select(attrs={"translate": "no"})
    )
    object_id = forms.CharField(
        label=_("Record id"),
        required=False,
        max_length=40,
        help_text=_("With a record type: only the entries about that one record."),
    )
    actor = forms.CharField(
        label=_("Done by (e-mail address)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    system = forms.BooleanField(label=_("Done by the system only"), required=False)
    since = BoundedDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = BoundedDateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, actions: list[str], object_types: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("Any action")),
            *((action, action) for action in actions),
        ]
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", _("Any record")),
            *((name, name) for name in object_types),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and until < since:
            self.add_error("until", _("The last day cannot be before the first."))
        return data

    def filters(self) -> dict[str, Any]:
        """The filters that are valid (an invalid one is shown with its error and left out,
        so the page still lists the entries)."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in FILTER_NAMES
            if name in getattr(self, "cleaned_data", {})
            and self.cleaned_data[name] not in ("", None, False)
        }
