"""The one account page Django's auth views do not cover well."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

sign_out_now = auth_views.LogoutView.as_view()


@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """Signing out is a POST, as the menu's button sends. A typed or bookmarked address gets a
    page with that button, not Django's blank 405."""
    if request.method == "POST":
        return sign_out_now(request)
    return render(request, "accounts/sign_out.html")
