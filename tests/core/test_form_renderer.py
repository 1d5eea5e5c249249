"""core.forms.FormRenderer writes drop-down lists in Python: the same HTML as Django's."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from core.forms import FormRenderer

GROUPED = [
    ("", "Any"),
    ("Outreach", [("1", "Schools & <colleges>"), ("2", 'Crisis "text" line')]),
    ("3", "Fundraising"),
]


class Fields(forms.Form):
    plain = forms.ChoiceField(choices=GROUPED, required=True)
    optional = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=GROUPED, required=False)
    yes_no = forms.NullBooleanField(required=False)
    styled = forms.ChoiceField(
        choices=[("a", "A"), ("b", "B")],
        widget=forms.Select(attrs={"class": "wide", "data-x": "1 < 2", "hx-get": "/x"}),
    )


class DisabledOption(forms.Select):
    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if option["value"] == "b":
            option["attrs"]["disabled"] = True
        return option


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "2", "optional": "", "many": ["1", "3"], "yes_no": "true", "styled": "b"},
        {"plain": "nope", "many": ["9"], "yes_no": "false"},
    ],
)
def test_every_select_is_the_same_html_as_django_renders(data: dict[str, Any] | None) -> None:
    ours = Fields(data, renderer=FormRenderer())
    django = Fields(data, renderer=DjangoTemplates())
    for name in Fields.base_fields:
        # The same elements, attributes and text (the templates add blank lines).
        assert parse_html(str(ours[name])) == parse_html(str(django[name])), name
    assert parse_html(ours.as_div()) == parse_html(django.as_div())


def test_a_long_list_is_the_same_html() -> None:
    choices = [(str(n), f"Location {n}") for n in range(1500)]
    html = forms.Select(choices=choices).render("location", "1499", renderer=FormRenderer())
    assert html.count("<option") == 1500
    assert '<option value="1499" selected>Location 1499</option>' in html
    django = forms.Select(choices=choices).render("location", "1499", renderer=DjangoTemplates())
    assert parse_html(html) == parse_html(django)


def test_an_option_with_extra_attributes_is_the_same_html() -> None:
    widget = DisabledOption(choices=[("a", "A"), ("b", "B")])
    ours = widget.render("pick", "a", renderer=FormRenderer())
    assert '<option value="b" disabled>B</option>' in ours
    assert parse_html(ours) == parse_html(widget.render("pick", "a", renderer=DjangoTemplates()))


def test_a_select_whose_options_use_another_template_renders_through_it() -> None:
    widget = forms.Select(choices=[("a", "A"), ("b", "B")])
    widget.option_template_name = "django/forms/widgets/input_option.html"
    ours = widget.render("pick", "a", renderer=FormRenderer())
    assert "<input" in ours  # the other template's output, not ours
    assert ours == widget.render("pick", "a", renderer=DjangoTemplates())
