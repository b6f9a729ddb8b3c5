from __future__ import annotations

from django.apps import AppConfig


class SwordConfig(AppConfig):
    name = "sword"
    verbose_name = "SWORD site"

    def ready(self) -> None:
        from sword import checks  # noqa: F401  # registers the deployment checks
        from sword.translations import remember_translations

        remember_translations()
