from __future__ import annotations

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@register.filter
def field_error_count(form: forms.BaseForm) -> int:
    """How many fields have an error (errors about the form as a whole are not counted)."""
    return sum(1 for name in form.errors if name != NON_FIELD_ERRORS)
