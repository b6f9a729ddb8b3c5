"""Site-wide pages: health check, the privacy explainer and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from accounts.models import User
from accounts.services import set_language_preference
from diagnostics.survey_views import protection_context
from organisations.access import reach_of
from sword.celery import app as celery_app

logger = logging.getLogger(__name__)


def protection(request: HttpRequest) -> HttpResponse:
    """How answers are protected (§5 of the brief), with the signed-in person's organisation's
    thresholds; the survey's own copy (`survey:protection`) gives the survey's."""
    return render(
        request, "protection.html", protection_context(reach_of(request.user).organisation)
    )


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language chooser's form: Django's `set_language` (a cookie, then back to the page),
    and for a signed-in person their preference too. Nothing about the choice is stored with a
    survey session or an answer."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and user.is_authenticated and language in dict(settings.LANGUAGES):
        set_language_preference(user=user, language=language)
    return response


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
    report = {"status": "ok", "database": "ok"}
    if settings.CELERY_BROKER_URL:
        report["queue"] = "ok" if _broker_answers() else "unavailable"
        if report["queue"] != "ok":
            report["status"] = "error"
            return JsonResponse(report, status=503)
    return JsonResponse(report)


def _broker_answers() -> bool:
    """Whether the background jobs' broker (Redis) takes a connection within a second."""
    try:
        with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
    except Exception:  # any failure to connect means the queue is unavailable
        logger.exception("Health check: the job queue's broker did not answer")
        return False
    return True


def operator_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in: operators sign in on the site's own page, which counts
    attempts per address as well as per account. Someone already signed in got here because
    they are not an operator, so sending them to sign in again would only loop."""
    if request.user.is_authenticated:
        raise PermissionDenied(gettext("The operators' admin is only for platform operators."))
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
