from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from dashboards import staff_views
from dashboards.views import home
from sword import views

handler400 = "sword.views.bad_request"
handler403 = "sword.views.permission_denied"
handler404 = "sword.views.page_not_found"
handler500 = "sword.views.server_error"

# The operators' admin says whose it is, not "Django administration".
admin.site.site_header = _("SWORD operator admin")
admin.site.site_title = _("SWORD operator admin")
admin.site.index_title = _("Organisations, accounts, benchmarks and sign-in providers")

urlpatterns = [
    # First: staff answering surveys make most requests, and Django tries these in order, each
    # include whose prefix does not match raising and catching a Resolver404 (3-5% of a survey
    # request's CPU when this came thirteenth). No other address starts with "survey/".
    path("survey/", include("diagnostics.survey_urls")),
    path("", home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("how-your-answers-are-protected/", views.protection, name="protection"),
    path("language/", views.choose_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("accounts/organisation-sign-in/", include("organisations.sign_on_urls")),
    path("organisation/api-tokens/", include("api.token_urls")),
    path("organisation/units/", include("diagnostics.unit_urls")),
    path("organisation/", include("organisations.urls")),
    path("cycles/", include("diagnostics.urls")),
    path("results/", include("dashboards.urls")),
    path("actions/", include("actions.urls")),
    path("notifications/", include("notices.urls")),
    # Public, like the board it hangs from: the team's results for its staff (no sign-in).
    path(
        "voice/b/<str:token>/results/",
        staff_views.team_results_for_staff,
        name="team_results_for_staff",
    ),
    path("voice/", include("voice.urls")),
    path("api/v1/", include("api.urls")),
    path("operator/login/", views.operator_login, name="operator_login"),
    path("operator/", admin.site.urls),
]
