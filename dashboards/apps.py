from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Readings of results: home pages, dashboards and charts, above diagnostics and actions."""

    name = "dashboards"
    verbose_name = _("Dashboards")
