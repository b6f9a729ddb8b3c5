"""A results export prepared by a real Celery worker on Redis while the page comes back."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from diagnostics.models import ExportJob
from sword.celery import app as celery_app

# A database of its own on the machine's Redis (the invite worker test uses 13).
TEST_BROKER_URL = "redis://127.0.0.1:6379/12"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(TEST_BROKER_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def worker_on_redis(settings, tmp_path) -> Iterator[Any]:
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail("CI must have Redis on 127.0.0.1:6379 for the queue tests")
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis.Redis.from_url(TEST_BROKER_URL).flushdb()
    settings.CELERY_BROKER_URL = TEST_BROKER_URL
    settings.MEDIA_ROOT = str(tmp_path / "media")
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=TEST_BROKER_URL, task_always_eager=False)
    celery_app._after_fork()  # type: ignore[attr-defined]  # forget pools for the old broker
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        celery_app.conf.update(saved)
        celery_app._after_fork()  # type: ignore[attr-defined]
        redis.Redis.from_url(TEST_BROKER_URL).flushdb()


def _wait_until_settled(job: ExportJob, *, seconds: float) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status != ExportJob.Status.QUEUED:
            return job
        time.sleep(0.1)
    return job


@pytest.mark.queue
def test_it_prepares_an_export_on_a_real_worker_with_the_instant_downloads_rows(
    transactional_db, world, client_for, make_cycle, respond, worker_on_redis
):
    cycle = make_cycle(unit=world.units["Children's Services"], name="Spring")
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_c, 6, value=3)
    client = client_for(world.leader)

    response = client.post(
        reverse("diagnostics:export_request", args=[cycle.pk]),
        {"format": "csv", "by": "statement", "level": ""},
    )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    job = _wait_until_settled(job, seconds=60)
    assert job.status == ExportJob.Status.READY

    download = client.get(reverse("diagnostics:export_download", args=[job.pk]))
    instant = client.get(
        reverse("diagnostics:results_export", args=[cycle.pk, "csv"]) + "?by=statement"
    )
    assert b"".join(download.streaming_content) == instant.content
