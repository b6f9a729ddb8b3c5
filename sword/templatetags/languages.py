"""`{% language_chooser %}`: the small form that switches the site's language.

A button per other language, each named in its own language, posting to the `set_language`
view: no JavaScript. Pass `offered` (language codes) where only some languages are available,
as on a survey whose organisation offers only English.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

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


@register.inclusion_tag("includes/language_chooser.html", takes_context=True)
def language_chooser(context: Any, offered: Sequence[str] | None = None) -> dict[str, Any]:
    current = translation.get_language() or settings.LANGUAGE_CODE
    names = dict(settings.LANGUAGES)
    offered = offered or None  # an absent template variable arrives as ""
    available = [code for code in names if offered is None or code in offered]
    return {
        "next": safe_next(context.get("request")),
        "choices": [(code, names[code]) for code in available if code != current],
        "only": names[available[0]] if offered is not None and len(available) == 1 else "",
        "csrf_token": context.get("csrf_token"),
    }
