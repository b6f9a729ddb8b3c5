from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.bench import BENCH_PASSWORD, BenchSize, build


class Command(BaseCommand):
    help = (
        "Build the benchmark organisation on PostgreSQL: 300 teams, about 6,000 staff, 6 full "
        "cycles, 24 pulses and about 1.5 million answers (recreated if it exists)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams-per-service", type=int, default=BenchSize.teams)
        parser.add_argument("--headcount", type=int, default=BenchSize.headcount)

    def handle(self, *args: Any, **options: Any) -> None:
        size = BenchSize(teams=options["teams_per_service"], headcount=options["headcount"])
        try:
            counts = build(size)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Built {counts['teams']} teams, {counts['cycles']} cycles, "
            f"{counts['responses']:,} responses, {counts['answers']:,} answers and "
            f"{counts['invites']:,} invites in {counts['seconds']} s."
        )
        self.stdout.write(f"Sign in as admin@bench.example with {BENCH_PASSWORD}.")
