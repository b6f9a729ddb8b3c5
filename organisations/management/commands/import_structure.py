from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.management.commands._io import read_text_file
from organisations.services import ImportFailed, import_structure


class Command(BaseCommand):
    help = (
        "Create the organisation if needed and its units from a CSV file with one column `path` "
        "(levels joined by ' / '; the last level of each path is a team). All or nothing. "
        "Prints each unit it creates; warns on stderr of a line that may not say what was "
        "meant (a '/' without spaces, a name like a sibling's but for case or punctuation, a "
        "'?' in a name)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("file", help="CSV file with a `path` column")

    def handle(self, *args: Any, **options: Any) -> None:
        content = read_text_file(options["file"])
        try:
            result = import_structure(organisation_slug=options["org_slug"], content=content)
        except ImportFailed as exc:
            raise CommandError(
                "Nothing was imported. Fix these lines and run again:\n  " + "\n  ".join(exc.errors)
            ) from exc
        self.stdout.write(
            f"{result.organisation.name}: created {result.created_units} unit(s); "
            f"{result.existing_units} already existed."
        )
        for path in result.created_paths:
            self.stdout.write(f"  created: {path}")
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
