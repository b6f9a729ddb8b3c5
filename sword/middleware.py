"""Small response middleware the framework does not provide."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers


def permissions_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add a Permissions-Policy header switching off browser features we never use."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def request_size_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuse a request whose declared body exceeds MAX_REQUEST_BYTES before anything reads it.

    DATA_UPLOAD_MAX_MEMORY_SIZE does not count the file parts of a multipart body, which Django
    would otherwise stream to a temporary file whatever their size, on any view that reads POST.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django's own parsing treats a malformed length as no body
        if declared > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_REQUEST_BYTES / (1024 * 1024)
            return render(request, "errors/413.html", {"limit_mb": f"{limit_mb:g}"}, status=413)
        return get_response(request)

    return middleware


def client_ip(request: HttpRequest) -> str:
    """The client's address for rate limits and sign-in lockouts.

    Behind PROXY_COUNT trusted proxies, the address the outermost of them saw (the entry that
    many places from the right of X-Forwarded-For); otherwise the socket's. Anything that is not
    an IP address (a port, "unknown", a missing header) falls back to the socket's address.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104  # nosec B104
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies]) or remote
    return remote


def client_network(request: HttpRequest) -> str:
    """What rate limits and sign-in lockouts count against: the client's IPv4 address, or the
    /64 network of an IPv6 one. One IPv6 subscriber holds a whole /64 (2^64 addresses), so
    counting single addresses would let one person step past every limit."""
    address = ipaddress.ip_address(client_ip(request))
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp's middleware, building the header once instead of on every response.

    The library copies the policy settings and builds the header for each response, about
    0.05 ms of every request. Our pages use no nonces and no per-view
    policies, so the header never varies. A response that does vary (a view with one of
    django-csp's decorators, a page that used a nonce, a report-only policy, a debug error page)
    still goes through the library. The header is built again when the setting is replaced
    (as `override_settings` does); settings are not edited in place while the site runs.
    """

    PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        super().__init__(get_response)
        self._built_from: Any = None
        self._header = ""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or any(hasattr(response, name) for name in self.PER_RESPONSE)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        policy = settings.CONTENT_SECURITY_POLICY
        if policy is not self._built_from:
            self._header, self._built_from = build_policy(), policy
        excluded = tuple((policy or {}).get("EXCLUDE_URL_PREFIXES") or ())
        if self._header and HEADER not in response and not request.path_info.startswith(excluded):
            response[HEADER] = self._header
        # As the library does: a nonce asked for after this point would not be in the header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without looking for a language in the address when no URLconf uses
    `i18n_patterns` (ours does not).

    Django looks for one on every request and every response all the same, and each look that
    finds none ("survey" is not a language) raises and catches about four exceptions, twice a
    request. With `i18n_patterns` in use, Django's own code runs.
    `tests/test_middleware.py` compares the two on requests with and without the chooser's cookie
    and Accept-Language, so a Django upgrade that changes the language chosen or the headers fails
    there.
    """

    @staticmethod
    def _prefixes_in_use(request: HttpRequest) -> bool:
        """Whether the request's URLconf uses `i18n_patterns` (remembered by Django per URLconf)."""
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        used, _prefixed_default = is_language_prefix_patterns_used(urlconf)
        return used

    def process_request(self, request: HttpRequest) -> None:
        if self._prefixes_in_use(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if self._prefixes_in_use(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
