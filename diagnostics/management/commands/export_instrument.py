from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from diagnostics.management.commands._cycles import cycle_by_id
from diagnostics.selectors import survey_statements
from sword.csvsafe import safe_csv_writer


def language_code(value: str) -> str:
    """A language of the site, by its code (`cy`) or its English one's short form (`en`)."""
    codes = [code for code, _ in settings.LANGUAGES]
    wanted = value.strip().lower()
    if wanted == "en":
        return codes[0]
    if wanted not in codes:
        raise CommandError(
            f"“{value}” is not one of the site's languages; use one of: " + ", ".join(codes) + "."
        )
    return wanted


class Command(BaseCommand):
    help = (
        "Print a cycle's questionnaire as CSV `code,domain,statement,reverse_scored`; with "
        "--language, the domains and statements in that language (English where a statement "
        "has no text in it, each such statement named on stderr)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id")
        parser.add_argument(
            "--language",
            default="en",
            help="en (the default) or cy: the language of the domain and statement columns.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language = language_code(options["language"])
        cycle = cycle_by_id(options["cycle_id"])
        statements = survey_statements(cycle)
        writer = safe_csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["code", "domain", "statement", "reverse_scored"])
        untranslated = []
        with translation.override(language):
            for statement in statements:
                text = statement.text_in(language)
                if language != settings.LANGUAGES[0][0] and text == statement.text:
                    untranslated.append(statement.code)
                writer.writerow(
                    [
                        statement.code,
                        translation.gettext(statement.domain_name),
                        text,
                        "yes" if statement.reverse_scored else "no",
                    ]
                )
        if untranslated:
            self.stderr.write(
                f"No text in {dict(settings.LANGUAGES)[language]} for "
                + ", ".join(untranslated)
                + ": their English text is printed."
            )
