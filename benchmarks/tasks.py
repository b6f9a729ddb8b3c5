"""Background jobs of the benchmarks app: the nightly benchmark.

Idempotent: each run replaces the computed benchmarks with the same rows from the same data.
Logs counts only, never an organisation.
"""

from __future__ import annotations

import logging

from celery import shared_task

from benchmarks import services

logger = logging.getLogger(__name__)


@shared_task(name="benchmarks.compute_benchmarks")
def compute_benchmarks() -> None:
    summary = services.compute_benchmarks()
    logger.info(
        "Benchmarks computed: %s periods, %s benchmarks, %s rows",
        summary.periods,
        summary.benchmarks,
        summary.rows,
    )
