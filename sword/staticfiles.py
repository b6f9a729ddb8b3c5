"""Django's static files app, leaving out files the site never serves."""

from __future__ import annotations

from django.contrib.staticfiles import apps


class StaticFilesConfig(apps.StaticFilesConfig):
    """Redoc (the API docs use Swagger UI from the same package) and the browsable API's files
    (the API answers JSON only) are not collected: collectstatic copies and compresses some
    6 MB less."""

    ignore_patterns = [
        *apps.StaticFilesConfig.ignore_patterns,
        "drf_spectacular_sidecar/redoc/*",
        "rest_framework",
    ]
