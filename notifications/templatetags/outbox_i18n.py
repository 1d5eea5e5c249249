"""``translate`` (and ``trans``) for message templates: Django's tag, that remembers what a
constant text becomes in each language instead of translating it again for every message.

A batch renders the same few templates for hundreds of recipients, and Django's tag looks
the text up anew each time (a lazy string, the active translation, the catalogue, escaping):
a quarter of a reminder's rendering. Only ``{% translate "text" %}`` and ``{% translate
"text" as name %}`` are remembered; a variable, a filter, ``noop`` or ``context`` render as
Django renders them. What is remembered is Django's own output, by the active translation
object (a new one after the catalogues are reloaded) and the gettext function Django calls
(another one when tests wrap it), so the text is the same as before.

Load it after ``i18n``, so that its ``translate`` is the one in use::

    {% load i18n outbox_i18n %}
"""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils import translation
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
        # The function Django's gettext calls (which also says whether USE_I18N is on; a
        # test may wrap it) and the active translation object.
        key = (_TRANS.gettext, trans_real.catalog(), context.autoescape)
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


def _translate(parser: Parser, token: Token) -> RememberedTranslateNode:
    return RememberedTranslateNode(do_translate(parser, token))


register.tag("translate", _translate)
register.tag("trans", _translate)
