"""A results export prepared by a real Celery worker on Redis while the page comes back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from diagnostics.models import ExportJob
from tests.queue import worker_on

# A database of its own on the machine's Redis (the invite worker test uses 13).
TEST_BROKER_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def worker_on_redis(settings, tmp_path) -> Iterator[Any]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with worker_on(TEST_BROKER_URL, settings) as worker:
        yield worker


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
