"""The results export of §10: `cycle,unit_path,level,domain,statement_code,responses,mean,band,
red_pct,amber_pct,green_pct,urgent,suppressed`, as CSV or XLSX, honouring reach and anonymity."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import IO, TextIO

from django.conf import settings
from django.utils.text import slugify

from diagnostics.models import Cycle, Domain
from diagnostics.pooling import Scope, cycle_label, scope_of
from diagnostics.results import Cell, GroupResult, OrganisationResults, results_for_scopes
from diagnostics.scoring import display_mean, display_percent
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path, unit_names_by_path
from sword.csvsafe import FORMULA_STARTS as FORMULA_STARTS
from sword.csvsafe import as_text_cell

COLUMNS = [
    "cycle",
    "unit_path",
    "level",
    "domain",
    "statement_code",
    "responses",
    "mean",
    "band",
    "red_pct",
    "amber_pct",
    "green_pct",
    "urgent",
    "suppressed",
]
LEVELS = ("org", "unit", "team")
BY = ("domain", "statement")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportRequest:
    cycle: Cycle
    levels: tuple[str, ...] = LEVELS
    by: str = "domain"

    @cached_property
    def scope(self) -> Scope:
        """What the file holds (for a pulse, its pool), read once for the rows and the audit."""
        return scope_of(self.cycle)


def reach_key(reach: Reach) -> str:
    """A fingerprint of a person's reach: their roles and the units they hold them at. A file
    prepared in the background is handed over only while the asker's key is unchanged, so a
    role given up, narrowed or moved since gets nothing (diagnostics.access.get_export_for)."""
    held = sorted(f"{m.role}@{m.unit.path}" for m in reach.memberships)
    organisation = reach.organisation.pk if reach.organisation is not None else ""
    text = f"{organisation}|{','.join(held)}"
    return hashlib.sha256(text.encode()).hexdigest()


def prepared_in_background(*, teams: int) -> bool:
    """Whether an export of this many teams (of the cycle, in the viewer's reach) is too large
    to build inside the request (settings.EXPORT_INSTANT_MAX_TEAMS)."""
    return teams > settings.EXPORT_INSTANT_MAX_TEAMS


def download_name(cycle: Cycle, *, by: str, file_format: str) -> str:
    return f"results-{slugify(cycle.name) or cycle.pk}-{by}.{file_format}"


def level_of(unit: Unit) -> str:
    if unit.depth == 1:
        return "org"
    return "team" if unit.is_team else "unit"


def _cell_row(label: str, path: str, level: str, domain: str, code: str, cell: Cell) -> list[str]:
    figures = cell.figures
    # A statement may show its shares without its mean (the mean and band columns stay empty).
    if figures is None or (figures.mean is None and not code):
        return [label, path, level, domain, code, "", "", "", "", "", "", "", "yes"]
    return [
        label,
        path,
        level,
        domain,
        code,
        str(figures.n),
        display_mean(figures.mean),
        figures.band or "",
        display_percent(figures.red_share),
        display_percent(figures.amber_share),
        display_percent(figures.green_share),
        "yes" if figures.urgent else "no",
        "no",
    ]


def export_scope(cycle: Cycle, reach: Reach | None = None) -> str:
    """What an export covers, for the audit log: the cycle's unit, or, for someone who reaches
    only parts of it, those parts (the rows `export_rows` gives them)."""
    if reach is not None and not reach.reaches(cycle.unit):
        names = unit_names_by_path(cycle.organisation)
        team_paths = list(cycle.cycle_teams.values_list("team__path", flat=True))
        inside = [
            unit
            for unit in reach.top_units
            if any(path.startswith(unit.path) for path in team_paths)
        ]
        return "; ".join(readable_path(unit, names) for unit in inside) or "none of its teams"
    if cycle.unit.depth == 1:
        return cycle.unit.name  # the organisation itself: no names to look up
    return readable_path(cycle.unit, unit_names_by_path(cycle.organisation))


def export_rows(request: ExportRequest, reach: Reach | None = None) -> Iterator[list[str]]:
    """Rows for the cycle's organisation, its units and its teams, in tree order.

    `reach=None` (the command line) exports everything; a signed-in person gets only the units
    in their reach, with the figures the disclosure engine releases to them on every page.
    """
    cycle = request.cycle
    scope = request.scope
    label = cycle_label(cycle, scope)
    (results,) = results_for_scopes(
        cycle.organisation, [scope], reach=reach, with_statements=request.by == "statement"
    )
    names = {unit.path: unit.name for unit in results.units.values()}
    cycle_unit_path = cycle.unit.path
    team_paths = set(cycle.cycle_teams.values_list("team__path", flat=True))
    domains = {domain.code: domain for domain in results.domains}

    def in_cycle(unit: Unit) -> bool:
        if unit.depth == 1:
            return True
        if unit.is_team:
            return unit.path in team_paths
        return unit.path.startswith(cycle_unit_path) and any(
            p.startswith(unit.path) for p in team_paths
        )

    for level in LEVELS:
        if level not in request.levels:
            continue
        for unit in results.units.values():
            if level_of(unit) != level or not in_cycle(unit):
                continue
            if reach is not None and not reach.reaches(unit):
                continue
            group = results.group(unit)
            path = readable_path(unit, names)
            yield from _group_rows(label, group, path, level, request.by, domains, results)


def _group_rows(
    label: str,
    group: GroupResult,
    path: str,
    level: str,
    by: str,
    domains: dict[str, Domain],
    results: OrganisationResults,
) -> Iterator[list[str]]:
    if by == "domain":
        for code, cell in group.domains.items():
            yield _cell_row(label, path, level, domains[code].name, "", cell)
        return
    for code, cell in group.statements.items():
        domain_code = results.statement_domains.get(code, "")
        domain_name = domains[domain_code].name if domain_code in domains else ""
        yield _cell_row(label, path, level, domain_name, code, cell)


NUMERIC_COLUMNS = frozenset({"responses", "mean", "red_pct", "amber_pct", "green_pct"})


def number_of(value: str) -> int | float:
    """A numeric column's text as the number it is (XLSX cells and the API's JSON)."""
    return float(value) if "." in value else int(value)


def write_csv(rows: Iterable[list[str]], to: TextIO) -> None:
    """Write the header and the rows one by one, so a large export never sits whole in memory."""
    writer = csv.writer(to, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([as_text_cell(value) for value in row])


def to_csv(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


def sheet_title(title: str) -> str:
    """Excel refuses a sheet title over 31 characters, with any of []:*?/\\ in it, or named
    "History" (which it keeps for itself)."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip(" '")
    cleaned = cleaned[:31].strip()
    return cleaned if cleaned and cleaned.lower() != "history" else "Results"


def write_xlsx(rows: Iterable[list[str]], to: IO[bytes], *, title: str) -> None:
    """Write the workbook to a binary file. openpyxl's write-only mode keeps the rows in a
    temporary file of its own as they come, not in memory, and zips them on save."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    sheet.append(COLUMNS)

    def cell(column: str, value: str) -> object:
        if column in NUMERIC_COLUMNS and value:
            return number_of(value)
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a name beginning "=" stays text, never a formula
        return text

    for row in rows:
        sheet.append([cell(column, value) for column, value in zip(COLUMNS, row, strict=True)])
    workbook.save(to)


def to_xlsx(rows: Iterable[list[str]], *, title: str) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, title=title)
    return buffer.getvalue()
