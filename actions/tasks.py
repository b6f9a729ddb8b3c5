"""Background jobs of the actions app: the daily due, overdue and escalation notices.

Scheduled in settings.CELERY_BEAT_SCHEDULE ("action-notices"); `manage.py run_scheduled_jobs
action-notices` runs it by hand. Idempotent: running it twice sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from actions import services


@shared_task(name="actions.send_action_notices")
def send_action_notices(today: str | None = None) -> int:
    """`today` (an ISO date) for tests and catching up; by default today in Europe/London."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.send_action_notices(today=day)
