"""The one account page Django's auth views do not cover well."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.provider_sign_out import provider_sign_out_url

sign_out_now = auth_views.LogoutView.as_view()


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """Signing out is a POST, as the menu's button sends. A typed or bookmarked address gets a
    page with that button, not Django's blank 405.

    Someone who signed in through their organisation's provider is sent on to sign out there
    too, and comes back to this page."""
    if request.method == "POST":
        provider_url = provider_sign_out_url(
            session=request.session,
            return_to=request.build_absolute_uri(reverse("accounts:logout")),
        )
        response = sign_out_now(request)
        if provider_url is not None:
            return HttpResponseRedirect(provider_url)
        # The sign-in page it lands on says so: on a shared computer, the person leaving sees
        # that it worked (after the provider, this page says it).
        messages.success(request, gettext("You are signed out"))
        return response
    return render(request, "accounts/sign_out.html")
