from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from diagnostics.management.commands._cycles import cycle_by_id
from diagnostics.selectors import survey_statements
from sword.csvsafe import safe_csv_writer


class Command(BaseCommand):
    help = "Print a cycle's questionnaire as CSV `code,domain,statement,reverse_scored`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id")

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = cycle_by_id(options["cycle_id"])
        writer = safe_csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["code", "domain", "statement", "reverse_scored"])
        for statement in survey_statements(cycle):
            writer.writerow(
                [
                    statement.code,
                    statement.domain_name,
                    statement.text,
                    "yes" if statement.reverse_scored else "no",
                ]
            )
