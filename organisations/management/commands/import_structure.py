from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.management.commands._io import read_text_file
from organisations.services import ImportFailed, import_structure


class Command(BaseCommand):
    help = (
        "Create the organisation if needed and its units from a CSV file with one column `path` "
        "(levels joined by ' / '; the last level of each path is a team). All or nothing."
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
