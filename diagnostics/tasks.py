"""Background jobs of the diagnostics app: sending invitation e-mails, preparing results exports
and deleting them when their link expires.

Run by a Celery worker when CELERY_BROKER_URL is set, in process otherwise (sword/celery.py).
Every job is idempotent: running one twice sends nothing twice (services.send_invite_messages).
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from diagnostics import services

logger = logging.getLogger(__name__)


@shared_task(name="diagnostics.send_invite_batch")
def send_invite_batch(batch_id: int, messages: list[tuple[str, str]]) -> None:
    """Split a batch into chunks, one job each, so workers send them side by side."""
    size = services.INVITE_CHUNK_SIZE
    for start in range(0, len(messages), size):
        send_invite_chunk.delay(batch_id, [list(m) for m in messages[start : start + size]])


@shared_task(bind=True, name="diagnostics.send_invite_chunk", max_retries=5)
def send_invite_chunk(self: Task[..., None], batch_id: int, messages: list[list[str]]) -> None:
    """Send one chunk; try the messages the mail server refused again, with exponential backoff
    (INVITE_RETRY_SECONDS, then twice that, ...), and count them failed after the last try."""
    undelivered = services.send_invite_messages(
        batch_id=batch_id, messages=[(address, code) for address, code in messages]
    )
    if not undelivered:
        return
    retries = self.request.retries
    if retries >= (self.max_retries or 0):
        services.record_undelivered_invites(
            batch_id=batch_id, addresses=[address for address, _ in undelivered]
        )
        return
    countdown = settings.INVITE_RETRY_SECONDS * 2**retries
    raise self.retry(args=(batch_id, [list(m) for m in undelivered]), countdown=countdown)


@shared_task(name="diagnostics.prepare_export")
def prepare_export(job_id: int) -> None:
    """Build the file of a results export someone asked for (services.prepare_export). If it
    breaks, the request reads "could not be prepared" rather than waiting until it expires."""
    try:
        services.prepare_export(job_id=job_id)
    except Exception:
        services.fail_export(job_id=job_id)
        logger.exception("Results export %s could not be prepared", job_id)


@shared_task(name="diagnostics.purge_expired_exports")
def purge_expired_exports(now: str | None = None) -> int:
    """Hourly: delete the files of exports past their expiry and mark them expired. `now` (an
    ISO date and time, Europe/London unless it says) for tests; by default the present."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    expired = services.purge_expired_exports(now=moment)
    if expired:
        logger.info("Expired %s results exports", expired)
    return expired
