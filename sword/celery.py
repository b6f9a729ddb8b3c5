"""The Celery app: background jobs on Redis, or in process when no broker is configured.

Wiring only: tasks live in each app's `tasks.py` and are found by `autodiscover_tasks`.
Run a worker with `celery -A sword worker` (see the README's "Background jobs").
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")

app = Celery("sword")
# Every CELERY_* setting in sword/settings.py configures the app (CELERY_BROKER_URL -> broker_url).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
