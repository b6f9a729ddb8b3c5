from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diagnostics.management.commands._cycles import cycle_by_id
from diagnostics.services import MAX_CODES_PER_REQUEST, invite_url, issue_invites
from organisations.selectors import unit_by_readable_path
from sword.csvsafe import safe_csv_writer


class Command(BaseCommand):
    help = "Print CSV `code,url` with N new one-time codes for a team of a cycle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle_id")
        parser.add_argument("--team", required=True, help="the team's path")
        parser.add_argument("--count", required=True, type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        cycle = cycle_by_id(options["cycle_id"])
        path = " / ".join(part.strip() for part in options["team"].split("/"))
        taking_part = set(cycle.cycle_teams.values_list("team_id", flat=True))
        team = unit_by_readable_path(cycle.organisation, within_cycle=taking_part).get(path)
        if team is None or not team.is_team:
            raise CommandError(f"No team with the path “{options['team']}”.")
        count = options["count"]
        if not 1 <= count <= MAX_CODES_PER_REQUEST:
            raise CommandError(f"--count must be between 1 and {MAX_CODES_PER_REQUEST}.")
        try:
            codes = issue_invites(cycle=cycle, team=team, count=count)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        writer = safe_csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(["code", "url"])
        for code in codes:
            writer.writerow([code, invite_url(code)])
