"""Compute the benchmark across the organisations taking part now (as the nightly job does)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.services import compute_benchmarks


class Command(BaseCommand):
    help = (
        "Compute the benchmark (20th, 50th and 80th percentiles of organisation and team means "
        "per period and domain) across the organisations taking part, for each period that has "
        "ended (with 30 days' grace) and has none yet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="Compute as on this date (YYYY-MM-DD); the local date by default."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today is a date written YYYY-MM-DD.") from None
        started = time.perf_counter()
        summary = compute_benchmarks(today=today)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Computed {summary.benchmarks} benchmarks ({summary.rows} rows) over "
            f"{summary.periods} periods in {seconds:.1f} s."
        )
