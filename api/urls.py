"""The read API (token in the Authorization header) and its documentation (public)."""

from __future__ import annotations

from django.urls import path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("units/", views.UnitList.as_view(), name="units"),
    path("units/<int:unit_id>/", views.UnitDetail.as_view(), name="unit"),
    path("cycles/", views.CycleList.as_view(), name="cycles"),
    path("cycles/<int:cycle_id>/", views.CycleDetail.as_view(), name="cycle"),
    path("cycles/<int:cycle_id>/results/", views.CycleResults.as_view(), name="cycle_results"),
    path("actions/", views.ActionList.as_view(), name="actions"),
    path("actions/<int:action_id>/", views.ActionDetail.as_view(), name="action"),
    # Public and the same for everyone until the next release: built once per ten minutes (it
    # takes some 70 ms), not on every request.
    path("schema/", cache_page(600)(SpectacularAPIView.as_view()), name="schema"),
    # Swagger UI from our own static files; its start-up script is a separate file (the
    # "split" view), so the page runs under the site's policy of no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
