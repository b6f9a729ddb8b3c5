"""Each string's translation looked up once per process and catalogue, not on every use.

Django finds a translation by asking each of the language's merged catalogues in turn, then
each fallback catalogue. For our English (en-gb) pages every string misses all of them: seven
catalogues, then six English fallbacks from Django's own apps, about sixty Python calls for
each string, and a survey response shows about two hundred strings. The catalogues do not
change while the process runs (a changed catalogue, in development, makes Django build new
translation objects), so each translation object remembers what it found for each string.

This replaces a method of Django's private `DjangoTranslation` class.
`SPEEDUP_REMEMBERED_TRANSLATIONS = False` (or `SPEEDUPS=0`) serves every string through
Django's own lookup instead, with the same pages (tests/test_speedups.py,
tests/test_translations_remembered.py).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation.trans_real import DjangoTranslation

# Enough for every string in the code and templates many times over; strings from elsewhere
# (names in the database passed through gettext) stop being remembered beyond it.
MOST_REMEMBERED = 20_000

_looked_up = DjangoTranslation.gettext  # Django's own (GNUTranslations')


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


def remember_translations() -> None:
    """Install the lookup that remembers, behind its switch (once, when the site starts)."""
    DjangoTranslation.gettext = _gettext  # type: ignore[method-assign,assignment]
