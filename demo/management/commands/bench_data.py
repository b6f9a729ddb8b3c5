from __future__ import annotations

import resource
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.bench import BENCH_PASSWORD, BenchSize, build


class Command(BaseCommand):
    help = (
        "Build the benchmark organisation on PostgreSQL: 300 teams, about 6,000 staff, 6 full "
        "cycles, 24 pulses and about 1.7 million answers, or --scale times the teams (recreated "
        "if it exists)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="times the teams and staff, in the same cycles (10: 3,000 teams)",
        )
        parser.add_argument("--teams-per-service", type=int, default=BenchSize.teams)
        parser.add_argument("--headcount", type=int, default=BenchSize.headcount)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 1:
            raise CommandError("--scale is a whole number from 1.")
        size = BenchSize(teams=options["teams_per_service"], headcount=options["headcount"])
        try:
            counts = build(size.scaled(options["scale"]))
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
        self.stdout.write(
            f"Built {counts['teams']:,} teams, {counts['cycles']} cycles, "
            f"{counts['responses']:,} responses, {counts['answers']:,} answers and "
            f"{counts['invites']:,} invites in {counts['seconds']} s; "
            f"peak memory (RSS) {peak / 1024:,.0f} MB."
        )
        self.stdout.write(f"Sign in as admin@bench.example with {BENCH_PASSWORD}.")
