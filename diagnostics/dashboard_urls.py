from __future__ import annotations

from django.urls import path

from diagnostics import dashboard_views

app_name = "dashboards"

urlpatterns = [
    path("", dashboard_views.index, name="index"),
    path("units/<int:unit_id>/", dashboard_views.profile, name="profile"),
    path("compare/", dashboard_views.compare_home, name="compare_home"),
    path("compare/<int:unit_id>/", dashboard_views.compare, name="compare"),
    path("trends/<int:unit_id>/", dashboard_views.trends, name="trends"),
    path("lens/", dashboard_views.lens_home, name="lens_home"),
    path("lens/<int:unit_id>/", dashboard_views.lens, name="lens"),
]
