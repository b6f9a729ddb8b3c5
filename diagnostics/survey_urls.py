from __future__ import annotations

from django.urls import path

from diagnostics import survey_views

app_name = "survey"

urlpatterns = [
    path("", survey_views.enter_code, name="enter_code"),
    path("thank-you/", survey_views.thanks, name="thanks"),
    path("c/<str:code>/", survey_views.start, name="start"),
    path("c/<str:code>/page/<int:number>/", survey_views.page, name="page"),
    path("c/<str:code>/review/", survey_views.review, name="review"),
    path("c/<str:code>/submit/", survey_views.submit, name="submit"),
]
