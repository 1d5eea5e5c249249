"""Form fields every app shares, and the form renderer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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


SELECT_TEMPLATE: Final = "django/forms/widgets/select.html"
OPTION_TEMPLATE: Final = "django/forms/widgets/select_option.html"


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them (False left out, True bare)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(format_html(" {}", name))
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


def render_select(widget: dict[str, Any]) -> SafeString:
    """The HTML of django/forms/widgets/select.html for ``widget`` (its template context),
    written in Python: the template includes one template per option, which costs about
    0.1 ms each, so a list of 1,500 locations took longer than the rest of its page."""
    parts = [format_html('<select name="{}"', widget["name"]), _attrs_html(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    mark_safe(_attrs_html(option["attrs"])),  # noqa: S308 - escaped above
                    option["label"],
                )
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


class FormRenderer(DjangoTemplates):
    """Django's default form renderer, with drop-down lists written in Python (same HTML).

    Every other widget, and a select whose options use another template, renders through
    the templates as before.
    """

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if (
            template_name == SELECT_TEMPLATE
            and isinstance(widget, dict)
            and all(
                option.get("template_name") == OPTION_TEMPLATE
                for _name, options, _index in widget.get("optgroups", ())
                for option in options
            )
        ):
            return render_select(widget)
        return str(super().render(template_name, context, request))


class _NameChoiceIterator(ModelChoiceIterator[Model]):
    """Options as (pk, label field) pairs read with ``values_list``: no model instance, no
    ``str()`` and no wrapper object per option (a list of 1,500 locations cost ~25 ms)."""

    field: NameChoiceField

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(
            self.field.to_field_name or "pk", self.field.label_field
        )


class NameChoiceField(forms.ModelChoiceField[Model]):
    """A ``ModelChoiceField`` whose option label is one field of the model (``label_field``,
    by default "name", which must be what the model's ``str()`` shows). The cleaned value is
    the model instance, as with ``ModelChoiceField``."""

    iterator = _NameChoiceIterator

    def __init__(self, *args: Any, label_field: str = "name", **kwargs: Any) -> None:
        self.label_field = label_field
        super().__init__(*args, **kwargs)


def put_errors_on_form(
    form: forms.BaseForm, exc: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on the field it names, if the form has it."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, errors)
