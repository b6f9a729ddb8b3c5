"""The browser secret behind “one support per browser”.

A long random secret sits in a signed, HttpOnly cookie in the supporter's browser and nowhere
else. The database keeps only sha256(f"{issue id}:{secret}"), different for every issue, so
nobody can link one browser's supports together or back to a person.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "sword_voice"
COOKIE_SALT = "voice.browser"
COOKIE_PATH = "/voice/"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365
SECRET_BYTES = 32


def read_secret(request: HttpRequest) -> str | None:
    """The browser's secret, or None when it has none (or a cookie that was tampered with)."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT)
    return value or None


def secret_for(request: HttpRequest) -> tuple[str, bool]:
    """The browser's secret, making one when needed; the flag says whether it is new."""
    existing = read_secret(request)
    if existing is not None:
        return existing, False
    return secrets.token_urlsafe(SECRET_BYTES), True


def remember(response: HttpResponse, secret: str) -> None:
    response.set_signed_cookie(
        COOKIE_NAME,
        secret,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def support_hash(issue_id: int, secret: str) -> str:
    return hashlib.sha256(f"{issue_id}:{secret}".encode()).hexdigest()
