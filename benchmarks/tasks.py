"""Background jobs of the benchmarks app: the nightly benchmark.

Idempotent: a period is computed once, by the first run after it has ended (and a grace of
30 days); later runs find it computed and store nothing.
Logs counts only, never an organisation.
"""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from benchmarks import services

logger = logging.getLogger(__name__)


@shared_task(name="benchmarks.compute_benchmarks")
def compute_benchmarks(today: str | None = None) -> None:
    """`today`: an ISO date, for tests and catching up; the local date when not given."""
    summary = services.compute_benchmarks(today=date.fromisoformat(today) if today else None)
    logger.info(
        "Benchmarks computed: %s periods, %s benchmarks, %s rows",
        summary.periods,
        summary.benchmarks,
        summary.rows,
    )
