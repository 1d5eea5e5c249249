"""core.forms.FormRenderer writes drop-down lists in Python: the same HTML as Django's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from core.forms import FormRenderer
from volunteers.models import Location

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


@pytest.mark.django_db
def test_a_name_choice_field_shows_and_cleans_as_a_model_choice_field(
    django_assert_num_queries,
) -> None:
    from core.forms import NameChoiceField
    from tests.volunteers.factories import make_location

    places = [make_location(name) for name in ("Zeta & Sons", "Alpha <hall>", "Mid")]
    queryset = Location.objects.order_by("name")

    class Ours(forms.Form):
        place = NameChoiceField(queryset=queryset, required=False, empty_label="Anywhere")

    class Djangos(forms.Form):
        place = forms.ModelChoiceField(queryset=queryset, required=False, empty_label="Anywhere")

    chosen = {"place": str(places[2].pk)}
    with django_assert_num_queries(2):  # clean (the chosen row) and one SELECT of (pk, name)
        ours = str(Ours(chosen, renderer=FormRenderer())["place"])
    assert parse_html(ours) == parse_html(str(Djangos(chosen, renderer=DjangoTemplates())["place"]))
    assert [line.strip() for line in ours.splitlines()[1:4]] == [
        '<option value="">Anywhere</option>',
        f'<option value="{places[1].pk}">Alpha &lt;hall&gt;</option>',
        f'<option value="{places[2].pk}" selected>Mid</option>',
    ]
    form = Ours(chosen)
    assert form.is_valid() and form.cleaned_data["place"] == places[2]
    by_name = NameChoiceField(queryset=queryset, to_field_name="name")
    choices = cast("Iterable[tuple[str, str]]", by_name.choices)
    assert list(choices)[1:] == [(n, n) for n in ("Alpha <hall>", "Mid", "Zeta & Sons")]
    assert by_name.clean("Mid") == places[2]
    wrong = Ours({"place": "999999"})
    assert not wrong.is_valid()
    assert "Select a valid choice" in wrong.errors["place"][0]
