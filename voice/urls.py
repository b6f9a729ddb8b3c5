from __future__ import annotations

from django.urls import path

from voice import views

app_name = "voice"

urlpatterns = [
    # Public: anyone with the team's secret link, no sign-in.
    path("b/<str:token>/", views.board, name="board"),
    path("b/<str:token>/raise/", views.raise_issue, name="raise"),
    path("b/<str:token>/issues/<int:issue_id>/support/", views.support, name="support"),
    # Signed in: the people who answer.
    path("", views.manage, name="manage"),
    path("issues/<int:issue_id>/", views.issue_detail, name="issue"),
    path("issues/<int:issue_id>/escalate/", views.issue_escalate, name="escalate"),
    path("issues/<int:issue_id>/hide/", views.issue_hide, name="hide"),
    path("issues/<int:issue_id>/unhide/", views.issue_unhide, name="unhide"),
    path("teams/<int:team_id>/link/", views.team_link, name="team_link"),
    path("teams/<int:team_id>/rotate/", views.rotate, name="rotate"),
]
