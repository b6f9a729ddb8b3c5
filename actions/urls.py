from __future__ import annotations

from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_new, name="new"),
    path("<int:action_id>/", views.action_detail, name="detail"),
    path("<int:action_id>/escalate/", views.action_escalate, name="escalate"),
    path("library/", views.library, name="library"),
    path("library/new/", views.intervention_new, name="intervention_new"),
    path("library/<int:intervention_id>/", views.intervention_edit, name="intervention_edit"),
]
