"""Background jobs of the dashboards app: the weekly digest for leaders and org admins, and
results worked out once a cycle has settled (dashboards/warming.py).

Scheduled in settings.CELERY_BEAT_SCHEDULE ("weekly-digest", Monday mornings, Europe/London);
`manage.py run_scheduled_jobs weekly-digest` runs it by hand. Each person's digest is sent
once per week however often the job runs (notices.services.send_notice_once).
"""

from __future__ import annotations

from datetime import date, datetime

from celery import shared_task
from django.utils import timezone

from dashboards import services, warming


@shared_task(name="dashboards.send_weekly_digests")
def send_weekly_digests(today: str | None = None) -> int:
    """`today` (an ISO date) for tests and catching up; by default today in Europe/London."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return services.send_weekly_digests(today=day)


@shared_task(name="dashboards.warm_settled_results")
def warm_settled_results(now: str | None = None) -> dict[str, list[int]]:
    """`now` (an ISO date and time) for tests; by default now."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    done = warming.warm_settled_results(now=moment)
    return {"warmed": done.warmed, "skipped": done.skipped, "unfinished": done.unfinished}
