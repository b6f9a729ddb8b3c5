from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diagnostics.tallies import rebuild_tallies, tally_differences


class Command(BaseCommand):
    help = "Check that the dashboard tallies equal the sums of the raw response rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="rebuild them from raw rows")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            with transaction.atomic():
                rebuild_tallies()
        problems = tally_differences()
        if problems:
            raise CommandError(
                f"{len(problems)} tallies differ from the raw rows, for example:\n  "
                + "\n  ".join(problems[:10])
                + "\nRun check_tallies --rebuild to repair them."
            )
        self.stdout.write("Tallies match the raw rows.")
