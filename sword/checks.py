"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_for_rate_limits(**kwargs: Any) -> list[Warning]:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache") or backend.endswith("DummyCache"):
        return [
            Warning(
                "The default cache is not shared between processes, so every gunicorn worker "
                "counts rate limits on its own and the limits are multiplied by the number of "
                "workers.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://127.0.0.1:6379/0.",
                id="sword.W001",
            )
        ]
    return []
