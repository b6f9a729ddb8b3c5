"""Each string's translation looked up once per process and catalogue, not on every use.

Django finds a translation by asking each of the language's merged catalogues in turn, then
each fallback catalogue. For our English (en-gb) pages every string misses all of them: seven
catalogues, then six English fallbacks from Django's own apps, about sixty Python calls for
each string, and a survey response shows about two hundred strings. The catalogues do not
change while the process runs (a changed catalogue, in development, makes Django build new
translation objects), so each translation object remembers what it found for each string.

A `{% translate "words" %}` tag then still makes a lazy string, resolves, localises, escapes
and unescapes it on every page, about fifty calls more; for words written in the template (no
variable, filter, context or `as`) that gives the same text every time in a language, so each
such tag remembers its text per catalogue (not with DEBUG on, where a changed catalogue must
show at once).

These replace methods of Django's private `DjangoTranslation` class and of the `i18n` tag
library's `TranslateNode`. `SPEEDUP_REMEMBERED_TRANSLATIONS = False` (or `SPEEDUPS=0`) serves
every string and tag through Django's own code instead, with the same pages
(tests/test_speedups.py, tests/test_translations_remembered.py).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.template import Context
from django.templatetags.i18n import TranslateNode
from django.utils.translation import trans_real
from django.utils.translation.trans_real import DjangoTranslation

# Enough for every string in the code and templates many times over; strings from elsewhere
# (names in the database passed through gettext) stop being remembered beyond it.
MOST_REMEMBERED = 20_000

_looked_up = DjangoTranslation.gettext  # Django's own (GNUTranslations')
_rendered = TranslateNode.render


def _gettext(self: DjangoTranslation, message: str) -> str:
    if settings.SPEEDUP_REMEMBERED_TRANSLATIONS:
        return _remembered_gettext(self, message)
    return _looked_up(self, message)


def _remembered_gettext(self: DjangoTranslation, message: str) -> str:
    remembered: dict[str, str] | None = self.__dict__.get("_sword_remembered")
    if remembered is None:
        remembered = self.__dict__.setdefault("_sword_remembered", {})
    found = remembered.get(message)
    if found is None:
        found = _looked_up(self, message)
        # Only plain strings: a missing string comes back as the message itself, which may be
        # marked safe, and that mark must not reach a later caller with the same words.
        if type(found) is str and len(remembered) < MOST_REMEMBERED:
            remembered[message] = found
    return found


def _render(self: TranslateNode, context: Context) -> str:
    written = getattr(self.filter_expression.var, "literal", None)
    if (
        settings.SPEEDUP_REMEMBERED_TRANSLATIONS
        and not settings.DEBUG
        and isinstance(written, str)
        and not self.filter_expression.filters
        and self.message_context is None
        and not self.asvar
    ):
        return _remembered_render(self, context)
    return _rendered(self, context)


def _remembered_render(self: TranslateNode, context: Context) -> str:
    # Per translation object, the language's catalogue: a new one (Django makes one when a
    # catalogue file changes, or when a setting it reads is changed) starts afresh.
    by_catalogue: WeakKeyDictionary[Any, dict[bool, str]] | None = self.__dict__.get(
        "_sword_remembered"
    )
    if by_catalogue is None:
        by_catalogue = self.__dict__.setdefault("_sword_remembered", WeakKeyDictionary())
    catalogue = trans_real.catalog()
    remembered = by_catalogue.get(catalogue)
    if remembered is None:
        remembered = by_catalogue.setdefault(catalogue, {})
    text = remembered.get(context.autoescape)
    if text is None:
        text = remembered[context.autoescape] = _rendered(self, context)
    return text


def remember_translations() -> None:
    """Install the lookup and the tag that remember, behind their switch (once, when the site
    starts)."""
    DjangoTranslation.gettext = _gettext  # type: ignore[method-assign,assignment]
    TranslateNode.render = _render  # type: ignore[method-assign]
