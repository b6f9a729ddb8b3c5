"""A signed-in person's language preference, applied on every request they make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def preferred_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """After LocaleMiddleware (which reads the chooser's cookie and the browser's languages) and
    authentication: a signed-in person with a preference gets it, whatever the browser says.

    The cookie is set to the preference too, so that the pages they see after signing out (the
    sign-in page, the survey) stay in their language.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        wanted = ""
        if user is not None and user.is_authenticated:
            wanted = getattr(user, "language", "")
        if wanted and wanted != request.LANGUAGE_CODE:
            translation.activate(wanted)
            request.LANGUAGE_CODE = wanted
        response = get_response(request)
        if wanted and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != wanted:
            set_language_cookie(response, wanted)
        return response

    return middleware


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The language chooser's cookie, set as Django's `set_language` view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=cast(Literal["Lax", "Strict", "None"], settings.LANGUAGE_COOKIE_SAMESITE),
    )
