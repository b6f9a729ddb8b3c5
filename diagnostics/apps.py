from __future__ import annotations

from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Diagnostics"

    def ready(self) -> None:
        from diagnostics.structural import FIGURES
        from organisations.audit import register_labels

        register_labels({figure.code: figure.label for figure in FIGURES})
