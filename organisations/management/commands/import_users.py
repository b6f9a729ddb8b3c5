from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.management.commands._io import organisation_by_slug, read_text_file
from organisations.services import ImportFailed, import_users


class Command(BaseCommand):
    help = (
        "Give people roles from a CSV file with columns email,role,unit_path and optionally "
        "name (role is org_admin, leader or team_manager). All or nothing. Prints each role given "
        "or changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument(
            "file", help="CSV file with email,role,unit_path columns (and name, if wanted)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_by_slug(options["org_slug"])
        content = read_text_file(options["file"])
        try:
            result = import_users(organisation=organisation, content=content)
        except ImportFailed as exc:
            raise CommandError(
                "Nothing was imported. Fix these lines and run again:\n  " + "\n  ".join(exc.errors)
            ) from exc
        self.stdout.write(
            f"{organisation.name}: {result.memberships} role(s) given; "
            f"{result.created_users} new account(s). New people set their password with "
            "“Forgotten your password, or never set one?” on the sign-in page."
        )
        if result.changed_roles or result.unchanged:
            self.stdout.write(
                f"{result.changed_roles} role(s) changed; {result.unchanged} already held."
            )
        for change in result.changes:
            self.stdout.write(f"  {change}")
