"""Signing out of an organisation's provider too (OpenID Connect RP-initiated logout 1.0).

Someone who signed in through their organisation's provider is still signed in there after
signing out here, so on a shared computer the next person could sign in as them with one click.
When the provider names an `end_session_endpoint`, organisations.sign_on_views records it with
the ID token at sign-in; signing out here then sends the browser on to that endpoint, which ends
the provider's session and returns to our sign-out page.

The browser refuses to follow a form's redirect to an origin our form-action policy does not
name, so pages shown to such a session name the provider's origin there as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "provider_sign_out"

# A host name with an optional port: nothing that could end or add a directive in the CSP
# header. (organisations.sign_on takes the endpoint only on the issuer's own origin.)
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(\.{_LABEL})*(:[0-9]{{1,5}})?")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not _HOST.fullmatch(parts.netloc):
        return None
    if any(character in url for character in " ;,\"'\r\n\t"):
        return None
    try:
        if parts.port == 0:
            return None
    except ValueError:  # out of range
        return None
    return f"{parts.scheme}://{parts.netloc}"


def remember_provider_sign_out(
    *, session: SessionBase, end_session_endpoint: str, id_token: str, client_id: str
) -> bool:
    """Keep what signing out of the provider needs; False (and nothing kept) if the endpoint
    is not a plain http(s) address."""
    origin = _origin(end_session_endpoint)
    if origin is None:
        session.pop(SESSION_KEY, None)
        return False
    session[SESSION_KEY] = {
        "endpoint": end_session_endpoint,
        "origin": origin,
        "id_token": id_token,
        "client_id": client_id,
    }
    return True


def _remembered(session: SessionBase) -> Mapping[str, str] | None:
    remembered = session.get(SESSION_KEY)
    return remembered if isinstance(remembered, dict) else None


def provider_sign_out_url(*, session: SessionBase, return_to: str) -> str | None:
    """Where to send the browser to end the provider's session too, or None if this session
    did not come from a provider that can be signed out of."""
    remembered = _remembered(session)
    if remembered is None:
        return None
    endpoint = urlsplit(remembered["endpoint"])
    query = urlencode(
        [
            *parse_qsl(endpoint.query),
            ("id_token_hint", remembered["id_token"]),
            ("client_id", remembered["client_id"]),
            ("post_logout_redirect_uri", return_to),
        ]
    )
    return urlunsplit(endpoint._replace(query=query, fragment=""))


def allow_provider_sign_out(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Adds the provider's origin to form-action on pages shown to a session that will be sent
    there on signing out (after the session middleware, inside the CSP middleware).

    Only a session the view already read is looked at: every page with a sign-out button reads
    it (for the signed-in person), and no other request pays for a read or varies on the cookie.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and SESSION_KEY in session:
            remembered = _remembered(session)
            if remembered is not None:
                update: dict[str, Any] = dict(getattr(response, "_csp_update", None) or {})
                update["form-action"] = [*update.get("form-action", []), remembered["origin"]]
                response._csp_update = update  # type: ignore[attr-defined]
        return response

    return middleware
