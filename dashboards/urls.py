from __future__ import annotations

from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:unit_id>/", views.profile, name="profile"),
    path("compare/", views.compare_home, name="compare_home"),
    path("compare/<int:unit_id>/", views.compare, name="compare"),
    path("trends/<int:unit_id>/", views.trends, name="trends"),
    path("benchmark/<int:unit_id>/", views.benchmark, name="benchmark"),
    path("lens/", views.lens_home, name="lens_home"),
    path("lens/<int:unit_id>/", views.lens, name="lens"),
]
