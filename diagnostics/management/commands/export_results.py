from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.exports import (
    BY,
    LEVELS,
    ExportRequest,
    export_rows,
    write_csv,
    write_xlsx,
)
from diagnostics.management.commands._cycles import cycle_by_id
from diagnostics.services import record_export


class Command(BaseCommand):
    help = (
        "Export a cycle's results: CSV to standard output, or XLSX to a file. Every anonymity "
        "rule applies: a suppressed row leaves responses to urgent empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--level", choices=LEVELS, help="only this level (default: organisation, units, teams)"
        )
        parser.add_argument(
            "--by",
            choices=BY,
            default="domain",
            help=(
                "rows per domain (and outcome), per statement, or the drivers of each outcome "
                "(their own columns: cycle,unit_path,level,outcome,rank,domain,rho,ci_low,"
                "ci_high,clear,reading,not_shown)"
            ),
        )
        parser.add_argument(
            "--output", help="file to write (default for xlsx: results-cycle<ID>.xlsx)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = cycle_by_id(options["cycle_id"])
        request = ExportRequest(
            cycle=cycle,
            levels=(options["level"],) if options["level"] else LEVELS,
            by=options["by"],
        )
        # Row by row to the output, so a large organisation's file never sits whole in memory.
        if options["format"] == "csv":
            write_csv(export_rows(request), self.stdout, columns=request.columns)
            message = ""
        else:
            target = Path(options["output"] or f"results-cycle{cycle.pk}.xlsx")
            try:
                with target.open("wb") as handle:
                    write_xlsx(
                        export_rows(request), handle, title=cycle.name, columns=request.columns
                    )
            except OSError as exc:
                raise CommandError(f"Cannot write {target}: {exc.strerror}.") from exc
            message = f"Wrote {target}"
        # Recorded once the export exists: a failed command leaves no trace and changes nothing.
        record_export(
            export=request, file_format=options["format"], user=None, via="export_results"
        )
        if message:
            self.stdout.write(message)
