"""`{% language_chooser %}`: the small form that switches the site's language.

A button per other language, each named in its own language, posting to the `set_language`
view: no JavaScript. Pass `offered` (language codes) where only some languages are available,
as on a survey whose organisation offers only English.

With SPEEDUP_REMEMBERED_TRANSLATIONS (and DEBUG off) the chooser is drawn once per process for
each language, address and choice of languages, and only the CSRF token is put in on each
request; off, it is drawn from its template every time, as Django's inclusion tags do.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import trans_real

register = template.Library()

# Survey addresses that carry an invite code: a chooser on them must not send the code on.
CODE_PATH_PREFIX = "/survey/c/"


def safe_next(request: HttpRequest | None) -> str:
    """Where the chooser returns to: this page, but never an address that carries a code."""
    if request is None:
        return "/"
    path = request.get_full_path()
    if CODE_PATH_PREFIX in request.path:
        return "/survey/"
    return path


TEMPLATE = "includes/language_chooser.html"
# Stands in for the CSRF token in a remembered chooser (letters only, so escaping leaves it).
TOKEN_STAND_IN = "swordCsrfTokenStandIn"  # noqa: S105  # nosec B105


def chooser_values(context: Any, offered: Sequence[str] | None) -> dict[str, Any]:
    """What includes/language_chooser.html draws, in the language in force."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    names = dict(settings.LANGUAGES)
    offered = offered or None  # an absent template variable arrives as ""
    available = [code for code in names if offered is None or code in offered]
    return {
        "next": safe_next(context.get("request")),
        "choices": [(code, names[code]) for code in available if code != current],
        "only": names[available[0]] if offered is not None and len(available) == 1 else "",
        "csrf_token": context.get("csrf_token"),
        # A page's own form the buttons send instead (a survey page's, which keeps its answers)
        "form": context.get("chooser_form", ""),
    }


@register.simple_tag(takes_context=True)
def language_chooser(context: Any, offered: Sequence[str] | None = None) -> SafeString:
    values = chooser_values(context, offered)
    if settings.SPEEDUP_REMEMBERED_TRANSLATIONS and not settings.DEBUG:
        return remembered_chooser(values)
    return render_chooser(values)


def render_chooser(values: dict[str, Any]) -> SafeString:
    # The template engine escapes what it prints, so its output is safe HTML.
    return mark_safe(render_to_string(TEMPLATE, values))  # noqa: S308  # nosec B308 B703


def remembered_chooser(values: dict[str, Any]) -> SafeString:
    """The chooser drawn once per process for each language, address to return to and choice
    of languages, with the CSRF token put in afterwards (it is read only where the chooser
    shows a form, as the template reads it)."""
    drawn = _drawn_chooser(
        trans_real.catalog(),
        values["next"],
        tuple(values["choices"]),
        values["only"],
        values["form"],
    )
    if TOKEN_STAND_IN not in drawn:
        return drawn
    token = values["csrf_token"]
    if not token or token == "NOTPROVIDED":  # noqa: S105  # nosec B105  # {% csrf_token %} draws nothing
        return render_chooser(values)
    # A token is letters and digits (Django's CSRF_ALLOWED_CHARS): nothing to escape.
    return mark_safe(drawn.replace(TOKEN_STAND_IN, str(token)))  # noqa: S308  # nosec B308 B703


@lru_cache(maxsize=1024)
def _drawn_chooser(
    catalogue: object,
    next_address: str,
    choices: tuple[tuple[str, str], ...],
    only: str,
    form: str,
) -> SafeString:
    # `catalogue` is the translation in force, passed so that each is remembered apart: one per
    # language, and a new one when Django makes one (a catalogue file or a setting it reads
    # changed), as sword/translations.py remembers its tags.
    return render_chooser(
        {
            "next": next_address,
            "choices": choices,
            "only": only,
            "csrf_token": TOKEN_STAND_IN,
            "form": form,
        }
    )
