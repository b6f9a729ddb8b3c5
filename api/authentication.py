"""`Authorization: Bearer <token>`: the token's creator is the request's user."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import User
from api import services
from api.models import ApiToken
from api.selectors import token_by_raw

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """401 for an unknown, expired or revoked token, or one whose creator can no longer sign
    in; every accepted use is noted on the token (at most once a minute)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Send the token as the header: Authorization: Bearer <token>"
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("This token is not valid.") from exc
        token = token_by_raw(raw)
        if token is None:
            raise AuthenticationFailed("This token is not valid.")
        now = timezone.now()
        refusal = self._refusal(token, now)
        if refusal is not None:
            services.record_refusal(
                token=token,
                status=401,
                reason=refusal[0],
                method=request.method or "",
                path=request.get_full_path(),
            )
            raise AuthenticationFailed(refusal[1])
        services.note_use(token=token, now=now)
        return token.created_by, token

    @staticmethod
    def _refusal(token: ApiToken, now: datetime) -> tuple[str, str] | None:
        """Why a known token is refused now (for the audit log, and for its holder), or None."""
        state = token.state_on(timezone.localdate(now))
        if state == ApiToken.State.REVOKED:
            return "the token was revoked", "This token was revoked."
        if state == ApiToken.State.EXPIRED:
            return "the token had expired", (
                f"This token expired after {token.expires_on:%-d %B %Y}: ask an admin for a "
                "new one."
            )
        if not token.created_by.is_active:
            return (
                "the token's maker can no longer sign in",
                "The person who made this token can no longer sign in.",
            )
        return None

    def authenticate_header(self, request: Request) -> str:
        # Makes a missing or refused token a 401 (with this challenge) rather than a 403.
        return 'Bearer realm="api"'
