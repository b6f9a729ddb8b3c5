"""Import a published reference table of percentiles (all or nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.services import REFERENCE_COLUMNS, import_reference


class Command(BaseCommand):
    help = (
        "Import a published reference table of domain percentiles, used by organisations that "
        f"do not take part in a computed benchmark. CSV columns: {','.join(REFERENCE_COLUMNS)}. "
        "Replaces the table imported before; changes nothing if any line is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text; save it as CSV (UTF-8).") from None
        try:
            benchmark = import_reference(text=text)
        except ValidationError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {m}" for m in error.messages)
            ) from None
        self.stdout.write(
            f"Imported {benchmark.rows.count()} domains from {benchmark.source} "
            f"({benchmark.period})."
        )
