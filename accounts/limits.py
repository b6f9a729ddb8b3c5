"""Per-address limits on the sign-in and password-reset forms.

django-axes pauses one account after repeated failures; these limits stop one address from
trying many accounts (password spraying) or sending many reset e-mails. Counters live only in
the cache (CACHE_URL), keyed by the client's address.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise

from accounts.models import normalise_email
from sword.ratelimits import over_limit

View = Callable[..., HttpResponseBase]


def limit_posts(view: View, *, group: str, rate: Callable[[], str], what: str | Promise) -> View:
    """Answer 429 with a plain explanation once an address has posted to `view` more than
    `rate()` allows (read at request time, so settings can change it)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and over_limit(request, group=group, rate=rate()):
            return render(request, "accounts/too_many.html", {"what": what}, status=429)
        return view(request, *args, **kwargs)

    return wrapper


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The account django-axes counts failures against: the address as the sign-in looks it up,
    so `Sam@…` and `SAM@…` share `sam@…`'s pause instead of each getting fresh guesses."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username", "")
    return normalise_email(str(typed))
