from __future__ import annotations

from itertools import product

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import path
from django.utils import translation

from sword.middleware import LocaleMiddleware


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("page")


# A URLconf with language prefixes, for the requests that must take Django's own path.
urlpatterns = i18n_patterns(path("page/", _page))

PATHS = ["/survey/start/", "/", "/cy/", "/en-gb/results/", "/fr/page/"]
COOKIES = [None, "cy", "en-gb", "xx"]
ACCEPT = [None, "cy", "cy-GB,en;q=0.5", "fr", "en-US,en;q=0.8"]


def _served(
    middleware_class, rf, *, path_info, cookie, accept, status, urlconf=None, content_language=None
):
    """What a middleware chose and sent for one request: language, redirect and headers."""
    request = rf.get(path_info, **({"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}))
    if cookie:
        request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
    if urlconf:
        request.urlconf = urlconf
    response_class = HttpResponseNotFound if status == 404 else HttpResponse

    def view(request: HttpRequest) -> HttpResponse:
        response = response_class("body")
        if content_language:  # a page that says its own language keeps it
            response["Content-Language"] = content_language
        return response

    middleware = middleware_class(view)
    try:
        response = middleware(request)
        chosen = (request.LANGUAGE_CODE, translation.get_language())
    finally:
        translation.deactivate()
    return (
        chosen,
        response.status_code,
        response.get("Location"),
        response.get("Vary"),
        response.get("Content-Language"),
    )


@pytest.mark.parametrize("status", [200, 404])
@pytest.mark.parametrize("content_language", [None, "cy"])
def test_it_chooses_the_language_and_headers_django_does(rf, status, content_language):
    for path_info, cookie, accept in product(PATHS, COOKIES, ACCEPT):
        served = {
            middleware: _served(
                middleware,
                rf,
                path_info=path_info,
                cookie=cookie,
                accept=accept,
                status=status,
                content_language=content_language,
            )
            for middleware in (LocaleMiddleware, DjangoLocaleMiddleware)
        }
        assert served[LocaleMiddleware] == served[DjangoLocaleMiddleware], (
            path_info,
            cookie,
            accept,
        )


def test_it_chooses_welsh_from_the_cookie_or_the_browser(rf):
    assert _served(
        LocaleMiddleware, rf, path_info="/survey/start/", cookie="cy", accept=None, status=200
    )[0] == ("cy", "cy")
    assert _served(
        LocaleMiddleware, rf, path_info="/", cookie=None, accept="cy-GB,en;q=0.5", status=200
    )[0] == ("cy", "cy")


def test_it_does_not_look_for_a_language_in_the_address(rf, monkeypatch):
    def refuse(path):
        raise AssertionError("looked in the address")

    monkeypatch.setattr(translation, "get_language_from_path", refuse)
    served = _served(
        LocaleMiddleware, rf, path_info="/survey/page/1/", cookie=None, accept="cy", status=200
    )
    assert served[0] == ("cy", "cy")


def test_it_leaves_addresses_with_language_prefixes_to_django(rf):
    # A URLconf with i18n_patterns: the language in the address wins over the cookie, and a
    # missing prefix is redirected to, as Django's own middleware does.
    served = _served(
        LocaleMiddleware,
        rf,
        path_info="/cy/page/",
        cookie="en-gb",
        accept=None,
        status=200,
        urlconf=__name__,
    )
    assert served[0] == ("cy", "cy")
    redirected = _served(
        LocaleMiddleware,
        rf,
        path_info="/page/",
        cookie=None,
        accept=None,
        status=404,
        urlconf=__name__,
    )
    assert redirected[1:3] == (302, "/en-gb/page/")
