from __future__ import annotations

from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("structure/", views.structure, name="structure"),
    path("structure/import/", views.structure_import, name="structure_import"),
    path("structure/structure.csv", views.structure_file, name="structure_file"),
    path("units/<int:unit_id>/add/", views.unit_add, name="unit_add"),
    path("units/<int:unit_id>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<int:unit_id>/archive/", views.unit_archive, name="unit_archive"),
    path("units/<int:unit_id>/restore/", views.unit_restore, name="unit_restore"),
    path("units/<int:unit_id>/delete/", views.unit_delete, name="unit_delete"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.people_invite, name="people_invite"),
    path("people/import/", views.people_import, name="people_import"),
    path("people/people.csv", views.people_file, name="people_file"),
    path("people/<int:membership_id>/", views.membership_edit, name="membership_edit"),
    path("people/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path(
        "people/<int:membership_id>/invite-again/",
        views.membership_invite_again,
        name="membership_invite_again",
    ),
    path("settings/", views.organisation_settings, name="settings"),
    path("audit/", views.audit_log, name="audit"),
]
