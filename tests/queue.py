"""A real Celery worker on the machine's Redis, for the tests of background jobs.

Each test module gives its own Redis database (the invite worker 13, the export worker 12), so
their queues never mix. Without Redis the test is skipped, except in CI (`CI` set), where it
fails: CI must run the queue tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from sword.celery import app as celery_app


def redis_answers(broker_url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(broker_url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _drop_broker_pools() -> None:
    """Forget the app's connection and producer pools, so the next job uses the broker now
    configured (Celery does the same after a fork)."""
    celery_app._after_fork()  # type: ignore[attr-defined]


@contextmanager
def worker_on(broker_url: str, settings: Any) -> Iterator[Any]:
    """Point the app (and Django's settings) at `broker_url`, empty that database, and run one
    worker (solo pool, in a thread) until the block ends; then put everything back."""
    if not redis_answers(broker_url):
        if os.environ.get("CI"):
            pytest.fail("CI must have Redis on 127.0.0.1:6379 for the queue tests")
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis.Redis.from_url(broker_url).flushdb()
    settings.CELERY_BROKER_URL = broker_url
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=broker_url, task_always_eager=False)
    _drop_broker_pools()  # jobs run in process earlier made pools for the unset broker
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"
        ) as worker:
            yield worker
    finally:
        celery_app.conf.update(saved)
        _drop_broker_pools()
        redis.Redis.from_url(broker_url).flushdb()
