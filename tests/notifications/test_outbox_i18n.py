"""The message templates' ``translate`` (notifications.templatetags.outbox_i18n) says what
Django's says, in every language, however often and in whatever order it is rendered."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from notifications.templatetags.outbox_i18n import RememberedTranslateNode
from tests.i18n.pseudo import pseudo_catalogue

SOURCE = (
    '{% translate "Message preferences" %}|{% translate "Message preferences" as label %}'
    '[{{ label }}]|{% translate text %}|{% translate "Message preferences"|upper %}|'
    '{% translate "Message preferences" noop %}|{% trans "100%% sure" %}|'
    '{% translate "Tom & Jerry" as pair %}{{ pair }}'
)


def rendered(library: str, language: str, autoescape: bool = True) -> str:
    template = Template("{% load i18n " + library + " %}" + SOURCE)
    with translation.override(language):
        return template.render(Context({"text": "Shift"}, autoescape=autoescape))


@pytest.mark.parametrize("autoescape", [True, False])
def test_same_text_as_django_in_every_language_and_order(autoescape: bool) -> None:
    template = Template("{% load i18n outbox_i18n %}" + SOURCE)
    for language in ["es", "en", "vi", "es", "th", "fil", "en"]:
        with translation.override(language):
            ours = template.render(Context({"text": "Shift"}, autoescape=autoescape))
        assert ours == rendered("", language, autoescape)
    assert rendered("", "es").startswith("Preferencias de mensajes|")
    # A literal text is safe as it is (not escaped), stored with ``as`` or not.
    assert rendered("", "en").endswith("|Tom & Jerry")


def test_only_constant_texts_are_remembered() -> None:
    template = Template("{% load i18n outbox_i18n %}" + SOURCE)
    nodes = template.nodelist.get_nodes_by_type(RememberedTranslateNode)
    constant = [isinstance(node, RememberedTranslateNode) and node.constant for node in nodes]
    assert constant == [True, True, False, False, False, True, True]


def test_a_wrapped_gettext_is_followed() -> None:
    """Tests wrap Django's gettext (tests/i18n/pseudo.py): what was remembered before is
    not served while it is wrapped, nor after."""
    before = rendered("outbox_i18n", "es")
    with pseudo_catalogue():
        assert rendered("outbox_i18n", "es") == rendered("", "es") != before
    assert rendered("outbox_i18n", "es") == before
