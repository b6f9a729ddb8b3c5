"""Run the clock's jobs (settings.CELERY_BEAT_SCHEDULE) now, in this process.

For installations without a broker, from cron (for example hourly), and for trying a job by hand.
Every job is idempotent, so running one more often than its schedule sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sword.celery import app


class Command(BaseCommand):
    help = "Run the scheduled background jobs now, in this process (all, or the ones named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "names", nargs="*", help="Entries of CELERY_BEAT_SCHEDULE to run; all when none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
        names: list[str] = options["names"] or sorted(schedule)
        unknown = [name for name in names if name not in schedule]
        if unknown:
            raise CommandError(
                f"No scheduled job called {', '.join(unknown)}. "
                f"The jobs are: {', '.join(sorted(schedule)) or 'none'}."
            )
        app.loader.import_default_modules()
        for name in names:
            entry = schedule[name]
            task = app.tasks[entry["task"]]
            task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True)
            self.stdout.write(f"Ran {name} ({entry['task']}).")
