from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sword import views

handler400 = "sword.views.bad_request"
handler403 = "sword.views.permission_denied"
handler404 = "sword.views.page_not_found"
handler500 = "sword.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("how-your-answers-are-protected/", views.protection, name="protection"),
    path("accounts/", include("accounts.urls")),
    path("organisation/", include("organisations.urls")),
    path("cycles/", include("diagnostics.urls")),
    path("results/", include("diagnostics.dashboard_urls")),
    path("actions/", include("actions.urls")),
    path("survey/", include("diagnostics.survey_urls")),
    path("voice/", include("voice.urls")),
    # Operators sign in on the site's own page, which counts attempts per address as well as
    # per account; the admin's own sign-in form would only have the per-account pause.
    path(
        "operator/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="operator_login",
    ),
    path("operator/", admin.site.urls),
]
