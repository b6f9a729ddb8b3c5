"""The organisation's structure pages whose writes reach a unit's results (served under
/organisation/units/, beside the organisations app's own)."""

from __future__ import annotations

from django.urls import path

from diagnostics import views

app_name = "units"

urlpatterns = [
    path("<int:unit_id>/move/", views.unit_move, name="move"),
]
