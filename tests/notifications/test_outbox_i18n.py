"""The message templates' ``translate`` and ``blocktranslate``
(notifications.templatetags.outbox_i18n) say what Django's say, in every language, however
often and in whatever order they are rendered."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine, Template
from django.utils import timezone, translation
from django.utils.translation import trans_real

from notifications.templatetags.outbox_i18n import (
    SHARED,
    RememberedBlockTranslateNode,
    RememberedTranslateNode,
)
from tests.i18n.pseudo import pseudo_catalogue

SOURCE = (
    '{% translate "Message preferences" %}|{% translate "Message preferences" as label %}'
    '[{{ label }}]|{% translate text %}|{% translate "Message preferences"|upper %}|'
    '{% translate "Message preferences" noop %}|{% trans "100%% sure" %}|'
    '{% translate "Tom & Jerry" as pair %}{{ pair }}'
)


# Texts of the catalogues (so that each language has its own), with places, ``with``,
# ``trimmed``, ``as``, a value to escape, a missing value, a plural and a context.
BLOCKS = (
    "{% blocktranslate %}Hello {{ recipient_name }},{% endblocktranslate %}|"
    "{% blocktrans with when=starts|upper %}Reminder: {{ shift_title }}, {{ when }}"
    "{% endblocktrans %}|"
    "{% blocktranslate trimmed %}\n  Hello {{ recipient_name }},\n{% endblocktranslate %}|"
    "{% blocktranslate asvar greeting %}Hello {{ recipient_name }},{% endblocktranslate %}"
    "[{{ greeting }}]|"
    "{% blocktranslate %}Hello {{ nobody }},{% endblocktranslate %}|"
    "{% blocktranslate count hours=count %}{{ hours }} hour{% plural %}{{ hours }} hours"
    "{% endblocktranslate %}|"
    '{% blocktranslate context "month" %}May{% endblocktranslate %}|'
    "{% blocktranslate %}100% sure, {{ recipient_name }}{% endblocktranslate %}"
)
VALUES = {
    "text": "Shift",
    "recipient_name": "Ana <b> & Bo",
    "shift_title": "Night line",
    "starts": "tue 9:00",
    "count": 3,
}


def rendered(library: str, language: str, autoescape: bool = True, source: str = SOURCE) -> str:
    template = Template("{% load i18n " + library + " %}" + source)
    with translation.override(language):
        return template.render(Context(VALUES, autoescape=autoescape))


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


@pytest.mark.parametrize("autoescape", [True, False])
def test_blocks_say_what_djangos_say_in_every_language_and_order(autoescape: bool) -> None:
    template = Template("{% load i18n outbox_i18n %}" + BLOCKS)
    for language in ["es", "en", "vi", "es", "th", "fil", "en"]:
        with translation.override(language):
            ours = template.render(Context(VALUES, autoescape=autoescape))
        assert ours == rendered("", language, autoescape, BLOCKS)
    spanish = rendered("outbox_i18n", "es", autoescape, BLOCKS)
    name = "Ana &lt;b&gt; &amp; Bo" if autoescape else "Ana <b> & Bo"
    assert spanish.startswith(f"Hola, {name}:|Recordatorio: Night line, TUE 9:00|Hola, {name}:|")
    assert spanish.endswith(f"[Hola, {name}:]|Hello ,|3 horas|May|100% sure, {name}")


def test_blocks_without_a_plural_or_context_are_remembered() -> None:
    template = Template("{% load i18n outbox_i18n %}" + BLOCKS)
    nodes = [
        node
        for node in template.nodelist.get_nodes_by_type(RememberedBlockTranslateNode)
        if isinstance(node, RememberedBlockTranslateNode)
    ]
    assert [node.simple for node in nodes] == [True, True, True, True, True, False, False, True]
    template.render(Context(VALUES))
    assert [len(node.remembered) for node in nodes] == [1, 1, 1, 1, 1, 0, 0, 1]


def test_a_translation_that_does_not_fit_its_places_falls_back_as_djangos() -> None:
    """A catalogue whose text names a place the block does not have: Django shows the block
    untranslated; so do we."""
    source = "{% blocktranslate %}Hello {{ recipient_name }},{% endblocktranslate %}"
    ours = Template("{% load i18n outbox_i18n %}" + source)
    django = Template("{% load i18n %}" + source)
    broken = {"Hello %(recipient_name)s,": "Hola %(someone)s,"}
    real = trans_real.gettext
    with (
        translation.override("es"),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(
            translation._trans,  # type: ignore[attr-defined]
            "gettext",
            # Broken in Spanish only: Django's way out renders the block with no language.
            lambda text: (
                broken.get(text, text) if translation.get_language() == "es" else real(text)
            ),
        )
        assert ours.render(Context(VALUES)) == django.render(Context(VALUES))
        assert ours.render(Context(VALUES)) == "Hello Ana &lt;b&gt; &amp; Bo,"


def test_only_constant_texts_are_remembered() -> None:
    template = Template("{% load i18n outbox_i18n %}" + SOURCE)
    nodes = template.nodelist.get_nodes_by_type(RememberedTranslateNode)
    constant = [isinstance(node, RememberedTranslateNode) and node.constant for node in nodes]
    assert constant == [True, True, False, False, False, True, True]


def test_a_wrapped_gettext_is_followed() -> None:
    """Tests wrap Django's gettext (tests/i18n/pseudo.py): what was remembered before is
    not served while it is wrapped, nor after."""
    for source in (SOURCE, BLOCKS):
        before = rendered("outbox_i18n", "es", source=source)
        with pseudo_catalogue():
            assert rendered("outbox_i18n", "es", source=source) == rendered("", "es", source=source)
            assert rendered("outbox_i18n", "es", source=source) != before
        assert rendered("outbox_i18n", "es", source=source) == before


def test_every_message_template_uses_the_remembering_tags() -> None:
    """A message template that translates loads ``outbox_i18n`` after ``i18n``, so its tags
    are the remembering ones (pages' templates keep Django's)."""
    folder = Path(settings.BASE_DIR) / "templates" / "notifications"
    kinds = [path for path in folder.iterdir() if path.is_dir() and "." in path.name]
    assert len(kinds) > 20
    # Each kind's templates, and the pieces they extend or include.
    shared = [path for path in folder.glob("_*.*") if path.name != "_pagination.html"]
    assert {path.name for path in shared} >= {"_base.html", "_footer.txt", "_shift_details.txt"}
    missing = []
    for path in sorted([*shared, *(p for kind in kinds for p in kind.iterdir())]):
        loads = re.findall(r"{% load ([^%]*)%}", path.read_text(encoding="utf-8"))
        libraries = [name for load in loads for name in load.split()]
        last = {name: index for index, name in enumerate(libraries)}
        if "i18n" in last and last.get("outbox_i18n", -1) < last["i18n"]:
            missing.append(str(path.relative_to(folder)))
    assert not missing


def test_a_language_block_is_translated_in_its_language() -> None:
    """The active translation is read once per template, except that a ``{% language %}``
    block reads it anew (and the text after it reads the outer one again)."""
    source = (
        '{% translate "Message preferences" %}|{% language other %}'
        '{% translate "Message preferences" %}|'
        "{% blocktranslate %}Hello {{ recipient_name }},{% endblocktranslate %}"
        '{% endlanguage %}|{% translate "Message preferences" %}'
    )
    ours = Template("{% load i18n outbox_i18n %}" + source)
    django = Template("{% load i18n %}" + source)
    for outer, other in [("en", "es"), ("en", "vi"), ("vi", "es"), ("en", "es")]:
        with translation.override(outer):
            expected = django.render(Context(VALUES | {"other": other}))
            assert ours.render(Context(VALUES | {"other": other})) == expected
    with translation.override("en"):
        assert ours.render(Context(VALUES | {"other": "es"})) == (
            "Message preferences|Preferencias de mensajes|Hola, Ana &lt;b&gt; &amp; Bo:|"
            "Message preferences"
        )


def test_a_language_block_keeps_blocks_and_cycles_as_djangos() -> None:
    """Inside ``{% language %}`` the rest of the render context is Django's: a child's block
    in a parent's language block, ``block.super``, a cycle across a loop."""
    parent = (
        '{% translate "Message preferences" %}|{% language "es" %}{% block content %}'
        '{% translate "Shift" %}{% endblock %}{% endlanguage %}|'
        '{% for n in "abc" %}{% language "es" %}{% cycle "x" "y" %}{% endlanguage %}{% endfor %}'
    )
    child = (
        '{% block content %}[{{ block.super }}] {% translate "Message preferences" %}{% endblock %}'
    )
    engine = Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    f"{library}parent": "{% load i18n " + library + " %}" + parent
                    for library in ("", "outbox_i18n")
                }
                | {
                    f"{library}child": "{% extends '"
                    + library
                    + "parent' %}{% load i18n "
                    + library
                    + " %}"
                    + child
                    for library in ("", "outbox_i18n")
                },
            )
        ],
        libraries={
            "i18n": "django.templatetags.i18n",
            "outbox_i18n": "notifications.templatetags.outbox_i18n",
        },
    )
    with translation.override("en"):
        for name in ("parent", "child"):
            ours = engine.get_template(f"outbox_i18n{name}").render(Context({}))
            assert ours == engine.get_template(name).render(Context({}))
        assert engine.get_template("outbox_i18nchild").render(Context({})) == (
            "Message preferences|[Turno] Preferencias de mensajes|xyx"
        )


PIECE = (
    "{% load i18n outbox_tags %}{% translate 'Shift' %}: {{ title }} {{ starts|sms_time:zone }}|"
)
OUTER = (
    "{% load i18n outbox_tags LIBRARY %}{% include 'piece' with title=title starts=starts "
    "zone=zone only %}{% include 'piece' %}"
    "{% include 'other piece' with title=title starts=starts zone=zone only %}"
)


def _engine(library: str) -> Engine:
    return Engine(
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    "piece": "{% load outbox_tags %}" + PIECE,
                    "outer": OUTER.replace("LIBRARY", library),
                    "other piece": "[{{ title }}]",
                },
            )
        ],
        libraries={
            "i18n": "django.templatetags.i18n",
            "outbox_i18n": "notifications.templatetags.outbox_i18n",
            "outbox_tags": "notifications.templatetags.outbox_tags",
        },
    )


def test_an_only_include_is_rendered_once_per_batch_for_its_values() -> None:
    """``include ... only`` renders its piece once per batch (the context's store) for each
    set of values, language, zone and escaping, and says what Django's include says; an
    include that sees the whole context is Django's every time."""
    ours, django = _engine("outbox_i18n"), _engine("")
    shared: dict[object, str] = {}
    base = {"starts": "2031-07-15T22:00:00+00:00", "zone": "America/New_York"}
    cases = [
        ("en", "UTC", True, {"title": "Night <line>"}),
        ("en", "UTC", True, {"title": "Night <line>", "other": "not read"}),  # the same
        ("en", "UTC", False, {"title": "Night <line>"}),
        ("es", "UTC", True, {"title": "Night <line>"}),
        ("es", "America/New_York", True, {"title": "Night <line>"}),
        ("es", "America/New_York", True, {"title": "Day line"}),
    ]
    for index, (language, zone, autoescape, values) in enumerate(cases):
        with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
            context = base | values
            expected = django.get_template("outer").render(Context(context, autoescape=autoescape))
            got = ours.get_template("outer").render(
                Context(context | {SHARED: shared}, autoescape=autoescape)
            )
            assert got == expected
            # The first case and its repeat share their two pieces; each other case makes
            # two more (the template is in the key).
            assert len(shared) == 2 * max(1, index)
    with translation.override("en"):
        # Without a batch's store, and with a value that cannot be a key: Django's include.
        assert ours.get_template("outer").render(Context(base | {"title": "A"})) == (
            django.get_template("outer").render(Context(base | {"title": "A"}))
        )
        listed = base | {"title": ["a", "b"], SHARED: shared}
        assert ours.get_template("outer").render(Context(listed)) == django.get_template(
            "outer"
        ).render(Context(listed))
    assert len(shared) == 10
    pieces = list(shared.values())
    assert pieces[:2] == [
        "Shift: Night &lt;line&gt; Tue 15 Jul 18:00 GMT-4|",
        "[Night &lt;line&gt;]",
    ]
    assert pieces[2:4] == ["Shift: Night <line> Tue 15 Jul 18:00 GMT-4|", "[Night <line>]"]
    assert pieces[4].startswith("Turno: Night &lt;line&gt; ")


def _names_read(source: str) -> set[str]:
    """The context names a template reads: in ``{{ }}`` (filter arguments too) and in the
    expressions of ``if``, ``elif``, ``for`` and ``with`` (each dotted name by its root)."""
    names: set[str] = set()
    expressions = re.findall(r"{{(.*?)}}", source)
    expressions += re.findall(r"{%\s*(?:if|elif|for|with)\b(.*?)%}", source)
    for expression in expressions:
        expression = re.sub(r"\"[^\"]*\"|'[^']*'", " ", expression)  # texts
        expression = re.sub(r"\|\s*\w+", " ", expression)  # filter names
        for word in re.findall(r"[A-Za-z_]\w*(?:\.\w+)*", expression):
            root = word.split(".")[0]
            if root not in {"and", "or", "not", "in", "is", "as", "None", "True", "False"}:
                names.add(root)
    return names


def test_each_only_include_of_a_message_is_given_every_value_its_piece_reads() -> None:
    """A piece included with ``only`` sees nothing but the values it is given: every value
    its template reads must be among them (a piece that reads a new one fails here)."""
    folder = Path(settings.BASE_DIR) / "templates" / "notifications"
    assert _names_read((folder / "_shift_details.txt").read_text(encoding="utf-8")) == {
        "shift_title",
        "starts_at",
        "ends_at",
        "zone",
        "location",
    }
    includes = re.compile(r'{% include "notifications/(_[\w.]+)" with ([^%]*?) only %}')
    found = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        for piece, given in includes.findall(path.read_text(encoding="utf-8")):
            needed = _names_read((folder / piece).read_text(encoding="utf-8"))
            names = {pair.split("=")[0] for pair in given.split()}
            assert needed <= names, (str(path.relative_to(folder)), piece, needed - names)
            found += 1
    assert found >= 35
