"""``translate`` and ``blocktranslate`` (and ``trans``, ``blocktrans``) for message
templates: Django's tags, that remember what a constant text becomes in each language instead
of translating it again for every message.

A batch renders the same few templates for hundreds of recipients, and Django's tag looks
the text up anew each time (a lazy string, the active translation, the catalogue, escaping):
a quarter of a reminder's rendering. Only ``{% translate "text" %}`` and ``{% translate
"text" as name %}`` are remembered; a variable, a filter, ``noop`` or ``context`` render as
Django renders them. ``{% blocktranslate %}`` remembers the translated text of its block
(with its ``%(name)s`` places), and fills in the values for each message; a plural
(``count``) or a ``context`` renders as Django renders it. What is remembered is Django's own
translation, by the active translation object (a new one after the catalogues are reloaded)
and the gettext function Django calls (another one when tests wrap it), so the text is the
same as before.

``{% include "..." with name=value ... only %}`` (a piece that reads only the values it is
given, such as a shift's details) is rendered once per batch for the same values, language,
zone and escaping: the reminders of a shift share their details. The batch's store is the
context's ``_outbox_shared`` (``SHARED``), which the outbox's Renderer sets and no template
can name; without it, and for an include that is not ``only``, the tag is Django's.

Load it after ``i18n``, so that its tags are the ones in use::

    {% load i18n outbox_i18n %}
"""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.template.base import Parser, Token, render_value_in_context
from django.template.context import Context
from django.template.loader_tags import IncludeNode, do_include
from django.templatetags.i18n import (
    BlockTranslateNode,
    LanguageNode,
    TranslateNode,
    do_block_translate,
    do_translate,
)
from django.templatetags.i18n import language as do_language
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import trans_real

register = template.Library()

# What ``django.utils.translation.gettext`` delegates to (Django's own indirection).
_TRANS: Any = cast(Any, translation)._trans

# Languages (translation objects) remembered per tag; more means the catalogues were
# reloaded (tests that change settings): start again.
_MAX_REMEMBERED = 16


class RememberedTranslateNode(TranslateNode):
    """A ``TranslateNode`` whose constant text is translated once per language."""

    def __init__(self, node: TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        expression = self.filter_expression
        self.constant = (
            not self.noop
            and self.message_context is None
            and not expression.filters
            and isinstance(getattr(expression.var, "literal", None), str)
        )
        self.remembered: dict[tuple[Any, Any, bool], str] = {}

    def render(self, context: Context) -> str:
        if not self.constant:
            return str(super().render(context))
        key = (*_translation_key(context), context.autoescape)
        value = self.remembered.get(key)
        if value is None:
            # The text alone, even with ``as``: rendered by a node of its own, so that this
            # one (shared by every thread rendering the template) is never changed.
            alone = TranslateNode(self.filter_expression, self.noop, None, self.message_context)
            value = alone.render(context)
            if len(self.remembered) >= _MAX_REMEMBERED:
                self.remembered.clear()
            self.remembered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


# The render context's entry for ``_translation_key``.
_KEY = "outbox_i18n.translation"


def _translation_key(context: Context) -> tuple[Any, Any]:
    """What a remembered translation depends on: the function Django's gettext calls (which
    also says whether USE_I18N is on; a test may wrap it) and the active translation.

    Read once per rendering of a template (each included one has its own), not by every
    tag: the active translation is a context-local lookup, a twentieth of a message's
    rendering when each tag did it. Only ``{% language %}`` changes it while a template is
    rendered, and this library's ``language`` starts its block afresh.
    """
    render_context = context.render_context
    key: tuple[Any, Any] | None = render_context.get(_KEY)
    if key is None:
        key = render_context[_KEY] = (_TRANS.gettext, trans_real.catalog())
    return key


class FreshLanguageNode(LanguageNode):
    """Django's ``{% language %}``, whose block reads the active translation anew (and the
    text after it, the outer one). Only this library's entry is put aside: the rest of the
    render context (blocks of an extended template, cycles) is the block's as in Django."""

    def render(self, context: Context) -> str:
        top = context.render_context.dicts[-1]
        outer = top.pop(_KEY, None)
        try:
            return str(super().render(context))
        finally:
            top.pop(_KEY, None)
            if outer is not None:
                top[_KEY] = outer


class RememberedBlockTranslateNode(BlockTranslateNode):
    """A ``BlockTranslateNode`` whose text (without a plural or a context) is translated once
    per language; the values are filled in for each rendering, as Django fills them in."""

    def __init__(self, node: BlockTranslateNode) -> None:
        super().__init__(
            node.extra_context,
            node.singular,
            node.plural,
            node.countervar,
            node.counter,
            node.message_context,
            node.trimmed,
            node.asvar,
            getattr(node, "tag_name", "blocktranslate"),
        )
        self.simple = not self.plural and self.message_context is None
        # The block's text with its %(name)s places, and the names: the tokens are fixed.
        self.text, self.names = self.render_token_list(self.singular)
        self.remembered: dict[tuple[Any, Any], str] = {}

    def render(self, context: Context, nested: bool = False) -> str:
        if not self.simple or nested:
            return str(super().render(context, nested))
        key = _translation_key(context)
        result = self.remembered.get(key)
        if result is None:
            result = translation.gettext(self.text)
            if len(self.remembered) >= _MAX_REMEMBERED:
                self.remembered.clear()
            self.remembered[key] = result
        # As Django's tag does: the ``with`` values, then each place's value, escaped (when
        # autoescape is on) and localised; string_if_invalid for a missing one.
        context.update({name: value.resolve(context) for name, value in self.extra_context.items()})
        default_value = context.template.engine.string_if_invalid if context.template else ""
        data = {}
        for name in self.names:
            if name in context:
                value = context[name]
            else:
                value = default_value % name if "%s" in default_value else default_value
            data[name] = render_value_in_context(value, context)
        context.pop()
        try:
            result %= data
        except (KeyError, ValueError):
            # A translation that does not fit its places: Django's own way out (the text
            # untranslated, or its error).
            return str(super().render(context, nested))
        if self.asvar:
            context[self.asvar] = SafeString(result)
            return ""
        return result


# The context's entry for a batch's rendered pieces (a name no template can use: a variable
# may not begin with an underscore).
SHARED = "_outbox_shared"


class SharedIncludeNode(IncludeNode):
    """Django's ``include``; an ``only`` include is rendered once per batch (``SHARED``) for
    each set of values, since nothing else of the context reaches it. Also in the key: the
    template, the translation, the active zone (a piece may show times in the reader's zone),
    escaping and localisation, and each value's type (a text marked safe is not escaped). A
    value that cannot be a key (a list), or a template named by a variable or a relative
    path, renders as Django's."""

    def render(self, context: Context) -> Any:
        shared = context.get(SHARED) if self.isolated_context else None
        if not isinstance(shared, dict):
            return super().render(context)
        name = self.template.resolve(context)
        if not self.template.is_var and not name.startswith("."):
            values = [(n, var.resolve(context)) for n, var in self.extra_context.items()]
            key = (
                name,
                *_translation_key(context),
                timezone.get_current_timezone(),
                context.autoescape,
                context.use_l10n,
                context.use_tz,
                tuple((n, type(value), value) for n, value in values),
            )
            try:
                found = shared.get(key)
            except TypeError:  # a value that cannot be hashed
                return super().render(context)
            if found is None:
                found = shared[key] = super().render(context)
            return found
        return super().render(context)


def _include(parser: Parser, token: Token) -> SharedIncludeNode:
    node = do_include(parser, token)
    return SharedIncludeNode(
        node.template, extra_context=node.extra_context, isolated_context=node.isolated_context
    )


def _translate(parser: Parser, token: Token) -> RememberedTranslateNode:
    return RememberedTranslateNode(do_translate(parser, token))


def _block_translate(parser: Parser, token: Token) -> RememberedBlockTranslateNode:
    return RememberedBlockTranslateNode(do_block_translate(parser, token))


def _language(parser: Parser, token: Token) -> FreshLanguageNode:
    node = do_language(parser, token)
    return FreshLanguageNode(node.nodelist, node.language)


register.tag("translate", _translate)
register.tag("trans", _translate)
register.tag("blocktranslate", _block_translate)
register.tag("blocktrans", _block_translate)
register.tag("language", _language)
register.tag("include", _include)
