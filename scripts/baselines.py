"""Bare-SQL baselines: for each page `scripts/bench` times, the least plain SQL that reads what
the page must read to show its figures, so a page can be measured against its limit.

A baseline is the data a page must read to show its figures, read with a psycopg2 cursor (no
ORM, no Python beyond fetching the rows):

- the sums behind every figure shown (n, mean, red/amber/green), from the running tallies
  (`diagnostics_teamtally`, `diagnostics_domaintally`, `diagnostics_statementtally`), added up
  by the database for exactly the groups and scopes the page shows;
- the counts the disclosure engine decides from, because the product may not show a figure
  without deciding it: for every team in the viewer's reach, in every cycle in view, its
  responses, its answers per statement (and each statement's domain) and the distinct numbers
  of a domain's statements its responses answered (from `diagnostics_domainscore`, the only
  place those live);
- whatever else the page shows as a figure: structural figures and the thresholds that rate
  them, the response rate's invitations, the comments, the home page's counts.

Not in a baseline: the page's Python (the engine's plan, rounding, charts, templates), the
session and audit rows, labels (unit and domain names; the export's readable paths are read),
the benchmark positions (the benchmark data has none; where there is one a page reads it in one
or two more queries of a few rows), and choosing what to show (the cycles
in view and the groups): those are resolved once from the page's own inputs, before timing,
like the page's URL (`cases`). The viewer is the organisation's admin, as in `scripts/bench`,
so every team is its own node (a narrower reach reads the same rows, bucketed).

`verify` runs each page's builder and compares every shown figure with the baseline's
(means to 2 dp after the same rounding at release, n, shares), so a baseline that reads too
little cannot pass for one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any, Protocol

from django.db import connection
from django.urls import reverse

from dashboards import compare as compare_page
from dashboards import lens as lens_page
from dashboards import profile as profile_page
from dashboards import trends as trends_page
from dashboards.common import DASHBOARD_PULSES
from dashboards.home import LIST_LENGTH, headline_cycles, home_page
from diagnostics.drivers import minimum_responses
from diagnostics.exports import ExportRequest, export_rows
from diagnostics.models import Cycle, CycleStatement, Domain
from diagnostics.pooling import Scope, cycle_label, cycle_scope, pools_taking_part, pulse_pools
from diagnostics.scoring import (
    GREEN_FROM,
    RED_BELOW,
    URGENT_RED_SHARE,
    conditions_index,
    display_mean,
    display_percent,
    is_urgent,
)
from diagnostics.selectors import cycles_covering, cycles_visible_to
from diagnostics.structural import plain_number
from diagnostics.structural_data import FIGURE_CODES
from disclosure.release import effective_k, rounded_mean, rounded_share
from organisations.access import Reach, reach_of
from organisations.models import Membership, Organisation, Role, Unit

TARGETS = {"organisation heatmap": 1.5}  # page / baseline; every other page: DEFAULT_TARGET
DEFAULT_TARGET = 3.0
STRUCTURAL_COLUMNS = (
    "caseload",
    "vacancy_rate",
    "agency_share",
    "supervision_held",
    "turnover",
    "sickness_days",
    "incidents",
    "recording_hours",
)
assert tuple(FIGURE_CODES) == STRUCTURAL_COLUMNS, "the structural figures changed: update the SQL"
# The deepest a unit can be: a path holds this many steps. A constant bound lets PostgreSQL
# estimate the rows of `generate_series` (a bound read from each row would be guessed at 1,000).
DEEPEST = Unit._meta.get_field("path").max_length // Unit.steplen


class Cursor(Protocol):
    """The part of a psycopg2 cursor the baselines use."""

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ...) -> None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def mogrify(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ...) -> bytes: ...

    def copy_expert(self, sql: str, file: IO[str]) -> None: ...


class CountingCursor:
    """A cursor that counts the statements sent through it (the baselines' query count)."""

    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self.statements = 0

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> None:
        self.statements += 1
        self.cursor.execute(sql, params)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.cursor.fetchall()

    def mogrify(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> bytes:
        return self.cursor.mogrify(sql, params)

    def copy_expert(self, sql: str, file: IO[str]) -> None:
        self.statements += 1
        self.cursor.copy_expert(sql, file)


def raw_cursor() -> Cursor:
    """psycopg2's own cursor on Django's connection (same database, no Django in between)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The bare-SQL baselines are PostgreSQL's SQL: set DATABASE_URL.")
    connection.ensure_connection()
    cursor: Cursor = connection.connection.cursor()
    return cursor


# --- what a figure is computed from ------------------------------------------------------------


@dataclass(frozen=True)
class Sums:
    """A group's sums for one domain or statement (`n`: responses with a score, or answers), or
    its responses (`n` only)."""

    n: int
    total: float
    red: int
    amber: int
    green: int

    @property
    def answered(self) -> int:
        return self.red + self.amber + self.green

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    def share(self, count: int) -> float | None:
        return count / self.answered if self.answered else None


NO_SUMS = Sums(0, 0.0, 0, 0, 0)


def _sums(row: Sequence[Any]) -> Sums:
    n, total, red, amber, green = row
    return Sums(int(n or 0), float(total or 0), int(red or 0), int(amber or 0), int(green or 0))


@dataclass(frozen=True)
class EngineCounts:
    """What the disclosure engine decides from, per team, for the cycles in view."""

    # (cycle, team path, responses, codes held, headcount): the bounds as `results` reads them
    responses: list[tuple[Any, ...]]
    answers: list[tuple[Any, ...]]  # (cycle, team, statement, answers)
    statement_domains: list[tuple[Any, ...]]  # (statement, domain)
    answer_counts: list[tuple[Any, ...]]  # (cycle, team, domain, statements answered)


ENGINE_RESPONSES = """
SELECT t.cycle_id, u.path, t.responses,
  t.codes_made - COALESCE((SELECT SUM(b.total - b.sent - b.failed)
    FROM diagnostics_invitebatch b WHERE b.cycle_id = t.cycle_id AND b.team_id = t.team_id), 0),
  COALESCE(ct.headcount, 0)
FROM diagnostics_teamtally t JOIN organisations_unit u ON u.id = t.team_id
LEFT JOIN diagnostics_cycleteam ct ON ct.cycle_id = t.cycle_id AND ct.team_id = t.team_id
WHERE t.cycle_id = ANY(%s)
"""
ENGINE_ANSWERS = """
SELECT cycle_id, team_id, statement_id, answered
FROM diagnostics_statementtally
WHERE cycle_id = ANY(%s)
"""
ENGINE_STATEMENT_DOMAINS = """
SELECT DISTINCT s.id, s.domain_id
FROM diagnostics_cyclestatement cs JOIN diagnostics_statement s ON s.id = cs.statement_id
WHERE cs.cycle_id = ANY(%s)
"""
ENGINE_ANSWER_COUNTS = """
SELECT DISTINCT cycle_id, team_id, domain_id, red + amber + green
FROM diagnostics_domainscore
WHERE cycle_id = ANY(%s)
"""


def engine_counts(cursor: Cursor, cycle_ids: Iterable[int]) -> EngineCounts:
    """The disclosure engine's input for these cycles, per team (four statements): responses and
    the bounds on them, codes held and headcount (`diagnostics_teamtally` less the e-mails
    waiting, and `diagnostics_cycleteam`, with the team's path: the engine works on the tree),
    answers per statement (`diagnostics_statementtally`), each statement's domain, and the
    distinct numbers of a domain's statements each response answered (`DISTINCT` over
    `diagnostics_domainscore`, the one table that holds them per response; should a tally of
    them be kept, this is the statement to point at it)."""
    ids = sorted(set(cycle_ids))
    cursor.execute(ENGINE_RESPONSES, [ids])
    responses = cursor.fetchall()
    cursor.execute(ENGINE_ANSWERS, [ids])
    answers = cursor.fetchall()
    cursor.execute(ENGINE_STATEMENT_DOMAINS, [ids])
    statement_domains = cursor.fetchall()
    cursor.execute(ENGINE_ANSWER_COUNTS, [ids])
    return EngineCounts(responses, answers, statement_domains, cursor.fetchall())


GROUP_SUMS = """
WITH wanted AS (
    SELECT * FROM unnest(%(keys)s::text[], %(cycles)s::bigint[], %(paths)s::text[])
        AS w (key, cycle_id, path)
),
members AS MATERIALIZED (  -- each wanted group's teams: a few hundred rows of the unit tree
    SELECT w.key, w.cycle_id, u.id AS team_id
    FROM wanted w JOIN organisations_unit u ON u.is_team AND u.path LIKE w.path || '%%'
)
SELECT m.key, d.domain_id,
       SUM(d.scored), SUM(d.score_total), SUM(d.red), SUM(d.amber), SUM(d.green)
FROM members m
JOIN diagnostics_domaintally d ON d.cycle_id = m.cycle_id AND d.team_id = m.team_id
GROUP BY m.key, d.domain_id
UNION ALL
SELECT m.key, NULL, SUM(t.responses), 0, 0, 0, 0
FROM members m
JOIN diagnostics_teamtally t ON t.cycle_id = m.cycle_id AND t.team_id = m.team_id
GROUP BY m.key
"""


@dataclass(frozen=True)
class Wanted:
    """A group the page shows: its key, the cycles of its scope and the unit's path."""

    key: str
    cycle_ids: frozenset[int]
    path: str


GroupSums = dict[tuple[str, int | None], Sums]  # (group key, domain id; None: responses)


def group_sums(cursor: Cursor, wanted: Sequence[Wanted]) -> GroupSums:
    """Each wanted group's domain sums and responses, added up by the database over the teams
    under the unit and the cycles of the scope (one statement)."""
    rows = [(w.key, cycle_id, w.path) for w in wanted for cycle_id in sorted(w.cycle_ids)]
    cursor.execute(
        GROUP_SUMS,
        {
            "keys": [r[0] for r in rows],
            "cycles": [r[1] for r in rows],
            "paths": [r[2] for r in rows],
        },
    )
    return {(key, domain): _sums(rest) for key, domain, *rest in cursor.fetchall()}


STATEMENT_SUMS = """
SELECT s.statement_id, SUM(s.answered), SUM(s.score_total), SUM(s.red), SUM(s.amber), SUM(s.green)
FROM diagnostics_statementtally s JOIN organisations_unit u ON u.id = s.team_id
WHERE s.cycle_id = ANY(%s) AND u.path LIKE %s
GROUP BY s.statement_id
"""


def statement_sums(cursor: Cursor, cycle_ids: Iterable[int], path: str) -> dict[int, Sums]:
    """One group's sums per statement (one statement)."""
    cursor.execute(STATEMENT_SUMS, [sorted(cycle_ids), path + "%"])
    return {statement: _sums(rest) for statement, *rest in cursor.fetchall()}


STRUCTURAL_FIGURES = """
SELECT f.team_id, f.caseload, f.vacancy_rate, f.agency_share, f.supervision_held, f.turnover,
       f.sickness_days, f.incidents, f.recording_hours
FROM diagnostics_structuralfigures f JOIN organisations_unit u ON u.id = f.team_id
WHERE f.cycle_id = %s AND u.path LIKE %s
"""
STRUCTURAL_THRESHOLDS = """
SELECT u.path, t.figure, t.good, t.concerning
FROM diagnostics_structuralthreshold t LEFT JOIN organisations_unit u ON u.id = t.unit_id
WHERE t.organisation_id = %s
"""


def structural(
    cursor: Cursor, *, cycle_id: int, path: str, organisation_id: int
) -> tuple[dict[int, dict[str, Decimal | None]], list[tuple[Any, ...]]]:
    """The teams' structural figures for the cycle, and the thresholds that rate them (two
    statements)."""
    cursor.execute(STRUCTURAL_FIGURES, [cycle_id, path + "%"])
    figures = {
        team: dict(zip(STRUCTURAL_COLUMNS, values, strict=True))
        for team, *values in cursor.fetchall()
    }
    cursor.execute(STRUCTURAL_THRESHOLDS, [organisation_id])
    return figures, cursor.fetchall()


# --- the team dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamCase:
    organisation_id: int
    team_id: int
    team_path: str
    parent_path: str | None  # the unit above the team, when it is not the organisation
    root_path: str | None  # the organisation, unless the page is the organisation's own
    current: Scope
    previous: Scope | None
    pooled: tuple[Scope, ...]
    comment_minimum: int
    drivers_minimum: int

    @property
    def cycle_ids(self) -> set[int]:
        scopes = [self.current, *([self.previous] if self.previous else []), *self.pooled]
        return {cycle_id for scope in scopes for cycle_id in scope.cycle_ids}


@dataclass(frozen=True)
class TeamFigures:
    engine: EngineCounts
    groups: GroupSums
    statements: dict[int, Sums]
    figures: dict[int, dict[str, Decimal | None]]
    thresholds: list[tuple[Any, ...]]
    invites: int
    comments: list[str]
    driver_scores: list[tuple[Any, ...]]


TEAM_INVITES = """
SELECT COUNT(*) FROM diagnostics_invite i JOIN organisations_unit u ON u.id = i.team_id
WHERE i.cycle_id = ANY(%s) AND u.path LIKE %s
"""
TEAM_COMMENTS = """
SELECT c.text FROM diagnostics_comment c
JOIN (
    SELECT t.team_id FROM diagnostics_teamtally t JOIN organisations_unit u ON u.id = t.team_id
    WHERE t.cycle_id = ANY(%(cycles)s) AND u.path LIKE %(path)s
    GROUP BY t.team_id HAVING SUM(t.responses) >= %(minimum)s
) shown ON shown.team_id = c.team_id
WHERE c.cycle_id = ANY(%(cycles)s)
"""
DRIVER_SCORES = """
SELECT d.response_id, d.domain_id, d.score
FROM diagnostics_domainscore d JOIN organisations_unit u ON u.id = d.team_id
WHERE d.cycle_id = ANY(%s) AND u.path LIKE %s AND d.score IS NOT NULL
"""


def team_dashboard(cursor: Cursor, case: TeamCase) -> TeamFigures:
    """The team dashboard for one full cycle: the engine's counts for every cycle in view (this
    cycle, the one before it and the pulses of the latest pooled periods); the domain sums and
    responses of the team for each of those scopes and, for this cycle, of the unit above it and
    of the organisation (the markers), in one grouped statement; the team's statement sums; its
    structural figures and the thresholds rating them; its invitations (the response rate); the
    comments of its teams that reach the comment threshold; and, only when the team reaches the
    drivers' minimum of responses, the per-response domain scores the drivers are worked out
    from. Eleven statements at most. Not read: the counts of the team's other cycles, which the
    page reads to choose a default cycle (the cycle is given here, as in the URL)."""
    engine = engine_counts(cursor, case.cycle_ids)
    current = case.current.cycle_ids
    wanted = [Wanted("current", current, case.team_path)]
    if case.parent_path:
        wanted.append(Wanted("parent", current, case.parent_path))
    if case.root_path:
        wanted.append(Wanted("organisation", current, case.root_path))
    if case.previous is not None:
        wanted.append(Wanted("previous", case.previous.cycle_ids, case.team_path))
    wanted.extend(Wanted(scope.key, scope.cycle_ids, case.team_path) for scope in case.pooled)
    groups = group_sums(cursor, wanted)
    statements = statement_sums(cursor, current, case.team_path)
    (cycle_id,) = current
    figures, thresholds = structural(
        cursor, cycle_id=cycle_id, path=case.team_path, organisation_id=case.organisation_id
    )
    cursor.execute(TEAM_INVITES, [sorted(current), case.team_path + "%"])
    ((invites,),) = cursor.fetchall()
    cursor.execute(
        TEAM_COMMENTS,
        {"cycles": sorted(current), "path": case.team_path + "%", "minimum": case.comment_minimum},
    )
    comments = [text for (text,) in cursor.fetchall()]
    driver_scores: list[tuple[Any, ...]] = []
    if groups.get(("current", None), NO_SUMS).n >= case.drivers_minimum:
        cursor.execute(DRIVER_SCORES, [sorted(current), case.team_path + "%"])
        driver_scores = cursor.fetchall()
    return TeamFigures(
        engine, groups, statements, figures, thresholds, invites, comments, driver_scores
    )


# --- the organisation heatmap ------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapCase:
    unit_path: str
    children: tuple[str, ...]  # the child units' paths, the heatmap's rows
    scope: Scope


@dataclass(frozen=True)
class HeatmapFigures:
    engine: EngineCounts
    groups: GroupSums


def heatmap(cursor: Cursor, case: HeatmapCase) -> HeatmapFigures:
    """The unit comparison coloured by mean: the engine's counts for the cycle, and the domain
    sums and responses of the unit and of each child unit, grouped by the database (five
    statements). The organisation's row is not shown when colouring by mean, so not read."""
    engine = engine_counts(cursor, case.scope.cycle_ids)
    wanted = [Wanted(path, case.scope.cycle_ids, path) for path in (case.unit_path, *case.children)]
    return HeatmapFigures(engine, group_sums(cursor, wanted))


# --- unit trends ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendsCase:
    organisation_id: int
    unit_path: str
    full: tuple[Scope, ...]
    pooled: tuple[Scope, ...]

    @property
    def scopes(self) -> tuple[Scope, ...]:
        return (*self.full, *self.pooled)


@dataclass(frozen=True)
class TrendsFigures:
    engine: EngineCounts
    groups: GroupSums
    actions: list[tuple[Any, ...]]  # the most recent the charts mark, oldest first
    actions_total: int


# The newest actions the charts mark, newest first, each with how many there are in all (the
# count is taken before the limit).
TREND_ACTIONS = """
SELECT a.id, a.title, a.created_at, a.domain_id, a.status, COUNT(*) OVER () AS total
FROM actions_action a JOIN organisations_unit u ON u.id = a.unit_id
WHERE a.organisation_id = %s AND u.path LIKE %s AND a.status <> 'dropped'
ORDER BY a.created_at DESC, a.id DESC
LIMIT %s
"""


def trends(cursor: Cursor, case: TrendsCase) -> TrendsFigures:
    """Trends of a unit: the engine's counts for every cycle the unit took part in (each full
    diagnostic and every pulse of each pooled period), the unit's domain sums and responses per
    scope (one grouped statement), and the newest actions the charts mark with how many there are
    in all (one statement): six statements."""
    engine = engine_counts(cursor, {c for scope in case.scopes for c in scope.cycle_ids})
    groups = group_sums(
        cursor, [Wanted(scope.key, scope.cycle_ids, case.unit_path) for scope in case.scopes]
    )
    cursor.execute(
        TREND_ACTIONS, [case.organisation_id, case.unit_path + "%", trends_page.MARKED_ACTIONS]
    )
    newest = cursor.fetchall()
    return TrendsFigures(engine, groups, newest[::-1], newest[0][-1] if newest else 0)


# --- the structural lens --------------------------------------------------------------------


@dataclass(frozen=True)
class LensCase:
    organisation_id: int
    unit_path: str
    cycle_id: int


@dataclass(frozen=True)
class LensFigures:
    engine: EngineCounts
    means: dict[tuple[int, int], Sums]  # (team, domain)
    figures: dict[int, dict[str, Decimal | None]]
    thresholds: list[tuple[Any, ...]]


LENS_MEANS = """
SELECT d.team_id, d.domain_id, d.scored, d.score_total, d.red, d.amber, d.green
FROM diagnostics_domaintally d JOIN organisations_unit u ON u.id = d.team_id
WHERE d.cycle_id = %s AND u.path LIKE %s
"""


def lens(cursor: Cursor, case: LensCase) -> LensFigures:
    """The structural lens: the engine's counts for the cycle, each team's domain tallies under
    the unit (a team is its own group: no sum needed), each team's structural figures and the
    thresholds in force (seven statements). The statistics are Python's, not read."""
    engine = engine_counts(cursor, [case.cycle_id])
    cursor.execute(LENS_MEANS, [case.cycle_id, case.unit_path + "%"])
    means = {(team, domain): _sums(rest) for team, domain, *rest in cursor.fetchall()}
    figures, thresholds = structural(
        cursor, cycle_id=case.cycle_id, path=case.unit_path, organisation_id=case.organisation_id
    )
    return LensFigures(engine, means, figures, thresholds)


# --- the results export -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExportCase:
    organisation_id: int
    cycle_id: int
    label: str  # the cycle's name, the file's first column


EXPORT_ROWS = """
COPY (
WITH teams AS (
    SELECT u.id, u.path, u.depth FROM organisations_unit u
    JOIN diagnostics_cycleteam ct ON ct.team_id = u.id
    WHERE ct.cycle_id = %(cycle)s AND u.organisation_id = %(organisation)s
),
pairs AS (  -- each team with itself and each unit above it
    SELECT substr(t.path, 1, %(step)s * level) AS path, t.id AS team_id
    FROM teams t JOIN generate_series(1, %(deepest)s) AS level ON level <= t.depth
),
figures AS (
    SELECT p.path, d.domain_id, SUM(d.scored) AS scored, SUM(d.score_total) AS total,
           SUM(d.red) AS red, SUM(d.amber) AS amber, SUM(d.green) AS green,
           SUM(d.red + d.amber + d.green) AS answered
    FROM pairs p JOIN diagnostics_domaintally d ON d.team_id = p.team_id
    WHERE d.cycle_id = %(cycle)s
    GROUP BY p.path, d.domain_id
),
responses AS (
    SELECT p.path, SUM(t.responses) AS n
    FROM pairs p JOIN diagnostics_teamtally t ON t.team_id = p.team_id
    WHERE t.cycle_id = %(cycle)s
    GROUP BY p.path
),
labels AS (  -- the readable path: the names below the organisation, or the organisation's
    SELECT u.path, u.depth, u.is_team,
           COALESCE(string_agg(a.name, ' / ' ORDER BY level), u.name) AS label
    FROM organisations_unit u
    LEFT JOIN generate_series(2, %(deepest)s) AS level ON level <= u.depth
    LEFT JOIN organisations_unit a ON a.path = substr(u.path, 1, %(step)s * level)
    WHERE u.organisation_id = %(organisation)s AND u.path IN (SELECT path FROM pairs)
    GROUP BY u.path, u.depth, u.is_team, u.name
),
means AS (
    SELECT f.*, f.total / NULLIF(f.scored, 0) AS mean FROM figures f
)
SELECT %(label)s, l.label,
       CASE WHEN l.depth = 1 THEN 'org' WHEN l.is_team THEN 'team' ELSE 'unit' END,
       dm.name, '', r.n,
       round(round(f.mean::numeric, 9), 1),
       CASE WHEN dm.kind <> 'condition' OR f.mean IS NULL THEN ''
            WHEN f.mean >= %(green)s - 1e-9 THEN 'green'
            WHEN f.mean < %(red)s - 1e-9 THEN 'red' ELSE 'amber' END,
       round(round((100.0 * f.red / NULLIF(f.answered, 0))::numeric, 9)),
       round(round((100.0 * f.amber / NULLIF(f.answered, 0))::numeric, 9)),
       round(round((100.0 * f.green / NULLIF(f.answered, 0))::numeric, 9)),
       CASE WHEN dm.kind <> 'condition' THEN ''
            WHEN f.answered > 0 AND f.red * %(share_of)s >= f.answered * %(share)s THEN 'yes'
            ELSE 'no' END
FROM means f
JOIN labels l ON l.path = f.path
JOIN diagnostics_domain dm ON dm.id = f.domain_id
LEFT JOIN responses r ON r.path = f.path
ORDER BY CASE WHEN l.depth = 1 THEN 0 WHEN l.is_team THEN 2 ELSE 1 END, l.path,
         dm.kind <> 'condition', dm.position
) TO STDOUT WITH (FORMAT csv)
"""


@dataclass(frozen=True)
class ExportFigures:
    engine: EngineCounts
    csv: str


def export(cursor: Cursor, case: ExportCase) -> ExportFigures:
    """The whole organisation's export by domain: the engine's counts for the cycle, and the
    file's rows (cycle, readable path, level, domain, n, mean, band, shares, urgent for every
    unit with a team in the cycle) from one grouped query streamed with `COPY ... TO STDOUT`
    (five statements; the page writes its file into memory too). Each team's row is summed
    into every unit above it by path prefix, so no per-unit pass is needed. Not read: the
    benchmark columns (no benchmark in the data measured)."""
    engine = engine_counts(cursor, [case.cycle_id])
    sql = cursor.mogrify(
        EXPORT_ROWS,
        {
            "cycle": case.cycle_id,
            "organisation": case.organisation_id,
            "step": Unit.steplen,
            "deepest": DEEPEST,
            "label": case.label,
            "green": GREEN_FROM,
            "red": RED_BELOW,
            "share": URGENT_RED_SHARE.numerator,
            "share_of": URGENT_RED_SHARE.denominator,
        },
    ).decode()
    out = io.StringIO()
    cursor.copy_expert(sql, out)
    return ExportFigures(engine, out.getvalue())


# --- the home page --------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeCase:
    organisation_id: int
    user_id: int
    root_path: str
    headline: tuple[Scope, ...]  # the newest full diagnostics, newest first
    results_cycles: frozenset[int]  # every cycle the page decides: headline and open full ones
    today: date


@dataclass(frozen=True)
class HomeFigures:
    engine: EngineCounts
    groups: GroupSums
    team_tallies: dict[tuple[int, int], Sums]  # (team, domain), the newest headline cycle
    open_cycles: list[tuple[Any, ...]]
    cards: tuple[int, ...]


HOME_TEAM_TALLIES = """
SELECT d.team_id, d.domain_id, d.scored, d.score_total, d.red, d.amber, d.green
FROM diagnostics_domaintally d WHERE d.cycle_id = %s
"""
HOME_OPEN_CYCLES = """
WITH open AS (
    SELECT id FROM diagnostics_cycle
    WHERE organisation_id = %(organisation)s AND status = 'open'
      AND opens_on <= %(today)s AND closes_on >= %(today)s
)
SELECT ct.cycle_id, ct.team_id, COALESCE(t.responses, 0), invites.n
FROM open
JOIN diagnostics_cycleteam ct ON ct.cycle_id = open.id
LEFT JOIN diagnostics_teamtally t ON t.cycle_id = ct.cycle_id AND t.team_id = ct.team_id
LEFT JOIN (
    SELECT cycle_id, COUNT(*) AS n FROM diagnostics_invite
    WHERE cycle_id IN (SELECT id FROM open) GROUP BY cycle_id
) invites ON invites.cycle_id = ct.cycle_id
"""
HOME_CARDS = """
SELECT
    (SELECT COUNT(*) FROM actions_action WHERE organisation_id = %(organisation)s
        AND status IN ('planned', 'in_progress') AND due_on < %(today)s),
    (SELECT COUNT(*) FROM actions_action WHERE organisation_id = %(organisation)s
        AND status IN ('planned', 'in_progress') AND owner_id = %(user)s),
    (SELECT COUNT(*) FROM voice_voiceissue i JOIN voice_voiceboard b ON b.id = i.board_id
        JOIN organisations_unit u ON u.id = b.team_id
        WHERE u.organisation_id = %(organisation)s AND i.status = 'new' AND NOT i.hidden),
    (SELECT COUNT(*) FROM voice_voiceissue i JOIN voice_voiceboard b ON b.id = i.board_id
        JOIN organisations_unit u ON u.id = b.team_id
        WHERE u.organisation_id = %(organisation)s AND i.category = 'safety' AND NOT i.hidden
          AND i.status IN ('new', 'heard', 'in_progress'))
"""


def home(cursor: Cursor, case: HomeCase) -> HomeFigures:
    """The org admin's home page: the engine's counts for the newest full diagnostics (and any
    open full one); the organisation's domain sums and responses in each (its index, change,
    strongest and weakest domains); every team's domain tallies in the newest (the urgent
    teams); the open cycles' responses per team and invitations; and the cards' counts (overdue
    and own open actions, staff issues waiting, open safety issues) in one statement. Eight
    statements. The cards' first few items are lists, not figures: not read."""
    engine = engine_counts(cursor, case.results_cycles)
    groups = group_sums(
        cursor, [Wanted(scope.key, scope.cycle_ids, case.root_path) for scope in case.headline]
    )
    team_tallies: dict[tuple[int, int], Sums] = {}
    if case.headline:
        (newest,) = case.headline[0].cycle_ids
        cursor.execute(HOME_TEAM_TALLIES, [newest])
        team_tallies = {(team, domain): _sums(rest) for team, domain, *rest in cursor.fetchall()}
    params = {"organisation": case.organisation_id, "today": case.today, "user": case.user_id}
    cursor.execute(HOME_OPEN_CYCLES, params)
    open_cycles = cursor.fetchall()
    cursor.execute(HOME_CARDS, params)
    (cards,) = cursor.fetchall()
    return HomeFigures(engine, groups, team_tallies, open_cycles, tuple(cards))


# --- what the bench looks at, and each page's case ------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """The pages `scripts/bench` times: as the organisation's admin, a team's dashboard, the
    heatmap of the organisation, the trends of a unit, the lens of the organisation and its
    export, all for one full cycle, and the home page."""

    organisation: Organisation
    viewer: Any  # the org admin (accounts.User)
    team: Unit
    unit: Unit
    root: Unit
    cycle: Cycle
    today: date

    @property
    def reach(self) -> Reach:
        return reach_of(self.viewer)


def pick_subjects(organisation: Organisation, *, today: date) -> Subjects:
    """The same choices as scripts/measure.py: the first team with responses, the first unit
    below the organisation, and the newest opened full cycle."""
    admin = Membership.objects.filter(organisation=organisation, role=Role.ORG_ADMIN).first()
    assert admin is not None, "the organisation needs an org admin"
    team = (
        Unit.objects.filter(organisation=organisation, is_team=True, responses__isnull=False)
        .order_by("path")
        .first()
    )
    unit = Unit.objects.filter(organisation=organisation, depth=2).order_by("path").first()
    cycle = (
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.FULL)
        .exclude(status=Cycle.Status.DRAFT)
        .order_by("-opens_on")
        .first()
    )
    assert team is not None, "the organisation needs a team with responses"
    assert unit is not None, "the organisation needs units"
    assert cycle is not None, "the organisation needs a full cycle"
    return Subjects(
        organisation=organisation,
        viewer=admin.user,
        team=team,
        unit=unit,
        root=Unit.objects.get(organisation=organisation, depth=1),
        cycle=cycle,
        today=today,
    )


@dataclass(frozen=True)
class Cases:
    team: TeamCase
    heatmap: HeatmapCase
    trends: TrendsCase
    lens: LensCase
    export: ExportCase
    home: HomeCase


def cases(subjects: Subjects) -> Cases:
    """Each page's groups and cycles in view, resolved as the page resolves them (outside the
    timing, like the page's URL)."""
    organisation, team, unit, root, cycle = (
        subjects.organisation,
        subjects.team,
        subjects.unit,
        subjects.root,
        subjects.cycle,
    )
    assert cycle.kind == Cycle.Kind.FULL, "the bench looks at a full cycle"
    assert subjects.reach.is_org_admin, "the baselines read as the organisation's admin"
    pools = pulse_pools(organisation)
    team_cycles = cycles_covering(team)
    earlier = [c for c in team_cycles if c.kind == cycle.kind and c.opens_on < cycle.opens_on]
    parent_path = team.path[: -Unit.steplen]
    units = {u.path: u for u in Unit.objects.filter(organisation=organisation)}
    team_case = TeamCase(
        organisation_id=organisation.pk,
        team_id=team.pk,
        team_path=team.path,
        parent_path=parent_path if team.depth > 2 else None,
        root_path=root.path if root.pk != team.pk else None,
        current=cycle_scope(cycle),
        previous=cycle_scope(earlier[0]) if earlier else None,
        pooled=tuple(pools_taking_part(pools, team_cycles)[-DASHBOARD_PULSES:]),
        comment_minimum=max(
            organisation.comment_threshold, effective_k(organisation.anonymity_threshold)
        ),
        drivers_minimum=minimum_responses(organisation.drivers_minimum),
    )
    children = tuple(
        sorted(p for p, u in units.items() if p.startswith(root.path) and u.depth == root.depth + 1)
    )
    unit_cycles = sorted(cycles_covering(unit), key=lambda c: c.opens_on)
    headline_for = headline_cycles(cycles_covering(root), unit=root, today=subjects.today)
    open_full = [
        c
        for c in cycles_visible_to(subjects.reach)
        .filter(
            status=Cycle.Status.OPEN, opens_on__lte=subjects.today, closes_on__gte=subjects.today
        )
        .order_by("closes_on", "pk")[:LIST_LENGTH]
        if c.kind == Cycle.Kind.FULL
    ]
    return Cases(
        team=team_case,
        heatmap=HeatmapCase(root.path, children, cycle_scope(cycle)),
        trends=TrendsCase(
            organisation_id=organisation.pk,
            unit_path=unit.path,
            full=tuple(cycle_scope(c) for c in unit_cycles if c.kind == Cycle.Kind.FULL),
            pooled=tuple(pools_taking_part(pools, unit_cycles)),
        ),
        lens=LensCase(organisation.pk, root.path, cycle.pk),
        export=ExportCase(organisation.pk, cycle.pk, cycle_label(cycle, cycle_scope(cycle))),
        home=HomeCase(
            organisation_id=organisation.pk,
            user_id=subjects.viewer.pk,
            root_path=root.path,
            headline=tuple(cycle_scope(c) for c in headline_for),
            results_cycles=frozenset(c.pk for c in (*headline_for, *open_full)),
            today=subjects.today,
        ),
    )


# Page name in scripts/measure.py → the baseline of that page, run on the resolved cases.
BASELINES: dict[str, Callable[[Cursor, Cases], object]] = {
    "team dashboard": lambda cursor, c: team_dashboard(cursor, c.team),
    "organisation heatmap": lambda cursor, c: heatmap(cursor, c.heatmap),
    "unit trends": lambda cursor, c: trends(cursor, c.trends),
    "structural lens": lambda cursor, c: lens(cursor, c.lens),
    "export_results (org, CSV)": lambda cursor, c: export(cursor, c.export),
    "home": lambda cursor, c: home(cursor, c.home),
}


# --- verifying the baselines against the pages' builders -----------------------------------------


def _dp2(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@dataclass
class Check:
    """Shown figures compared, and the differences found, for one page."""

    page: str
    compared: int = 0
    problems: list[str] = field(default_factory=list)

    def same(self, what: str, shown: object, from_sql: object) -> None:
        self.compared += 1
        if shown != from_sql:
            self.problems.append(f"{self.page}: {what}: page {shown!r}, SQL {from_sql!r}")

    def figures(self, what: str, figures: Any, sums: Sums, *, n: int | None = None) -> None:
        """A released cell (`diagnostics.scoring.Figures`) against the sums it came from."""
        self.same(f"{what} n", figures.n, sums.n if n is None else n)
        if figures.mean is not None:
            self.same(f"{what} mean", _dp2(figures.mean), _dp2(rounded_mean(sums.mean)))
        for colour in ("red", "amber", "green"):
            shown = getattr(figures, f"{colour}_share")
            if shown is not None:
                expected = rounded_share(sums.share(getattr(sums, colour)))
                self.same(f"{what} {colour}", _dp2(shown), _dp2(expected))

    def mean(self, what: str, shown: float | None, sums: Sums | None) -> None:
        if shown is not None:
            expected = rounded_mean(sums.mean) if sums is not None else None
            self.same(f"{what} mean", _dp2(shown), _dp2(expected))


def _domain_ids() -> dict[str, int]:
    return dict(Domain.objects.values_list("code", "pk"))


def verify_team_dashboard(subjects: Subjects, case: TeamCase, found: TeamFigures) -> Check:
    check = Check("team dashboard")
    team = subjects.team
    page = profile_page.profile(
        reach=subjects.reach,
        unit=team,
        cycle=subjects.cycle,
        cycles=cycles_covering(team),
        filters={},
        today=subjects.today,
    )
    if page.progress is not None:
        return check  # no figures shown: nothing to compare
    ids = _domain_ids()
    groups = found.groups
    responses = groups[("current", None)].n
    check.same("responses", page.group.responses, responses)
    for code, cell in (*page.group.domains.items(), *page.group.outcomes.items()):
        if cell.figures is not None:
            sums = groups.get(("current", ids[code]), NO_SUMS)
            check.figures(f"domain {code}", cell.figures, sums, n=responses)
    statement_ids = dict(
        CycleStatement.objects.filter(cycle_id__in=case.current.cycle_ids).values_list(
            "statement__code", "statement_id"
        )
    )
    for code, cell in page.group.statements.items():
        if cell.figures is not None:
            sums = found.statements.get(statement_ids[code], NO_SUMS)
            check.figures(f"statement {code}", cell.figures, sums)
    comparison = page.comparison
    assert comparison is not None
    for key, group in (("parent", comparison.parent_group), ("organisation", comparison.org_group)):
        if group is None:
            continue
        for code, cell in group.domains.items():
            if cell.figures is not None:
                check.mean(f"{key} {code}", cell.figures.mean, groups.get((key, ids[code])))
    for row in page.rows:
        if row.previous_mean:
            sums = groups.get(("previous", row.domain.pk), NO_SUMS)
            check.same(f"previous {row.domain.code}", row.previous_mean, display_mean(sums.mean))
    check.same("pulse periods", len(page.pulse_points), len(case.pooled))
    for scope, point in zip(case.pooled, page.pulse_points, strict=False):
        for domain, shown in zip(page.domains, point.means, strict=True):
            if shown:
                sums = groups.get((scope.key, domain.pk), NO_SUMS)
                check.same(f"{scope.label} {domain.code}", shown, display_mean(sums.mean))
    values = found.figures.get(team.pk, {})
    for code, value in (page.figure_values or {}).items():
        if value is not None:
            check.same(f"structural {code}", value, values.get(code))
    if page.response_rate:
        check.same(
            "response rate",
            page.response_rate,
            display_percent(responses / found.invites) if found.invites else "",
        )
    check.same("comments", len(page.comments.comments), len(found.comments))
    return check


def verify_heatmap(subjects: Subjects, case: HeatmapCase, found: HeatmapFigures) -> Check:
    check = Check("organisation heatmap")
    page = compare_page.compare(
        reach=subjects.reach,
        unit=subjects.root,
        cycle=subjects.cycle,
        cycles=cycles_covering(subjects.root),
        sort="",
        today=subjects.today,
    )
    rows = [(page.parent.unit, page.parent.responses, page.parent.cells)] + [
        (row.unit, row.responses, row.cells) for row in page.rows
    ]
    shown_rows = {row[0].path for row in rows[1:]}
    check.same("rows", shown_rows - set(case.children), set())
    for unit, responses, cells in rows:
        if responses is not None:
            check.same(f"{unit.name} responses", responses, found.groups[(unit.path, None)].n)
        for domain, cell in zip(page.domains, cells, strict=True):
            if cell.shown:
                check.mean(
                    f"{unit.name} {domain.code}",
                    cell.mean,
                    found.groups.get((unit.path, domain.pk)),
                )
    return check


def verify_trends(subjects: Subjects, case: TrendsCase, found: TrendsFigures) -> Check:
    check = Check("unit trends")
    unit = subjects.unit
    page = trends_page.trends(
        reach=subjects.reach, unit=unit, cycles=cycles_covering(unit), today=subjects.today
    )
    check.same("full points", len(page.full_points), len(case.full))
    check.same("pulse points", len(page.pulse_points), len(case.pooled))
    points = [*zip(case.full, page.full_points, strict=False)]
    points += [*zip(case.pooled, page.pulse_points, strict=False)]
    for scope, point in points:
        if point.responses is not None:
            check.same(
                f"{scope.label} responses", point.responses, found.groups[(scope.key, None)].n
            )
        for domain, mean in zip(page.domains, point.means, strict=True):
            check.mean(
                f"{scope.label} {domain.code}", mean, found.groups.get((scope.key, domain.pk))
            )
    # The page marks the most recent actions (at most MARKED_ACTIONS) and counts them all.
    check.same("actions", page.actions_total, found.actions_total)
    check.same(
        "marked actions",
        [mark.link for mark in page.actions],
        [reverse("actions:detail", args=[row[0]]) for row in found.actions],
    )
    return check


def verify_lens(subjects: Subjects, case: LensCase, found: LensFigures) -> Check:
    check = Check("structural lens")
    page = lens_page.structural_lens(
        reach=subjects.reach,
        unit=subjects.root,
        cycle=subjects.cycle,
        figure_code="",
        domain_code="",
    )
    check.same(
        "teams with figures",
        page.teams_in_reach,
        sum(1 for values in found.figures.values() if any(v is not None for v in values.values())),
    )
    if page.figure is None or page.domain is None:
        return check
    team_ids = dict(
        Unit.objects.filter(organisation_id=case.organisation_id, is_team=True).values_list(
            "name", "pk"
        )
    )
    for row in page.teams:
        team_id = team_ids[row.name]
        value = found.figures[team_id][page.figure.code]
        check.same(
            f"{row.name} {page.figure.code}",
            row.figure_value,
            plain_number(value) if value is not None else None,
        )
        sums = found.means.get((team_id, page.domain.pk), NO_SUMS)
        check.same(f"{row.name} {page.domain.code}", row.domain_mean, display_mean(sums.mean))
    return check


def verify_export(subjects: Subjects, case: ExportCase, found: ExportFigures) -> Check:
    check = Check("export_results (org, CSV)")
    from_sql = {(row[1], row[3]): row for row in csv.reader(io.StringIO(found.csv))}
    rows = export_rows(ExportRequest(cycle=subjects.cycle), subjects.reach)
    for row in rows:
        if row[12] != "no":
            continue
        sql_row = from_sql.get((row[1], row[3]))
        if sql_row is None:
            check.same(f"{row[1]} {row[3]}", "a row", None)
            continue
        # responses, mean, band, red_pct, amber_pct, green_pct, urgent
        for index in (5, 6, 7, 8, 9, 10, 11):
            if row[index]:
                check.same(f"{row[1]} {row[3]} column {index}", row[index], sql_row[index])
    return check


def verify_home(subjects: Subjects, case: HomeCase, found: HomeFigures) -> Check:
    check = Check("home")
    page = home_page(reach=subjects.reach, user_id=subjects.viewer.pk, today=subjects.today)
    reading = page.readings[0]
    check.same("overdue", page.overdue_total, found.cards[0])
    check.same("own open actions", page.my_open_actions, found.cards[1])
    check.same("issues waiting", page.waiting_total, found.cards[2])
    check.same("open safety issues", len(page.safety_issues), min(found.cards[3], LIST_LENGTH))
    check.same("open cycles", len(page.open_cycles), len({row[0] for row in found.open_cycles}))
    if reading.cycle is None:
        return check
    conditions = list(Domain.objects.conditions().order_by("position"))

    def index_of(key: str) -> int | None:
        means = [
            rounded_mean(sums.mean)
            for domain in conditions
            if (sums := found.groups.get((key, domain.pk))) is not None and sums.mean is not None
        ]
        return conditions_index(m for m in means if m is not None)

    key = cycle_scope(reading.cycle).key
    check.same("index", reading.index, index_of(key))
    if reading.previous_cycle is not None and reading.index is not None:
        previous = index_of(cycle_scope(reading.previous_cycle).key)
        check.same("index change", reading.index_change, reading.index - (previous or 0))
    ids = _domain_ids()
    for domain in (*reading.strongest, *reading.weakest):
        sums = found.groups.get((key, ids[domain.code]), NO_SUMS)
        check.same(f"domain {domain.code}", domain.mean, display_mean(sums.mean))
    if reading.cycle.pk in case.headline[0].cycle_ids:
        team_ids = {u.path: u.pk for u in Unit.objects.filter(organisation_id=case.organisation_id)}
        for urgent in reading.urgent_teams:
            for name in urgent.domains:
                domain_id = next(d.pk for d in conditions if d.name == name)
                sums = found.team_tallies.get((team_ids[urgent.unit.path], domain_id), NO_SUMS)
                check.same(
                    f"{urgent.unit.name} {name} urgent",
                    True,
                    is_urgent(red=sums.red, answered=sums.answered),
                )
    return check


def verify(subjects: Subjects, cursor: Cursor | None = None) -> list[Check]:
    """Every baseline against its page's builder: each shown figure, compared."""
    cursor = cursor or raw_cursor()
    found = cases(subjects)
    return [
        verify_team_dashboard(subjects, found.team, team_dashboard(cursor, found.team)),
        verify_heatmap(subjects, found.heatmap, heatmap(cursor, found.heatmap)),
        verify_trends(subjects, found.trends, trends(cursor, found.trends)),
        verify_lens(subjects, found.lens, lens(cursor, found.lens)),
        verify_export(subjects, found.export, export(cursor, found.export)),
        verify_home(subjects, found.home, home(cursor, found.home)),
    ]


# --- timing, beside the pages -------------------------------------------------------------------

Timed = Callable[[Callable[[], object], int], tuple[float, float, int]]


@dataclass(frozen=True)
class Timing:
    median: float
    p95: float
    queries: int


def _run(
    baseline: Callable[[Cursor, Cases], object], cursor: Cursor, found: Cases
) -> Callable[[], object]:
    def run() -> object:
        return baseline(cursor, found)

    return run


def report(
    subjects: Subjects, pages: Mapping[str, Timing], *, timed: Timed, repeats: int
) -> list[tuple[str, float, float]]:
    """Time each page's baseline with the pages' own `timed` helper and print the table of
    ratios; returns (page, ratio, target) per page measured."""
    cursor = raw_cursor()
    found = cases(subjects)
    results = []
    print()
    print(
        f"{'page':28} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'SQL ms':>8} "
        f"{'SQL p95':>8} {'SQL q':>5} {'ratio':>6} {'target':>6}  result"
    )
    for name, baseline in BASELINES.items():
        page = pages.get(name)
        if page is None:
            continue
        counting = CountingCursor(cursor)
        baseline(counting, found)
        median, p95, _ = timed(_run(baseline, cursor, found), repeats)
        ratio = page.median / median
        target = TARGETS.get(name, DEFAULT_TARGET)
        results.append((name, ratio, target))
        print(
            f"{name:28} {page.median:9.1f} {page.p95:8.1f} {page.queries:7d} {median:8.1f} "
            f"{p95:8.1f} {counting.statements:5d} {ratio:6.2f} {target:6.1f}  "
            f"{'met' if ratio <= target else 'missed'}"
        )
    return results
