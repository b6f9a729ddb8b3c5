"""The results export of §10: `cycle,unit_path,level,domain,statement_code,responses,mean,band,
red_pct,amber_pct,green_pct,urgent,suppressed`, as CSV or XLSX, honouring reach and anonymity.

Outcome statements (§12) appear in the same columns, after each group's domains (or, by
statement, among the statements): `domain` is the outcome's name, `band` and `urgent` are empty
(an outcome is not a condition), and `green_pct` is the share who agree (answers of 5 or 6).
`--by drivers` gives the drivers of each outcome instead, in columns of their own
(`DRIVER_COLUMNS`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from io import TextIOBase
from typing import IO, TextIO

from django.conf import settings
from django.utils.text import slugify

from diagnostics.driver_data import drivers_for, outcome_of
from diagnostics.drivers import OutcomeDrivers
from diagnostics.models import Cycle, CycleStatement, Domain
from diagnostics.pooling import Scope, cycle_label, scope_of
from diagnostics.results import Cell, GroupResult, OrganisationResults, results_for_scopes
from diagnostics.scoring import display_mean, display_percent
from disclosure.plan import Hidden
from disclosure.release import effective_k, hidden_text
from organisations.access import Reach
from organisations.models import Unit
from organisations.selectors import readable_path, unit_names_by_path
from sword.csvsafe import EXCEL_READS_UTF8 as EXCEL_READS_UTF8
from sword.csvsafe import FORMULA_STARTS as FORMULA_STARTS
from sword.csvsafe import as_text_cells

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
# After §10's columns (kept first and unchanged), what a person opening the file needs to read
# it: why a suppressed row is hidden (the words the pages give the same reader, in English), and
# a statement row's statement as staff read it.
EXPLAINED_COLUMNS = ["hidden_reason", "statement"]
DRIVER_COLUMNS = [
    "cycle",
    "unit_path",
    "level",
    "outcome",
    "rank",
    "domain",
    "rho",
    "ci_low",
    "ci_high",
    "clear",
    "reading",
    "not_shown",
]
LEVELS = ("org", "unit", "team")
BY = ("domain", "statement", "drivers")
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

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
    return COLUMNS + EXPLAINED_COLUMNS + [name for columns, _ in _extra_columns for name in columns]


@dataclass(frozen=True)
class ExportRequest:
    cycle: Cycle
    levels: tuple[str, ...] = LEVELS
    by: str = "domain"

    @property
    def columns(self) -> list[str]:
        return DRIVER_COLUMNS if self.by == "drivers" else all_columns()

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


def _cell_row(
    label: str,
    path: str,
    level: str,
    domain: str,
    code: str,
    cell: Cell,
    *,
    group: GroupResult,
    statement: str = "",
    outcome: bool = False,
) -> list[str]:
    figures = cell.figures
    reason = cell.hidden or group.hidden
    if figures is None or (figures.mean is None and not code):
        empty = [""] * 7  # responses to urgent
        why = _statement_hidden_text(reason, k=group.k) if code else hidden_text(reason, k=group.k)
        return [label, path, level, domain, code, *empty, "yes", why, statement]
    # A statement may show its shares without its mean (the mean and band columns stay empty).
    mean_hidden = "mean " + hidden_text(reason, k=group.k) if figures.mean is None else ""
    # An outcome is not a condition: no band and no "urgent"; green_pct is the share who agree.
    return [
        label,
        path,
        level,
        domain,
        code,
        str(figures.n),
        display_mean(figures.mean),
        "" if outcome else (figures.band or ""),
        display_percent(figures.red_share),
        display_percent(figures.amber_share),
        display_percent(figures.green_share),
        "" if outcome else ("yes" if figures.urgent else "no"),
        "no",
        mean_hidden,
        statement,
    ]


def _statement_hidden_text(reason: Hidden | None, *, k: int) -> str:
    """Why a statement row is hidden, as its page says it in English: too few is of the people
    who answered the statement, not of the group's responses."""
    if reason is Hidden.FEWER_THAN_K:
        return f"fewer than {effective_k(k)} people answered it"
    return hidden_text(reason, k=k)


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
    domains = {domain.code: domain for domain in (*results.domains, *results.outcomes)}

    def in_cycle(unit: Unit) -> bool:
        if unit.depth == 1:
            return True
        if unit.is_team:
            return unit.path in team_paths
        return unit.path.startswith(cycle_unit_path) and any(
            p.startswith(unit.path) for p in team_paths
        )

    chosen = [
        unit
        for level in LEVELS
        if level in request.levels
        for unit in results.units.values()
        if level_of(unit) == level and in_cycle(unit) and (reach is None or reach.reaches(unit))
    ]
    if request.by == "drivers":
        found = drivers_for(results, chosen)  # one query for every group
        for unit in chosen:
            path = readable_path(unit, names)
            group_drivers = found.get(unit.path)
            if group_drivers is None:
                continue
            if group_drivers.refusal is not None:
                entries: tuple[OutcomeDrivers, ...] = tuple(
                    OutcomeDrivers(outcome_of(outcome), refusal=group_drivers.refusal)
                    for outcome in results.outcomes
                )
            else:
                entries = group_drivers.outcomes
            for entry in entries:
                yield from _driver_rows(label, path, level_of(unit), entry)
        return
    extras = [source(cycle) for _, source in _extra_columns]
    texts = statement_texts(scope) if request.by == "statement" else {}
    for unit, group in zip(chosen, results.groups(chosen), strict=True):
        path = readable_path(unit, names)
        for row, code, statement, mean in _group_rows(
            label, group, path, level_of(unit), request.by, domains, results, texts
        ):
            for values in extras:
                row.extend(values(unit, code, statement, mean))
            yield row


def statement_texts(scope: Scope) -> dict[str, str]:
    """Each statement's English text by code, as the scope's cycles asked it (the newest
    cycle's wording where a pool's pulses asked one code in two versions)."""
    return dict(
        CycleStatement.objects.filter(cycle_id__in=scope.cycle_ids)
        .order_by("cycle__opens_on", "cycle_id")
        .values_list("statement__code", "statement__text")
    )


def _driver_rows(label: str, path: str, level: str, entry: OutcomeDrivers) -> Iterator[list[str]]:
    """One row per condition, strongest first, or one row saying why none are shown."""
    outcome = entry.outcome.name
    if entry.refused or not entry.drivers:
        yield [label, path, level, outcome, "", "", "", "", "", "", "", entry.refused]
        return
    for driver in entry.drivers:
        yield [
            label,
            path,
            level,
            outcome,
            str(driver.rank),
            driver.condition.name,
            str(driver.rho),
            "" if driver.low is None else str(driver.low),
            "" if driver.high is None else str(driver.high),
            "yes" if driver.clear else "no",
            driver.sentence,
            "",
        ]


def _group_rows(
    label: str,
    group: GroupResult,
    path: str,
    level: str,
    by: str,
    domains: dict[str, Domain],
    results: OrganisationResults,
    statement_texts: Mapping[str, str],
) -> Iterator[tuple[list[str], str, str, float | None]]:
    """Each row with its domain code, statement code and released mean (for added columns)."""
    if by == "domain":
        for code, cell in group.domains.items():
            mean = cell.figures.mean if cell.figures else None
            row = _cell_row(label, path, level, domains[code].name, "", cell, group=group)
            yield row, code, "", mean
        # Outcomes are not conditions: no benchmark position (a None mean places nothing).
        for code, cell in group.outcomes.items():
            row = _cell_row(
                label, path, level, domains[code].name, "", cell, group=group, outcome=True
            )
            yield row, code, "", None
        return
    outcome_codes = {domain.code for domain in results.outcomes}
    # In the order of the export by domain (conditions, then outcomes), each domain's
    # statements in their own order.
    position = {code: index for index, code in enumerate([*group.domains, *group.outcomes])}
    statements = sorted(
        group.statements.items(),
        key=lambda item: position.get(results.statement_domains.get(item[0], ""), len(position)),
    )
    for code, cell in statements:
        domain_code = results.statement_domains.get(code, "")
        domain_name = domains[domain_code].name if domain_code in domains else ""
        is_outcome = domain_code in outcome_codes
        mean = cell.figures.mean if cell.figures and not is_outcome else None
        row = _cell_row(
            label,
            path,
            level,
            domain_name,
            code,
            cell,
            group=group,
            statement=statement_texts.get(code, ""),
            outcome=is_outcome,
        )
        yield row, domain_code, code, mean


NUMERIC_COLUMNS = frozenset(
    {"responses", "mean", "red_pct", "amber_pct", "green_pct", "rank", "rho", "ci_low", "ci_high"}
)


def number_of(value: str) -> int | float:
    """A numeric column's text as the number it is (XLSX cells and the API's JSON)."""
    return float(value) if "." in value else int(value)


def write_csv(
    rows: Iterable[list[str]], to: TextIO | TextIOBase, *, columns: Sequence[str] | None = None
) -> None:
    """Write the header and the rows one by one, so a large export never sits whole in memory."""
    writer = csv.writer(to, lineterminator="\n")
    writer.writerow(all_columns() if columns is None else columns)
    for row in rows:
        writer.writerow(as_text_cells(row))


def to_csv(rows: Iterable[list[str]], *, columns: Sequence[str] | None = None) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer, columns=columns)
    return buffer.getvalue()


def sheet_title(title: str) -> str:
    """Excel refuses a sheet title over 31 characters, with any of []:*?/\\ in it, or named
    "History" (which it keeps for itself)."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip(" '")
    cleaned = cleaned[:31].strip()
    return cleaned if cleaned and cleaned.lower() != "history" else "Results"


def write_xlsx(
    rows: Iterable[list[str]],
    to: IO[bytes],
    *,
    title: str,
    columns: Sequence[str] | None = None,
) -> None:
    """Write the workbook to a binary file. openpyxl's write-only mode keeps the rows in a
    temporary file of its own as they come, not in memory, and zips them on save."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    columns = all_columns() if columns is None else list(columns)
    sheet.append(columns)

    def cell(column: str, value: str) -> object:
        if column in NUMERIC_COLUMNS and value:
            number = WriteOnlyCell(sheet, value=number_of(value))
            if "." in value:
                # Shown with the decimals it was released with: Excel's "General" would show
                # a mean of 4.0 as 4, beside the 3.9 and 4.1 of the same column.
                number.number_format = "0." + "0" * len(value.partition(".")[2])
            return number
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"  # a name beginning "=" stays text, never a formula
        return text

    for row in rows:
        sheet.append([cell(column, value) for column, value in zip(columns, row, strict=True)])
    workbook.save(to)


def to_xlsx(
    rows: Iterable[list[str]], *, title: str, columns: Sequence[str] | None = None
) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, title=title, columns=columns)
    return buffer.getvalue()
