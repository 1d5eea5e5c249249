"""The confirmation an administrator types before a person is erased."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the person's e-mail address to confirm"),
        max_length=254,
        help_text=_("Erasure cannot be undone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
