from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diagnostics.models import Cycle, InstrumentVersion
from diagnostics.pulses import PULSE_MAX
from diagnostics.selectors import latest_version_for
from diagnostics.services import create_cycle, open_cycle
from organisations.management.commands._io import organisation_by_slug
from organisations.selectors import root_of, unit_by_readable_path


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"“{value}” is not a date: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Create and open a cycle for every team under a unit; prints the cycle's id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument(
            "--unit",
            required=True,
            help="the unit's path, e.g. \"Children's Services / Locality North\" "
            "(the organisation's name for the whole organisation)",
        )
        parser.add_argument("--kind", required=True, choices=Cycle.Kind.values)
        parser.add_argument("--opens", required=True, help="YYYY-MM-DD")
        parser.add_argument("--closes", required=True, help="YYYY-MM-DD")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--instrument", type=int, help="questionnaire version id (default: latest)"
        )
        parser.add_argument("--pulse-size", type=int, default=PULSE_MAX)

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_by_slug(options["org_slug"])
        units = unit_by_readable_path(organisation)
        path = options["unit"].strip()
        unit = units.get(" / ".join(part.strip() for part in path.split("/")))
        if unit is None and path in ("", "/", organisation.name):
            unit = root_of(organisation)
        if unit is None:
            raise CommandError(f"No unit with the path “{path}” in {organisation.name}.")
        opens_on, closes_on = parse_date(options["opens"]), parse_date(options["closes"])
        if options["instrument"]:
            try:
                instrument = InstrumentVersion.objects.get(pk=options["instrument"])
            except InstrumentVersion.DoesNotExist as exc:
                raise CommandError(f"No questionnaire version {options['instrument']}.") from exc
        else:
            instrument = latest_version_for(organisation)
        try:
            with transaction.atomic():
                cycle = create_cycle(
                    unit=unit,
                    kind=options["kind"],
                    instrument=instrument,
                    name=options["name"],
                    opens_on=opens_on,
                    closes_on=closes_on,
                    created_by=None,
                    pulse_size=options["pulse_size"],
                )
                open_cycle(cycle=cycle)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(str(cycle.pk))
