from __future__ import annotations

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """Readings of results: home pages, dashboards and charts, above diagnostics and actions."""

    name = "dashboards"
    verbose_name = "Dashboards"
