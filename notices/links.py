"""The link in every digest that turns it off without signing in.

It carries the person's id signed with SECRET_KEY (django.core.signing, a salt of its own), so
nobody can make one for someone else. Opening it changes nothing: it shows a page whose one
button (a POST) makes the change, because mail scanners open links before people do.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "notices.weekly-digest-link"


def digest_token(user_id: int) -> str:
    return signing.dumps({"user": user_id}, salt=_SALT, compress=True)


def user_id_from_token(token: str) -> int | None:
    """The person a digest link was made for, or None when its signature does not hold."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int) else None


def digest_link(user_id: int) -> str:
    """The absolute address of the person's digest page, for the e-mail."""
    path = reverse("notices:digest_link", kwargs={"token": digest_token(user_id)})
    return f"{settings.SITE_URL}{path}"


def settings_link() -> str:
    return f"{settings.SITE_URL}{reverse('notices:settings')}"
