"""Rate limits per client address (an IPv6 client's /64), shared by the survey, the voice board
and sign-in, and per person where what is limited is mail to somebody.

django-ratelimit counts in the cache (CACHE_URL). The counter key is an HMAC of the client's
address under SECRET_KEY, so someone who can read the cache cannot tell which address did what
by hashing every possible address.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from sword.middleware import client_network


def client_key(group: str, request: HttpRequest) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), client_network(request).encode(), hashlib.sha256
    ).hexdigest()


def over_limit(request: HttpRequest, *, group: str, rate: str, increment: bool = True) -> bool:
    """Whether this client has gone over `rate` in `group` (counting this request if
    `increment`)."""
    return bool(
        is_ratelimited(request, group=group, key=client_key, rate=rate, increment=increment)
    )


def over_limit_for(
    request: HttpRequest, *, group: str, subject: str, rate: str, increment: bool = True
) -> bool:
    """Whether `subject` (a person written to, whoever asks) has gone over `rate` in `group`."""
    return bool(
        is_ratelimited(
            request,
            group=group,
            key=lambda _group, _request: subject,
            rate=rate,
            increment=increment,
        )
    )
