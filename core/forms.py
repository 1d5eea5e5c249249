"""Form fields every app shares."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2199, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2199: a typo such as 9999-12-31 is a clear form error, not an
    overflow deeper down when a day is added to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators.append(
            MinValueValidator(EARLIEST, message=_("Enter a date in 1900 or later."))
        )
        self.validators.append(
            MaxValueValidator(LATEST, message=_("Enter a date before the year 2200."))
        )
