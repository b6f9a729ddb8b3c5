"""WSGI entry point: `gunicorn sword.wsgi`."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the catalogues) lives as long as the process: kept
# out of the collector's full passes, which otherwise walk it all again during requests that
# make many objects (a full pass cost 120-150 ms on the structural lens; docs/performance.md).
gc.freeze()
