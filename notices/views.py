"""The notification settings page, and the page a digest's link opens (no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from notices import services
from notices.links import user_id_from_token
from notices.selectors import wants_weekly_digest
from organisations.access import reach_of


@login_required
@require_http_methods(["GET", "POST"])
def notice_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    gets_digest = reach_of(request.user).is_leader_or_admin
    if request.method == "POST":
        if not gets_digest:
            raise PermissionDenied(
                gettext("The weekly digest is for leaders and organisation admins.")
            )
        wanted = request.POST.get("weekly_digest") == "on"
        services.set_weekly_digest(user=request.user, wanted=wanted)
        messages.success(
            request,
            gettext("You will get the weekly digest on Monday mornings.")
            if wanted
            else gettext(
                "You will no longer get the weekly digest. You can turn it on again here."
            ),
        )
        return redirect("notices:settings")
    return render(
        request,
        "notices/settings.html",
        {"gets_digest": gets_digest, "weekly_digest": wants_weekly_digest(request.user)},
    )


@require_http_methods(["GET", "POST"])
def digest_link(request: HttpRequest, token: str) -> HttpResponse:
    """Opened from a digest: GET shows one button, only a POST changes the choice (mail
    scanners open links, they do not press buttons). 404 when the signature does not hold."""
    user_id = user_id_from_token(token)
    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user_id is not None
        else None
    )
    if user is None:
        raise Http404("This link is not valid.")
    if request.method == "POST":
        wanted = request.POST.get("weekly_digest") == "on"
        services.set_weekly_digest(user=user, wanted=wanted)
        return render(request, "notices/digest_link.html", {"done": True, "weekly_digest": wanted})
    return render(
        request,
        "notices/digest_link.html",
        {"done": False, "weekly_digest": wants_weekly_digest(user)},
    )
