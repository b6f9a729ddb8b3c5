from __future__ import annotations

from django.urls import path

from diagnostics import survey_views

app_name = "survey"

urlpatterns = [
    path("", survey_views.enter_code, name="enter_code"),
    path("thank-you/", survey_views.thanks, name="thanks"),
    path("how-your-answers-are-protected/", survey_views.protection, name="protection"),
    # The only addresses that carry a code: each exchanges it for a survey session and
    # redirects to the start page. The second takes links to pages from before the change.
    path("c/<str:code>/", survey_views.open_link, name="link"),
    path("c/<str:code>/<path:rest>", survey_views.open_link, name="old_link"),
    path("start/", survey_views.start, name="start"),
    path("page/<int:number>/", survey_views.page, name="page"),
    path("review/", survey_views.review, name="review"),
    path("submit/", survey_views.submit, name="submit"),
]
