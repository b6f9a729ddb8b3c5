from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from actions.selectors import TRANSLATION_COLUMNS, translation_rows
from diagnostics.management.commands.export_instrument import language_code
from organisations.management.commands._io import organisation_by_slug
from sword.csvsafe import safe_csv_writer


class Command(BaseCommand):
    help = (
        "Print, as CSV for a Welsh language officer to review, every statement of the built-in "
        "questionnaire versions and every built-in intervention (and, with --organisation, the "
        "organisation's own) with its English and its text in --language (empty where it has "
        "none). Edit the `text` column and load the file with import_translations. Columns: "
        + ",".join(TRANSLATION_COLUMNS)
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--language", default="cy", help="The language to review (cy).")
        parser.add_argument("--organisation", metavar="ORG_SLUG", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        language = language_code(options["language"])
        organisation = (
            organisation_by_slug(options["organisation"]) if options["organisation"] else None
        )
        writer = safe_csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(TRANSLATION_COLUMNS)
        for row in translation_rows(language=language, organisation=organisation):
            writer.writerow(row.cells())
