from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Read API"

    def ready(self) -> None:
        # Registers the token scheme with drf-spectacular, so the schema documents it.
        from api import schema  # noqa: F401
