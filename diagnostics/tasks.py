"""Background jobs of the diagnostics app: invitation e-mails, results exports prepared in the
background (and deleted when their link expires), and the clock's daily jobs (cycles opening
and closing on their dates, reminders before a cycle closes).

Run by a Celery worker when CELERY_BROKER_URL is set, in process otherwise (sword/celery.py);
the clock's jobs are entries of CELERY_BEAT_SCHEDULE, also run by `manage.py run_scheduled_jobs`.
Every job is idempotent: running one twice sends nothing twice (services.send_invite_messages,
notices.services.send_notice_once).
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
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
    retries = self.request.retries
    last_try = retries >= (self.max_retries or 0)
    countdown = settings.INVITE_RETRY_SECONDS * 2**retries
    try:
        undelivered = services.send_invite_messages(
            batch_id=batch_id, messages=[(address, code) for address, code in messages]
        )
    except (OperationalError, InterfaceError) as error:
        # The database failed partway (a dropped connection, a lock): each message sent so far
        # committed its claim, so the whole chunk is tried again and those are skipped.
        if last_try:
            logger.error(
                "Invite batch %s: the database failed on every try; %s messages of a chunk "
                "may still be waiting",
                batch_id,
                len(messages),
            )
            raise
        raise self.retry(exc=error, countdown=countdown) from error
    if not undelivered:
        return
    if last_try:
        services.record_undelivered_invites(batch_id=batch_id, messages=undelivered)
        return
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


def _day(today: str | None) -> date:
    """The day a clock job runs for: `today` (ISO, from a test or a person catching up), else
    today in Europe/London."""
    return date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="diagnostics.open_and_close_cycles")
def open_and_close_cycles(today: str | None = None) -> None:
    """Daily, just after midnight: scheduled drafts open on their opening day, open cycles close
    once their closing day has ended, and the people who run them are told."""
    run = services.open_and_close_cycles(today=_day(today))
    logger.info(
        "Clock: opened %s, could not open %s, closed %s cycles; %s notices sent; "
        "%s survey drafts nobody can submit deleted",
        len(run.opened),
        len(run.refused),
        len(run.closed),
        run.notices,
        run.drafts_deleted,
    )


@shared_task(name="diagnostics.send_cycle_reminders")
def send_cycle_reminders(today: str | None = None) -> None:
    """Daily, in the morning: one reminder per kept address and cycle before it closes."""
    sent = services.send_cycle_reminders(today=_day(today))
    logger.info("Reminders: %s sent", sent)
