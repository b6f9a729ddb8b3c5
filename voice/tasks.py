"""Background jobs of the voice app: the daily notices of issues escalated to a unit.

Scheduled in settings.CELERY_BEAT_SCHEDULE ("voice-escalation-notices"); `manage.py
run_scheduled_jobs voice-escalation-notices` runs it by hand. Running it twice sends nothing twice.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from voice import services


@shared_task(name="voice.send_escalation_notices")
def send_escalation_notices(today: str | None = None) -> int:
    """`today` (an ISO date) for tests and catching up; by default today in Europe/London."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.send_escalation_notices(today=day)
