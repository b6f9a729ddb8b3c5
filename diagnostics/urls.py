from __future__ import annotations

from django.urls import path

from diagnostics import export_views, views

app_name = "diagnostics"

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("new/", views.cycle_create, name="cycle_create"),
    path("<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("<int:cycle_id>/open/", views.cycle_open, name="cycle_open"),
    path("<int:cycle_id>/close/", views.cycle_close, name="cycle_close"),
    path("<int:cycle_id>/schedule/", views.cycle_schedule, name="cycle_schedule"),
    path("<int:cycle_id>/edit/", views.cycle_edit, name="cycle_edit"),
    path("<int:cycle_id>/delete/", views.cycle_delete, name="cycle_delete"),
    path("<int:cycle_id>/teams/<int:team_id>/codes/", views.invites_new, name="invites_new"),
    path(
        "<int:cycle_id>/teams/<int:team_id>/codes/sheet/",
        views.invites_sheet,
        name="invites_sheet",
    ),
    path(
        "<int:cycle_id>/teams/<int:team_id>/codes/codes.csv", views.invites_csv, name="invites_csv"
    ),
    path("<int:cycle_id>/teams/<int:team_id>/figures/", views.figures_edit, name="figures_edit"),
    path("<int:cycle_id>/figures/import/", views.figures_import, name="figures_import"),
    path("<int:cycle_id>/figures/template/", views.figures_template, name="figures_template"),
    path("<int:cycle_id>/results.<str:file_format>", views.results_export, name="results_export"),
    path("<int:cycle_id>/exports/", export_views.export_request, name="export_request"),
    path("exports/", export_views.export_list, name="export_list"),
    path("exports/<int:export_id>/", export_views.export_download, name="export_download"),
    path("figure-thresholds/", views.thresholds_edit, name="thresholds"),
    path(
        "figure-thresholds/units/<int:unit_id>/clear/",
        views.thresholds_clear,
        name="thresholds_clear",
    ),
    path("questionnaire/", views.version_list, name="version_list"),
    path("questionnaire/<int:version_id>/", views.version_detail, name="version_detail"),
    path("questionnaire/<int:version_id>/copy/", views.version_copy, name="version_copy"),
    path("questionnaire/<int:version_id>/add/", views.statement_add, name="statement_add"),
    path("statements/<int:statement_id>/", views.statement_edit, name="statement_edit"),
    path("statements/<int:statement_id>/remove/", views.statement_remove, name="statement_remove"),
]
