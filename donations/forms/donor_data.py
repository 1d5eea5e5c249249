"""The confirmation an administrator types before a donor without an account is erased."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DonorErasureForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the donor's e-mail address (or their name, if they have none) to confirm"),
        max_length=254,
        help_text=_("Erasure cannot be undone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
