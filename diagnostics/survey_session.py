"""The survey session: what a respondent's browser holds between the survey's pages.

The first request with a code (the invite link, or the code typed in) exchanges it for this
session and redirects to addresses without the code, so the code appears in one address only
and never in the pages' addresses, the browser's history of them, or an access log of them.

The session is a cookie signed with SECRET_KEY (Django's `signing`), kept by the browser alone:
the code and the random key of the session's draft. The server stores no session row for it,
so nothing on the server pairs a code, or an invite, with a draft; the draft row holds only its
random key, its cycle and the answers so far. After submission the cookie holds just the team,
for the thank-you page's link to the team's voice board, for an hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from diagnostics import codes as invite_codes

COOKIE_NAME = "sword_survey"
SALT = "diagnostics.survey_session"
# Long enough to stop and come back within a cycle; opening the link again starts it afresh.
MAX_AGE = 60 * 60 * 24 * 30
THANKS_MAX_AGE = 60 * 60


@dataclass(frozen=True)
class SurveySession:
    code: str  # normalised
    draft_key: str


def _payload(request: HttpRequest, max_age: int) -> dict[str, object] | None:
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # tampered, or older than max_age (SignatureExpired)
        return None
    return payload if isinstance(payload, dict) else None


def read(request: HttpRequest) -> SurveySession | None:
    """The browser's survey session; None when it has none, or an expired or tampered one."""
    payload = _payload(request, MAX_AGE)
    if payload is None:
        return None
    code, draft_key = payload.get("c"), payload.get("d")
    if not isinstance(code, str) or not isinstance(draft_key, str):
        return None
    if not invite_codes.looks_valid(code) or not draft_key:
        return None
    return SurveySession(code=code, draft_key=draft_key)


def begin(response: HttpResponse, session: SurveySession) -> None:
    _set(response, {"c": invite_codes.normalise(session.code), "d": session.draft_key}, MAX_AGE)


def end(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE_NAME, path=_path(), samesite="Lax")


def end_with_thanks(response: HttpResponse, *, team_id: int, threshold: int) -> None:
    """Replace the session, code and all, with the team the thank-you page links to and the
    anonymity threshold it names."""
    _set(response, {"t": team_id, "k": threshold}, THANKS_MAX_AGE)


def thanked_team(request: HttpRequest) -> int | None:
    return _thanks_number(request, "t")


def thanked_threshold(request: HttpRequest) -> int | None:
    return _thanks_number(request, "k")


def _thanks_number(request: HttpRequest, key: str) -> int | None:
    payload = _payload(request, THANKS_MAX_AGE)
    number = payload.get(key) if payload else None
    return number if isinstance(number, int) else None


def _set(response: HttpResponse, payload: dict[str, object], max_age: int) -> None:
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(payload, salt=SALT),
        max_age=max_age,
        path=_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _path() -> str:
    return reverse("survey:enter_code")  # the survey's own addresses, and no others
