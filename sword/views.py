"""Site-wide pages: home, health check, the privacy explainer and error pages."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from actions.access import actions_visible_to
from actions.models import Action
from actions.selectors import is_overdue
from diagnostics.models import Cycle
from diagnostics.selectors import cycles_visible_to
from organisations.access import Reach, reach_of
from organisations.models import Organisation
from voice.access import issues_visible_to
from voice.models import VoiceIssue
from voice.selectors import open_safety_issues

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    reach = reach_of(request.user)
    context: dict[str, object] = {"reach": reach, "top_units": reach.top_units}
    if reach.organisation is not None:
        context.update(waiting_for(reach=reach, user=request.user, today=timezone.localdate()))
    return render(request, "home.html", context)


HOME_LIST_LENGTH = 5


def waiting_for(*, reach: Reach, user: Any, today: date) -> dict[str, object]:
    """What is waiting for someone with a role: open cycles in reach, closing soonest; their
    own open actions, due soonest; and the voice issues in reach nobody has answered yet."""
    open_cycles = list(
        cycles_visible_to(reach)
        .filter(status=Cycle.Status.OPEN, opens_on__lte=today, closes_on__gte=today)
        .order_by("closes_on", "pk")[: HOME_LIST_LENGTH + 1]
    )
    my_actions = list(
        actions_visible_to(reach)
        .filter(owner=user, status__in=Action.OPEN_STATUSES)
        .select_related("unit")
        .order_by("due_on", "pk")[: HOME_LIST_LENGTH + 1]
    )
    unanswered = issues_visible_to(reach).filter(status=VoiceIssue.Status.NEW, hidden=False)
    safety = (
        open_safety_issues(issues_visible_to(reach))
        .select_related("board__team")
        .order_by("-raised_on", "-pk")[:HOME_LIST_LENGTH]
    )
    return {
        "open_cycles": open_cycles[:HOME_LIST_LENGTH],
        "more_cycles": len(open_cycles) > HOME_LIST_LENGTH,
        "my_actions": [
            (action, is_overdue(action, today=today)) for action in my_actions[:HOME_LIST_LENGTH]
        ],
        "more_actions": len(my_actions) > HOME_LIST_LENGTH,
        "unanswered_issues": unanswered.count(),
        "safety_issues": list(safety),
    }


def protection(request: HttpRequest) -> HttpResponse:
    """How answers are protected (§5 of the brief), with the threshold in force when known."""
    reach = reach_of(request.user)
    organisation = reach.organisation
    context = {
        "k": organisation.anonymity_threshold if organisation else None,
        "comment_threshold": organisation.comment_threshold if organisation else None,
        "window": organisation.pulse_window_days if organisation else None,
        "default_k": Organisation._meta.get_field("anonymity_threshold").default,
        "default_comment_threshold": Organisation._meta.get_field("comment_threshold").default,
        "default_window": Organisation._meta.get_field("pulse_window_days").default,
    }
    return render(request, "protection.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def operator_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in: operators sign in on the site's own page, which counts
    attempts per address as well as per account. Someone already signed in got here because
    they are not an operator, so sending them to sign in again would only loop."""
    if request.user.is_authenticated:
        raise PermissionDenied("The operators' admin is only for platform operators.")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(reverse("accounts:login") + (f"?{query}" if query else ""))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)
