from __future__ import annotations

from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_settings, name="settings"),
    path("weekly-digest/<str:token>/", views.digest_link, name="digest_link"),
]
