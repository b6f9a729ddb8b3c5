from __future__ import annotations

from django.urls import path

from organisations import sign_on_views

app_name = "sign_on"

urlpatterns = [
    path("", sign_on_views.start, name="start"),
    path("go/", sign_on_views.go, name="go"),
    path("callback/<slug:organisation>/", sign_on_views.callback, name="callback"),
    # The one address every organisation shared before: says it has changed.
    path("callback/", sign_on_views.old_callback, name="old_callback"),
]
