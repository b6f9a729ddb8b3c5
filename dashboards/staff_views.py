"""The team's results for its staff, opened from the team's voice board link: no sign-in."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dashboards.staff import NoSuchResult
from dashboards.staff import team_results_for_staff as build_page
from sword.ratelimits import over_limit
from voice.selectors import board_by_token

RESULTS_LIMIT_MESSAGE = _(
    "This page has been opened many times from your network in a short time. Please wait an "
    "hour and try again."
)


@never_cache
@require_safe
def team_results_for_staff(request: HttpRequest, token: str) -> HttpResponse:
    """The team's closed results beside "you said, we did". Records nothing about the reader:
    no audit event, no session; the rate limit counts a keyed hash of the address in the cache
    for an hour."""
    board = board_by_token(token)
    if board is None:
        return render(request, "voice/link_gone.html", status=404)
    if over_limit(request, group=f"voice:results:{board.pk}", rate=settings.VOICE_RESULTS_RATE):
        response = render(
            request,
            "voice/rate_limited.html",
            {"board": board, "message": RESULTS_LIMIT_MESSAGE},
            status=429,
        )
        response["Retry-After"] = "3600"
        return response
    try:
        page = build_page(board, wanted=request.GET.get("result", ""), today=timezone.localdate())
    except NoSuchResult as exc:
        raise Http404("No such result for this team.") from exc
    return render(request, "dashboards/staff_results.html", {"page": page})
