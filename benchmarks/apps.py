from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    name = "benchmarks"
    verbose_name = _("Benchmarks")

    def ready(self) -> None:
        # The results export (diagnostics, a lower layer) gains the position columns through
        # a registration, so diagnostics never imports this app.
        from benchmarks.selectors import export_positions
        from diagnostics.exports import register_columns

        register_columns(export_positions.COLUMNS, export_positions)
