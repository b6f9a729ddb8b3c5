"""The results export of §10: `cycle,unit_path,level,domain,statement_code,responses,mean,band,
red_pct,amber_pct,green_pct,urgent,suppressed`, as CSV or XLSX, honouring reach and anonymity."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

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

# Columns a higher app appends after §10's (which stay first and unchanged): the benchmark's
# positions. A source is asked once per export for a function giving a row's values from its
# unit, domain code, statement code ("" in domain rows) and released mean (None when hidden).
RowValues = Callable[[Unit, str, str, float | None], list[str]]
ColumnSource = Callable[[Cycle], RowValues]
_extra_columns: list[tuple[tuple[str, ...], ColumnSource]] = []


def register_columns(columns: Sequence[str], source: ColumnSource) -> None:
    """Append columns to every results export (called by an app when it starts; once)."""
    if any(tuple(columns) == known for known, _ in _extra_columns):
        return
    _extra_columns.append((tuple(columns), source))


def all_columns() -> list[str]:
    return COLUMNS + [name for columns, _ in _extra_columns for name in columns]


BY = ("domain", "statement")


@dataclass(frozen=True)
class ExportRequest:
    cycle: Cycle
    levels: tuple[str, ...] = LEVELS
    by: str = "domain"

    @cached_property
    def scope(self) -> Scope:
        """What the file holds (for a pulse, its pool), read once for the rows and the audit."""
        return scope_of(self.cycle)


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
    extras = [source(cycle) for _, source in _extra_columns]

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
            for row, code, statement, mean in _group_rows(
                label, group, path, level, request.by, domains, results
            ):
                for values in extras:
                    row.extend(values(unit, code, statement, mean))
                yield row


def _group_rows(
    label: str,
    group: GroupResult,
    path: str,
    level: str,
    by: str,
    domains: dict[str, Domain],
    results: OrganisationResults,
) -> Iterator[tuple[list[str], str, str, float | None]]:
    """Each row with its domain code, statement code and released mean (for added columns)."""
    if by == "domain":
        for code, cell in group.domains.items():
            mean = cell.figures.mean if cell.figures else None
            yield _cell_row(label, path, level, domains[code].name, "", cell), code, "", mean
        return
    for code, cell in group.statements.items():
        domain_code = results.statement_domains.get(code, "")
        domain_name = domains[domain_code].name if domain_code in domains else ""
        mean = cell.figures.mean if cell.figures else None
        yield _cell_row(label, path, level, domain_name, code, cell), domain_code, code, mean


NUMERIC_COLUMNS = frozenset({"responses", "mean", "red_pct", "amber_pct", "green_pct"})


def to_csv(rows: Iterator[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(all_columns())
    writer.writerows([as_text_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def sheet_title(title: str) -> str:
    """Excel refuses a sheet title over 31 characters, with any of []:*?/\\ in it, or named
    "History" (which it keeps for itself)."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip(" '")
    cleaned = cleaned[:31].strip()
    return cleaned if cleaned and cleaned.lower() != "history" else "Results"


def to_xlsx(rows: Iterator[list[str]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    columns = all_columns()
    sheet.append(columns)

    def cell(column: str, value: str) -> object:
        if column in NUMERIC_COLUMNS and value:
            return float(value) if "." in value else int(value)
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a name beginning "=" stays text, never a formula
        return text

    for row in rows:
        sheet.append([cell(column, value) for column, value in zip(columns, row, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
