"""A fixed number of requests per token and period (API_RATE), counted in the shared cache."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.models import ApiToken


class TokenRateThrottle(BaseThrottle):
    """DRF's throttle hook over django-ratelimit's counter (one cache increment a request, the
    same rate format as the site's other limits). Requests with no token are not counted here:
    they are refused before, or are the public documentation."""

    def __init__(self) -> None:
        self.seconds_left: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True

        def key(group: str, _request: HttpRequest) -> str:
            return f"token-{token.pk}"

        usage = get_usage(
            request._request, group="api", key=key, rate=settings.API_RATE, increment=True
        )
        if usage is None or not usage["should_limit"]:
            return True
        self.seconds_left = max(int(usage["time_left"]), 1)
        return False

    def wait(self) -> float | None:
        return self.seconds_left
