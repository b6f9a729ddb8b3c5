from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from actions.services import import_translations
from organisations.management.commands._io import organisation_by_slug, read_text_file
from organisations.services import ImportFailed


class Command(BaseCommand):
    help = (
        "Load reviewed texts from a CSV file made by export_translations: all or nothing, every "
        "line checked first. With --organisation, only that organisation's own questionnaire "
        "versions (those no opened cycle has used) and interventions change; without it, the "
        "built-in ones (for the platform operator)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file from export_translations, `text` edited")
        parser.add_argument("--organisation", metavar="ORG_SLUG", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = (
            organisation_by_slug(options["organisation"]) if options["organisation"] else None
        )
        content = read_text_file(options["file"], utf8_only=True)
        try:
            result = import_translations(content=content, organisation=organisation)
        except ImportFailed as exc:
            raise CommandError(
                "Nothing was imported. Fix these lines and run again:\n  " + "\n  ".join(exc.errors)
            ) from exc
        self.stdout.write(
            f"{result.changed} text(s) changed; {result.unchanged} already as in the file; "
            f"{result.untranslated} left empty (not translated yet)."
        )
