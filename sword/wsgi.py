"""WSGI entry point: `gunicorn sword.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")

application = get_wsgi_application()

from sword.collector import settle_collector  # noqa: E402  (needs the settings loaded)
from sword.startup import load_before_requests  # noqa: E402

load_before_requests()
settle_collector()
