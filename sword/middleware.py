"""Small response middleware the framework does not provide."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Add a Permissions-Policy header switching off browser features we never use."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

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


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
