"""Compute the benchmark across the organisations taking part now (as the nightly job does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from benchmarks.services import compute_benchmarks


class Command(BaseCommand):
    help = (
        "Compute the benchmark (20th, 50th and 80th percentiles of organisation and team means "
        "per period and domain) across the organisations taking part, replacing the last one."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        summary = compute_benchmarks()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Computed {summary.benchmarks} benchmarks ({summary.rows} rows) over "
            f"{summary.periods} periods in {seconds:.1f} s."
        )
