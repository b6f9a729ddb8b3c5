"""Results: figures aggregated in SQL, rolled up the tree, and released by the disclosure engine.

The database aggregates responses to one row per team, cycle and domain and per team, cycle and
statement (from the running tallies); units add up their teams' tallies;
`diagnostics.scoring.figures_of` turns a tally into figures, and `disclosure` decides, for one
viewer over everything their reach lets them see, which figures may leave the server, rounded
at release. The number of queries does not depend on the number of teams.

A *scope* is a set of cycles whose responses are read together: one full cycle, or the pulses
pooled in one period. Scopes never share a response, so each is decided on its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import Count, Model, Sum
from django.utils import timezone

from diagnostics import settled_plans
from diagnostics.models import (
    Answer,
    Cycle,
    CycleStatement,
    CycleTeam,
    Domain,
    DomainScore,
    DomainTally,
    InviteBatch,
    Response,
    Statement,
    StatementTally,
    TeamTally,
)
from diagnostics.pooling import Scope
from diagnostics.release_words import hidden_words
from diagnostics.scoring import (
    EMPTY_TALLY,
    Figures,
    Tally,
    conditions_index,
)
from disclosure.bands import band_range
from disclosure.plan import (
    BreakdownInput,
    Demographics,
    Hidden,
    Plan,
    PlanInput,
    decide,
    decide_groups,
    decide_groups_remembered,
    decide_remembered,
    plan_breakdowns,
    stable_digest,
)
from disclosure.release import (
    FilterRefused,
    ResponseCount,
    effective_k,
    hidden_text,
    released,
    response_count,
)
from organisations.access import Reach
from organisations.models import Organisation, Unit
from organisations.remembered_units import UnitsByPath, UnitTable, load_units, unit_table

T = TypeVar("T")

DEMOGRAPHIC_FIELDS = ("role_group", "service_length", "working_pattern")

# A call asking about more than this many units at once (`groups`) rolls the whole tree up.
FEW_UNITS = 3

TABLES = ("responses", "answered", "domains", "statements", "answer_counts", "scored")
# The columns of a row of the responses table, after its node: the responses, the codes made
# less those still waiting to be e-mailed (`Summed.codes_held`) and the headcount
# (`Summed.people`), which bound them (`OrganisationResults.node_codes`).
RESPONSES, CODES_MADE, PEOPLE = 1, 2, 3


@dataclass(frozen=True)
class Summed:
    """A per-row SQL expression for `_grouped` to sum, over the tally table aliased `t`, where
    a column's name is not enough."""

    sql: str

    @classmethod
    def people(cls) -> Summed:
        """A team's headcount for a cycle as the cycle's pages give it, fixed on `CycleTeam`
        once the team has answered (`selectors.bounding_headcounts`); 0 where it has none. One
        response a person, so it bounds the responses beside the codes made
        (`OrganisationResults.node_codes`)."""
        quote = connection.ops.quote_name
        teams = quote(CycleTeam._meta.db_table)
        headcount, cycle, team = (quote(c) for c in ("headcount", "cycle_id", "team_id"))
        # Table and column names come from the models.
        return cls(
            f"COALESCE((SELECT ct.{headcount} FROM {teams} ct"  # noqa: S608  # nosec B608
            f" WHERE ct.{cycle} = t.{cycle} AND ct.{team} = t.{team}), 0)"
        )

    @classmethod
    def codes_held(cls) -> Summed:
        """A team's codes made for a cycle less those whose e-mails are still waiting to be
        sent, which nobody can hold yet: the codes its responses can have spent, as the cycle's
        pages give them (codes made, and each batch of e-mails waiting). A waiting e-mail's
        code counts once it is sent, and drops with it if it fails (`services.
        record_undelivered_invites`). Once the cycle has closed nothing changes: e-mails still
        waiting are never sent and later failures are not counted, so the codes held, as its
        pages give them, stay as they were when it closed (found by an attack in the
        thirty-second session: a failure after closing changed a closed cycle's bounds, and the
        plans before and after it together gave a small team away)."""
        quote = connection.ops.quote_name
        batches = quote(InviteBatch._meta.db_table)
        total, sent, failed, made, cycle, team = (
            quote(c) for c in ("total", "sent", "failed", "codes_made", "cycle_id", "team_id")
        )
        # Table and column names come from the models.
        return cls(
            f"t.{made} - COALESCE((SELECT SUM(b.{total} - b.{sent} - b.{failed})"  # noqa: S608  # nosec B608
            f" FROM {batches} b WHERE b.{cycle} = t.{cycle} AND b.{team} = t.{team}), 0)"
        )


def bound_read(codes: int, people: int, *, least: int) -> int:
    """The most a reader takes a team's responses to one cycle to be (0: no bound): the fewer of
    its codes made and its headcount, each where it has one, leaving out one that the count's
    band (at least `least`, which the reader reads) already shows to be too low. It depends
    only on what the reader reads, never on the responses themselves: were a bound dropped
    because the responses are above it, whether a count is hidden would say so. A bound the
    band does not contradict but the shown counts do is kept, and `disclosure.bands` hides
    where it would contradict them, as where it would pin."""
    candidates = [bound for bound in (codes, people) if bound]
    usable = [bound for bound in candidates if bound >= least]
    return min(usable) if usable else 0


def bounds_read(
    codes: Mapping[tuple[str, int], int],
    people: Mapping[tuple[str, int], int],
    counts: Mapping[tuple[str, int], int],
    *,
    k: int,
) -> dict[tuple[str, int], int]:
    """Each node's bound on its responses to each cycle of a scope (`bound_read`), from its
    codes made, its headcount and its responses, per node and cycle. The band the reader reads
    is the node's over the scope (a pool of pulses is read only as a whole), so each cycle's
    least is what that band leaves it beyond the other cycles' most (the larger of their codes
    and headcount; nothing where one of them has neither): the band's own least where the node
    has one cycle, as in a full diagnostic or a pool of which it took part in one pulse."""
    keys_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key in codes.keys() | people.keys() | {key for key, n in counts.items() if n}:
        keys_of[key[0]].append(key)
    found = {}
    for keys in keys_of.values():
        least = band_range(sum(counts.get(key, 0) for key in keys), k=k)[0]
        most = {key: max(codes.get(key, 0), people.get(key, 0)) for key in keys}
        for key in keys:
            others = [most[other] for other in keys if other != key]
            left = 0 if 0 in others else max(0, least - sum(others))
            if bound := bound_read(codes.get(key, 0), people.get(key, 0), least=left):
                found[key] = bound
    return found


class Aggregates:
    """Counts and tallies from SQL, per cycle, by node: a team the viewer reaches, or a bucket
    of teams outside their reach (see `viewer_nodes`).

    Each table is read when first needed, for the cycles asked then (one grouped query per
    table and call), so a page reads only what it shows: response counts for whether a
    group's figures are shown, answer counts for the domain decisions, domain tallies for the
    domain figures, statement tallies and each response's answer counts only for the scope
    whose statements are shown. Several calls of one request can share one set."""

    def __init__(self, mapping: Sequence[tuple[int, str]]) -> None:
        # Read before any count: a plan remembered under it was decided from counts no older.
        self.plan_generation = settled_plans.generation()
        self.mapping = list(mapping)
        self.node_of: dict[int, str] = dict(mapping)  # team id → its node
        # per cycle: (node, responses, codes made, headcount); see RESPONSES, CODES_MADE, PEOPLE
        self.responses: dict[int, list[tuple[str, int, int, int]]] = {}
        # per cycle: (node, statement code, answers)
        self.answered: dict[int, list[tuple[str, str, int]]] = {}
        # per cycle: (node, domain id, scored, score total, red, amber, green)
        self.domains: dict[int, list[tuple[Any, ...]]] = {}
        # per cycle: (node, statement code, answered, score total, red, amber, green)
        self.statements: dict[int, list[tuple[Any, ...]]] = {}
        # per cycle: (node, domain id, how many of the domain's statements a response answered)
        self.answer_counts: dict[int, list[tuple[str, int, int]]] = {}
        # per cycle: (node, domain id, responses with a domain score)
        self.scored: dict[int, list[tuple[str, int, int]]] = {}
        self._loaded: dict[str, set[int]] = {name: set() for name in TABLES}
        self._rolled: dict[tuple[str, int], dict[tuple[str, Any], list[Any]]] = {}
        # (kind, unit path, cycle) → (key, responses, score total, red, amber, green) rows
        self._at_path: dict[tuple[str, str, int], list[tuple[Any, ...]]] = {}
        self._chains_read: set[str] = set()
        # (id of the units, roots) → (those units, the digest of what a family's order depends
        # on besides its counts); the units are held so that their id stays theirs
        self._structures: dict[tuple[int, tuple[str, ...]], tuple[Collection[str], str]] = {}
        self._teams_at: dict[str, list[int]] = {}
        self._teams_digest: dict[str, str] = {}
        # cycle → when its counts were first read here (see `settled_when_read`)
        self._first_read: dict[int, datetime] = {}
        self._settled_at_reading: dict[tuple[int, str], bool] = {}

    def _reading(self, cycle_ids: Iterable[int]) -> None:
        """Note when these cycles' counts are read (the first reading of each is the one kept)."""
        now = timezone.now()
        for cycle_id in cycle_ids:
            self._first_read.setdefault(cycle_id, now)

    def settled_when_read(self, settled: Mapping[int, str]) -> dict[int, str]:
        """Of these settled cycles (cycle → when it closed), those whose counts held here, if
        any, were read once the cycle had settled. A cycle read while still open (by an
        earlier call sharing these counts) is left out, so that no plan, sum or count keyed as
        settled is worked out from counts that may lack its last responses."""
        return {
            cycle_id: since
            for cycle_id, since in settled.items()
            if cycle_id not in self._first_read or self._read_settled(cycle_id, since)
        }

    def _read_settled(self, cycle_id: int, since: str) -> bool:
        # A cycle's first reading never changes, so neither does the answer.
        found = self._settled_at_reading.get((cycle_id, since))
        if found is None:
            found = settled_plans.settled_by(since=since, moment=self._first_read[cycle_id])
            self._settled_at_reading[(cycle_id, since)] = found
        return found

    def structure(self, unit_paths: Collection[str], roots: Sequence[str]) -> str:
        """A digest of the viewer's teams' nodes, the organisation's units and the units the
        viewer reaches: with the counts of settled cycles, all a settled scope's family order
        and plan depend on (worked out once per call: every scope of it shares them)."""
        memo = (id(unit_paths), tuple(roots))
        found = self._structures.get(memo)
        if found is None or found[0] is not unit_paths:
            digest = settled_plans.structure_digest(
                tuple(self.mapping), tuple(sorted(unit_paths)), tuple(roots)
            )
            found = self._structures[memo] = (unit_paths, digest)
        return found[1]

    def need(
        self, kind: str, cycle_ids: Iterable[int], *, settled: Mapping[int, str] | None = None
    ) -> None:
        """Read one table for the cycles not read yet (one query, none if all are; answers per
        statement may take more, see `_read_answered`). `settled`: the settled cycles among
        them, with when each closed."""
        missing = sorted(set(cycle_ids) - self._loaded[kind])
        if not missing:
            return
        table: dict[int, list[Any]] = getattr(self, kind)
        self._reading(missing)
        for cycle_id in missing:
            table[cycle_id] = []
        if self.mapping:
            if kind == "answered":
                rows = self._read_answered(missing, settled=settled or {})
            elif kind == "answer_counts":
                rows = self._read_answer_counts(missing, settled=settled or {})
            elif kind == "scored":
                rows = self._read_scored(missing, settled=settled or {})
            else:
                rows = _READERS[kind](self, missing)
            for row in rows:
                table[row[0]].append(row[1:])
        self._loaded[kind].update(missing)

    def sums_at(
        self,
        kind: str,
        path: str,
        cycle_ids: Iterable[int],
        *,
        settled: Mapping[int, str],
    ) -> dict[int, list[Any]]:
        """One unit's domain or statement tallies per cycle, summed in the database: for a page
        that shows few units, without reading every team's rows. The first call for a unit
        also sums the units above it (a page showing a team shows its ancestors' markers), for
        the cycles asked (`sum_units`)."""
        cycles = sorted(set(cycle_ids))
        self.sum_units(kind, ancestor_paths(path), cycles, settled=settled)
        return {cycle_id: self._at_path[(kind, path, cycle_id)] for cycle_id in cycles}

    def sum_units(
        self,
        kind: str,
        paths: Iterable[str],
        cycle_ids: Sequence[int],
        *,
        settled: Mapping[int, str],
        shown: bool = True,
    ) -> None:
        """Sum these units' tallies per cycle in the database (nothing for units already
        summed): the organisation's straight from the tally rows, the others in one query that
        joins each team once for every unit it sits under. A unit's sums for a `settled` cycle
        (cycle id → when it closed) are remembered across requests (`settled_plans`), under the
        teams summed: they are read again only where none are remembered. `shown`: these are
        units a page shows (see `may_sum_at`), not a plan's nodes outside the viewer's reach."""
        if shown:
            self._chains_read.add(kind)
        wanted = [
            p
            for p in dict.fromkeys(paths)
            if any((kind, p, c) not in self._at_path for c in cycle_ids)
        ]
        if not wanted or not cycle_ids:
            return
        teams_under = self._teams_under([path for path in wanted if len(path) > Unit.steplen])
        keys = {
            (unit_path, cycle_id): (
                self.plan_generation,
                "sums",
                kind,
                cycle_id,
                settled[cycle_id],
                unit_path,
                # The organisation's sum is every tally row of its cycle; a digest stands for
                # the other units' (sorted) teams, which would make each key kilobytes long.
                self._teams_digest[unit_path] if unit_path in teams_under else "every team",
            )
            for unit_path in wanted
            for cycle_id in cycle_ids
            if cycle_id in settled
        }
        recalled = dict(zip(keys, settled_plans.recall_sums(list(keys.values())), strict=True))
        for (unit_path, cycle_id), rows in recalled.items():
            if rows is not None:
                self._at_path[(kind, unit_path, cycle_id)] = list(rows)
        missing = [
            (unit_path, cycle_id)
            for unit_path in wanted
            for cycle_id in cycle_ids
            if recalled.get((unit_path, cycle_id)) is None
        ]
        if not missing:
            return
        read_paths = list(dict.fromkeys(unit_path for unit_path, _cycle in missing))
        read_cycles = sorted({cycle_id for _path, cycle_id in missing})
        self._reading(read_cycles)
        for unit_path in read_paths:
            for cycle_id in read_cycles:
                self._at_path[(kind, unit_path, cycle_id)] = []
        found: list[tuple[Any, ...]] = []
        for organisation in (path for path in read_paths if len(path) == Unit.steplen):
            found.extend(_SUMMERS[kind](self, read_cycles, [], organisation))
        teams = [
            (team, unit_path) for unit_path in read_paths for team in teams_under.get(unit_path, ())
        ]
        if teams:
            found.extend(_SUMMERS[kind](self, read_cycles, teams, None))
        for cycle_id, unit_path, *rest in found:
            self._at_path[(kind, unit_path, cycle_id)].append(tuple(rest))
        settled_plans.keep_sums(
            [
                (keys[(unit_path, cycle_id)], tuple(self._at_path[(kind, unit_path, cycle_id)]))
                for unit_path, cycle_id in missing
                if (unit_path, cycle_id) in keys
            ]
        )

    def _teams_under(self, paths: Sequence[str]) -> dict[str, list[int]]:
        """The teams summed at each of these units (each unit's worked out once per call), and
        a digest of them (`_teams_digest`), which names the unit's remembered sums."""
        new = [path for path in paths if path not in self._teams_at]
        if new:
            wanted = set(new)
            for path in new:
                self._teams_at[path] = []
            for team, node in self.mapping:
                for path in ancestor_paths(node):
                    if path in wanted:
                        self._teams_at[path].append(team)
            for path in new:
                self._teams_digest[path] = stable_digest(tuple(sorted(self._teams_at[path])))
        return {path: self._teams_at[path] for path in paths}

    def may_sum_at(self, kind: str, path: str, cycle_ids: Iterable[int]) -> bool:
        """Whether `sums_at` may answer for this unit: it has summed it already (in the first
        chain read, or in `OrganisationResults.summed_groups`), or it has summed nothing of this
        kind yet. A page that asks about units beyond those rolls the whole tree up instead."""
        return kind not in self._chains_read or all(
            (kind, path, cycle_id) in self._at_path for cycle_id in cycle_ids
        )

    def rolled_up(self, kind: str, cycle_id: int) -> dict[tuple[str, Any], list[Any]]:
        """One cycle's tallies summed up the tree: (unit path, domain id or statement code) →
        [responses, score total, red, amber, green]. Computed once per cycle and shared by
        every scope that includes the cycle."""
        cached = self._rolled.get((kind, cycle_id))
        if cached is not None:
            return cached
        self.need(kind, [cycle_id])
        table = self.domains if kind == "domains" else self.statements
        sums: dict[tuple[str, Any], list[Any]] = {}
        step = Unit.steplen
        for node, key, responses, score_total, red, amber, green in table.get(cycle_id, ()):
            for end in range(step, len(node) + 1, step):
                total = sums.get((node[:end], key))
                if total is None:
                    sums[(node[:end], key)] = [responses, score_total, red, amber, green]
                else:
                    total[0] += responses
                    total[1] += score_total
                    total[2] += red
                    total[3] += amber
                    total[4] += green
        self._rolled[(kind, cycle_id)] = sums
        return sums

    # -- the grouped queries ------------------------------------------------------------------

    def _grouped(
        self,
        table: type[Model],
        sums: Sequence[str | Summed],
        cycles: Sequence[int],
        *,
        by_statement: bool = False,
        key: str = "",
        mapping: Sequence[tuple[int, str]] | None = None,
        whole: str | None = None,
    ) -> list[tuple[Any, ...]]:
        """Sum one tally table by cycle and node in the database, joined to a small table of
        (team, node) so no per-row expression is evaluated (the viewer's nodes, or `mapping`);
        or, `whole`, every row of the cycles as one node of that name (a cycle's tallies are
        all its organisation's teams', so that is the organisation's sum, with no join).

        The rows are summed under each node's number and each statement's id, and only the
        sums are given their path and code: hashing hundreds of thousands of rows on a
        16-character path and joining each to its statement was a quarter to a half of the
        query at 3,000 teams (docs/performance.md)."""
        mapping = self.mapping if mapping is None else mapping
        quote = connection.ops.quote_name
        name = quote(table._meta.db_table)
        marks = ", ".join(["%s"] * len(cycles))
        sums_inner = ", ".join(
            f"SUM({c.sql if isinstance(c, Summed) else f't.{quote(c)}'}) AS s{i}"
            for i, c in enumerate(sums)
        )
        sums_outer = ", ".join(f"g.s{i}" for i in range(len(sums)))
        if by_statement:
            key_inner, key_outer = ", t.statement_id", f", s.{quote('code')}"
            join_key = f" JOIN {quote(Statement._meta.db_table)} s ON s.id = g.statement_id"
        else:
            key_inner = f", t.{quote(key)}" if key else ""
            key_outer = f", g.{quote(key)}" if key else ""
            join_key = ""
        if whole is None:
            paths = list(dict.fromkeys(node for _team, node in mapping))
            number = {path: i for i, path in enumerate(paths)}
            with_nodes = (
                "WITH nodes (team_id, node) AS (VALUES "
                + ", ".join(["(%s, %s)"] * len(mapping))
                + "), names (node, path) AS (VALUES "
                + ", ".join(["(%s, %s)"] * len(paths))
                + ") "
            )
            params: list[Any] = [v for team, path in mapping for v in (team, number[path])]
            params += [v for i, path in enumerate(paths) for v in (i, path)]
            node_inner, node_outer = ", nodes.node", "names.path"
            join_nodes, join_names = (
                " JOIN nodes ON nodes.team_id = t.team_id",
                " JOIN names ON names.node = g.node",
            )
        else:
            with_nodes, params = "", [whole]
            node_inner, node_outer, join_nodes, join_names = "", "%s", "", ""
        # Table and column names come from the models; every value is a query parameter.
        sql = (
            f"{with_nodes}SELECT g.cycle_id, {node_outer}{key_outer}, {sums_outer} FROM ("  # noqa: S608  # nosec B608
            f"SELECT t.cycle_id{node_inner}{key_inner}, {sums_inner}"
            f" FROM {name} t{join_nodes}"
            f" WHERE t.cycle_id IN ({marks}) GROUP BY t.cycle_id{node_inner}{key_inner}"
            f") g{join_names}{join_key}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *cycles])
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    def _read_responses(self, cycles: Sequence[int]) -> Iterable[tuple[Any, ...]]:
        return self._grouped(TeamTally, ["responses", Summed.codes_held(), Summed.people()], cycles)

    @cached_property
    def _several_and_alone(self) -> tuple[list[str], list[tuple[int, str]]]:
        """The nodes of several teams (units outside the viewer's reach), and the (team, node)
        of each node of one team."""
        teams_in = Counter(node for _team, node in self.mapping)
        several = [node for node, teams in teams_in.items() if teams > 1]
        alone = [(team, node) for team, node in self.mapping if teams_in[node] == 1]
        return several, alone

    def _read_by_node(
        self,
        kind: str,
        cycles: Sequence[int],
        *,
        settled: Mapping[int, str],
        read: Callable[[Sequence[int], Sequence[tuple[int, str]] | None], list[tuple[Any, ...]]],
    ) -> list[tuple[Any, ...]]:
        """A plan's counts per cycle, node and key (`read`: of these cycles, for the teams of
        a mapping, or for every node where None). For a settled cycle, a node of several teams
        (a unit outside the viewer's reach) takes them from that unit's sums of `kind`, whose
        rows start with the key and the count, remembered across requests and viewers, and
        worked out for every unit by the clock once a cycle settles (`remember_unit_sums`): a
        team manager's plans need a few dozen such nodes, which stand for every other team of
        the organisation. Only the nodes of one team are read row by row."""
        several, alone = self._several_and_alone
        summed = [cycle_id for cycle_id in cycles if cycle_id in settled] if several else []
        others = [cycle_id for cycle_id in cycles if cycle_id not in summed]
        rows: list[tuple[Any, ...]] = []
        if others:
            rows += read(others, None)
        if not summed:
            return rows
        if alone:
            rows += read(summed, alone)
        self.sum_units(kind, several, summed, settled=settled, shown=False)
        for node in several:
            for cycle_id in summed:
                for key, count, *_rest in self._at_path[(kind, node, cycle_id)]:
                    rows.append((cycle_id, node, key, count))
        return rows

    def _read_answered(
        self, cycles: Sequence[int], *, settled: Mapping[int, str]
    ) -> Iterable[tuple[Any, ...]]:
        """Answers per cycle, node and statement (from units' statement sums where it can)."""

        def read(cycles: Sequence[int], mapping: Sequence[tuple[int, str]] | None) -> list[Any]:
            return self._grouped(
                StatementTally, ["answered"], cycles, by_statement=True, mapping=mapping
            )

        return self._read_by_node("statements", cycles, settled=settled, read=read)

    def _read_scored(
        self, cycles: Sequence[int], *, settled: Mapping[int, str]
    ) -> Iterable[tuple[Any, ...]]:
        """Responses with a domain score per cycle, node and domain, the people a domain mean
        covers (from units' domain sums where it can)."""

        def read(cycles: Sequence[int], mapping: Sequence[tuple[int, str]] | None) -> list[Any]:
            return self._grouped(DomainTally, ["scored"], cycles, key="domain_id", mapping=mapping)

        return self._read_by_node("domains", cycles, settled=settled, read=read)

    def _read_domains(
        self,
        cycles: Sequence[int],
        mapping: Sequence[tuple[int, str]] | None = None,
        whole: str | None = None,
    ) -> Iterable[tuple[Any, ...]]:
        rows = self._grouped(
            DomainTally,
            ["scored", "score_total", "red", "amber", "green"],
            cycles,
            key="domain_id",
            mapping=mapping,
            whole=whole,
        )
        if all(row[4] is not None for row in rows):
            return rows
        return [(*row[:4], row[4] or 0.0, *row[5:]) for row in rows]

    def _read_statements(
        self,
        cycles: Sequence[int],
        mapping: Sequence[tuple[int, str]] | None = None,
        whole: str | None = None,
    ) -> Iterable[tuple[Any, ...]]:
        return (
            (cycle, node, code, answered, float(total), red, amber, green)
            for cycle, node, code, answered, total, red, amber, green in self._grouped(
                StatementTally,
                ["answered", "score_total", "red", "amber", "green"],
                cycles,
                by_statement=True,
                mapping=mapping,
                whole=whole,
            )
        )

    def _read_answer_counts(
        self, cycles: Sequence[int], *, settled: Mapping[int, str]
    ) -> Iterable[tuple[Any, ...]]:
        """How many of a domain's statements each response answered, as the distinct numbers
        per cycle, node and domain (from units' remembered ones where it can)."""

        def read(cycles: Sequence[int], mapping: Sequence[tuple[int, str]] | None) -> list[Any]:
            if mapping is None:
                return self._answer_counts_of(cycles, self.mapping, every_team=True)
            return self._answer_counts_of(cycles, mapping)

        return self._read_by_node("answer_counts", cycles, settled=settled, read=read)

    def _answer_counts_of(
        self,
        cycles: Sequence[int],
        mapping: Sequence[tuple[int, str]],
        whole: str | None = None,
        *,
        every_team: bool = False,
    ) -> list[tuple[Any, ...]]:
        """The distinct numbers of answers to each domain (0 for a response with no domain
        score) per cycle and node, of the teams in `mapping` (a team may stand in several nodes;
        `every_team`: the mapping holds every team, so none is picked out in the query), or of
        every team as the one node `whole`."""
        quote = connection.ops.quote_name
        table = quote(DomainScore._meta.db_table)
        # A response with no domain score counts as answering none: in a pool of pulses that
        # asked a domain's statements in different numbers, one answer is scored in one pulse
        # and not in the other, and the domain mean is then no multiple of the statements' sums.
        answered = (
            f"CASE WHEN {quote('score')} IS NULL THEN 0"
            f" ELSE {quote('red')} + {quote('amber')} + {quote('green')} END"
        )
        marks = ", ".join(["%s"] * len(cycles))
        params: list[Any] = list(cycles)
        if whole is not None:
            sql = (
                f"SELECT DISTINCT cycle_id, domain_id, {answered} FROM {table}"  # noqa: S608  # nosec B608
                f" WHERE cycle_id IN ({marks})"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [(cycle, whole, domain, n) for cycle, domain, n in cursor.fetchall()]
        nodes_of: dict[int, list[str]] = defaultdict(list)
        for team, node in mapping:
            nodes_of[team].append(node)
        sql = (
            f"SELECT DISTINCT cycle_id, team_id, domain_id, {answered} FROM {table}"  # noqa: S608  # nosec B608
            f" WHERE cycle_id IN ({marks})"
        )
        if not every_team:
            sql += f" AND team_id IN ({', '.join(['%s'] * len(nodes_of))})"
            params += list(nodes_of)
        found: set[tuple[Any, ...]] = set()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for cycle, team, domain, n in cursor.fetchall():
                for node in nodes_of.get(team, ()):
                    found.add((cycle, node, domain, n))
        return list(found)


_READERS: dict[str, Callable[[Aggregates, Sequence[int]], Iterable[tuple[Any, ...]]]] = {
    name: getattr(Aggregates, f"_read_{name}")
    for name in TABLES
    if name not in ("answered", "answer_counts", "scored")
}
_SUMMERS: dict[
    str,
    Callable[
        [Aggregates, Sequence[int], Sequence[tuple[int, str]], str | None],
        Iterable[tuple[Any, ...]],
    ],
] = {
    "domains": Aggregates._read_domains,
    "statements": Aggregates._read_statements,
    "answer_counts": Aggregates._answer_counts_of,
}


def _filter_kwargs(filters: Mapping[str, str], prefix: str) -> dict[str, str]:
    for name in filters:
        if name not in DEMOGRAPHIC_FIELDS:
            raise FilterRefused(f"Unknown breakdown “{name}”.")
    return {f"{prefix}{name}": value for name, value in filters.items()}


@dataclass(frozen=True)
class Cell:
    """One figure as a viewer may see it: `figures` (rounded at release) is None when hidden,
    and `hidden` says why."""

    figures: Figures | None
    hidden: Hidden | None = None

    @property
    def shown(self) -> bool:
        return self.figures is not None


@dataclass(frozen=True)
class GroupResult:
    """A unit's figures over one scope, as one viewer may see them."""

    unit: Unit
    scope: Scope
    k: int
    responses: int | None  # None when hidden
    domains: dict[str, Cell]  # by domain code
    statements: dict[str, Cell]  # by statement code
    index: int | None
    pulses_pooled: int | None
    hidden: Hidden | None = None
    # outcome figures by outcome domain code (§12): apart from the domains, never in the index
    outcomes: dict[str, Cell] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.responses is not None

    @property
    def hidden_text(self) -> str:
        """Why the group is not shown, in English: for exports (pages: `hidden_words`)."""
        return hidden_text(self.hidden, k=self.k)

    @property
    def hidden_words(self) -> str:
        """Why the group is not shown, in the reader's language: for pages and e-mails."""
        return hidden_words(self.hidden, k=self.k)


def _with_unit(kept: GroupResult, *, unit: Unit, scope: Scope) -> GroupResult:
    """`replace(kept, unit=unit, scope=scope)` without running the dataclass's `__init__`
    again: a page of every team asks for thousands, and `replace` cost 12 µs each."""
    fresh = object.__new__(GroupResult)
    fresh.__dict__.update(kept.__dict__, unit=unit, scope=scope)
    return fresh


def family_order(
    units: Sequence[Unit], reach: Reach | None, counts: Mapping[str, int]
) -> tuple[list[str], list[str]]:
    """The viewer's family in priority order, and the part of it they reach (whose pages, and
    so breakdowns, they can open). See `disclosure.plan` for why this order."""
    paths = sorted(unit.path for unit in units)
    if not paths:
        return [], []
    roots = root_paths(units, reach)
    reached = [p for p in paths if any(p.startswith(root) for root in roots)]
    by_parent: dict[str, list[str]] = defaultdict(list)
    for path in reached:
        by_parent[path[: -Unit.steplen]].append(path)
    order: list[str] = []
    level = sorted(roots)
    while level:
        order.extend(level)
        level = [
            child
            for parent in level
            for child in sorted(by_parent.get(parent, []), key=lambda p: (-counts.get(p, 0), p))
        ]
    above = {
        path[:end]
        for path in roots
        for end in range(Unit.steplen, len(path), Unit.steplen)
        if path[:end] not in roots
    }
    order.extend(sorted(above, key=lambda p: (-len(p), p)))
    return order, reached


def root_paths(units: Iterable[Unit], reach: Reach | None) -> list[str]:
    """The units a viewer reaches with everything below them (the whole organisation for the
    command line)."""
    return root_paths_of((unit.path for unit in units), reach)


def root_paths_of(paths: Iterable[str], reach: Reach | None) -> list[str]:
    """`root_paths` from the units' paths."""
    if reach is None:
        return [min(paths, key=len)]
    return [unit.path for unit in reach.top_units]


class _Batch:
    """What the scopes of one call share: their cycles (each table is read for all of them at
    once) and the statements those cycles asked (read when first needed)."""

    def __init__(self, cycle_ids: Iterable[int]) -> None:
        self.cycle_ids = sorted(set(cycle_ids))

    @cached_property
    def _asked(self) -> Asked:
        return read_asked(self.cycle_ids)

    @property
    def asked(self) -> tuple[dict[str, str], list[Domain]]:
        return self._asked.codes, self._asked.outcomes

    @property
    def settled(self) -> dict[int, str]:
        """The settled cycles, with when each closed (see `diagnostics.settled_plans`)."""
        return self._asked.settled


class OrganisationResults:
    """One viewer's figures for one scope: the organisation's counts, decided by the disclosure
    engine over everything this viewer can see (`plan`).

    Built from one set of aggregates; several scopes can share them (see `results_for_scopes`).
    Reads lazily: asking only whether groups are shown and their counts reads response counts
    only, and decides the groups alone (`group_hidden`, `count_text`).
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        units: Sequence[Unit] | Mapping[str, Unit],
        domains: Sequence[Domain],
        scope: Scope,
        aggregates: Aggregates,
        reach: Reach | None,
        with_statements: bool = True,
        batch: _Batch | None = None,
    ) -> None:
        self.organisation = organisation
        self.k = effective_k(organisation.anonymity_threshold)
        # Units by path; a mapping given is shared with the other scopes of its call, not copied.
        self.units: Mapping[str, Unit] = (
            units if isinstance(units, Mapping) else {unit.path: unit for unit in units}
        )
        self.domains = list(domains)
        self.scope = scope
        self.reach = reach
        self.with_statements = with_statements
        self._aggregates = aggregates
        self._batch = batch or _Batch(scope.cycle_ids)
        self._groups: dict[str, GroupResult] = {}
        self._many_units = False  # see `groups`

    @property
    def _settled(self) -> dict[int, str]:
        """The scope's cycles that have settled, of those whose counts held were read after
        they settled (`Aggregates.settled_when_read`)."""
        return self._aggregates.settled_when_read(self._batch.settled)

    @cached_property
    def statement_domains(self) -> dict[str, str]:
        return dict(self._batch.asked[0])

    @cached_property
    def outcomes(self) -> list[Domain]:
        return list(self._batch.asked[1])

    def _table(self, kind: str, cycle_ids: Iterable[int] | None = None) -> dict[int, list[Any]]:
        self._aggregates.need(
            kind,
            self._batch.cycle_ids if cycle_ids is None else cycle_ids,
            settled=self._settled if kind in ("answered", "answer_counts", "scored") else None,
        )
        table: dict[int, list[Any]] = getattr(self._aggregates, kind)
        return table

    # -- totals per unit: sums of the nodes' tallies up the tree --------------------------

    @cached_property
    def node_counts(self) -> dict[tuple[str, int], int]:
        return self._per_node_and_cycle(RESPONSES)

    @cached_property
    def node_codes(self) -> dict[tuple[str, int], int]:
        """What bounds each node's responses to each cycle as its reader reads it
        (`disclosure.bands`), from its codes made and its headcount (`bounds_read`)."""
        return bounds_read(
            self._per_node_and_cycle(CODES_MADE),
            self._per_node_and_cycle(PEOPLE),
            self.node_counts,
            k=self.k,
        )

    def _per_node_and_cycle(self, column: int) -> dict[tuple[str, int], int]:
        """One column of the responses table per node and cycle of the scope, zeros left out."""
        table = self._table("responses")
        found: dict[tuple[str, int], int] = defaultdict(int)
        for cycle_id in self.scope.cycle_ids:
            for row in table.get(cycle_id, ()):
                if row[column]:
                    found[(row[0], cycle_id)] += row[column]
        return found

    @cached_property
    def node_answers(self) -> dict[tuple[str, int, str], int]:
        return self._per_node_cycle_and_key("answered")

    @cached_property
    def node_scored(self) -> dict[tuple[str, int, Hashable], int]:
        """Responses with a domain score per node, cycle and domain (`PlanInput.scored`)."""
        return self._per_node_cycle_and_key("scored")

    def _per_node_cycle_and_key(self, kind: str) -> dict[tuple[str, int, Any], int]:
        """A table of (node, key, count) rows summed per node, cycle of the scope and key."""
        table = self._table(kind)
        found: dict[tuple[str, int, Any], int] = defaultdict(int)
        for cycle_id in self.scope.cycle_ids:
            for node, key, n in table.get(cycle_id, ()):
                found[(node, cycle_id, key)] += n
        return found

    @cached_property
    def node_answer_counts(self) -> dict[tuple[str, int, Hashable], frozenset[int]]:
        # Only the scope whose statements are decided needs these (see `plan_input`).
        table = self._table("answer_counts", self.scope.cycle_ids)
        found: dict[tuple[str, int, Hashable], set[int]] = defaultdict(set)
        for cycle_id in self.scope.cycle_ids:
            for node, domain, answered in table.get(cycle_id, ()):
                found[(node, cycle_id, domain)].add(answered)
        return {key: frozenset(values) for key, values in found.items()}

    @cached_property
    def response_counts(self) -> Mapping[str, int]:
        """Each unit's responses over the scope (read-only: a settled scope's are shared)."""
        if self._settled_counts is not None:
            return self._settled_counts.response_counts
        return self._counted_responses

    @cached_property
    def _counted_responses(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for (node, _cycle), n in self.node_counts.items():
            for path in ancestor_paths(node):
                counts[path] += n
        return dict(counts)

    @cached_property
    def cycles_answered(self) -> Mapping[str, int]:
        """How many of the scope's cycles each unit has responses in (read-only)."""
        if self._settled_counts is not None:
            return self._settled_counts.cycles_answered
        return self._counted_cycles_answered

    @cached_property
    def _counted_cycles_answered(self) -> dict[str, int]:
        table = self._table("responses")
        found: dict[str, set[int]] = defaultdict(set)
        for cycle_id in self.scope.cycle_ids:
            for node, n, _made, _people in table.get(cycle_id, ()):
                if n:
                    for path in ancestor_paths(node):
                        found[path].add(cycle_id)
        return {path: len(cycles) for path, cycles in found.items()}

    def _summed(self, kind: str) -> dict[tuple[str, Any], list[Any]]:
        """The scope's tallies per unit: the sum of its cycles' rolled-up tallies."""
        if kind == "domains":
            self._table("domains")
        else:
            self._table("statements", self.scope.cycle_ids)
        table = getattr(self._aggregates, kind)
        cycles = [c for c in self.scope.cycle_ids if c in table]
        if len(cycles) == 1:
            return self._aggregates.rolled_up(kind, cycles[0])
        sums: dict[tuple[str, Any], list[Any]] = {}
        for cycle_id in cycles:
            for key, values in self._aggregates.rolled_up(kind, cycle_id).items():
                total = sums.get(key)
                if total is None:
                    sums[key] = list(values)
                else:
                    for i in range(5):
                        total[i] += values[i]
        return sums

    @cached_property
    def _domain_sums(self) -> dict[tuple[str, Any], list[Any]]:
        return self._summed("domains")

    @cached_property
    def _statement_sums(self) -> dict[tuple[str, Any], list[Any]]:
        return self._summed("statements")

    def _tallies_at(self, kind: str, path: str) -> Callable[[Any], Tally]:
        """A unit's tallies of the domains or the statements over the scope, by domain id or
        statement code: summed in the database for the first unit a page asks about and the
        units above it (a team and its markers), from the whole tree rolled up once it asks
        about others or about many at once (`groups`); the same sums either way."""
        at_path = self._at_path[kind]
        at = at_path.get(path)
        rolled = "_domain_sums" if kind == "domains" else "_statement_sums"
        few = not self._many_units and self._aggregates.may_sum_at(
            kind, path, self._sum_cycles(kind)
        )
        if at is None and rolled not in self.__dict__ and few:
            at = at_path[path] = self._sum_at(kind, path)
        if at is not None:
            found = at
            return lambda key: _tally_of(found.get(key))
        sums: dict[tuple[str, Any], list[Any]] = getattr(self, rolled)
        return lambda key: _tally_of(sums.get((path, key)))

    def _sum_cycles(self, kind: str) -> Sequence[int]:
        # Domain sums are read for every cycle of the call at once (each scope shows its
        # domains); statement sums only for the scope whose statements are shown.
        return self._batch.cycle_ids if kind == "domains" else sorted(self.scope.cycle_ids)

    @cached_property
    def _at_path(self) -> dict[str, dict[str, dict[Any, list[Any]]]]:
        return {"domains": {}, "statements": {}}

    def _sum_at(self, kind: str, path: str) -> dict[Any, list[Any]]:
        """One unit's tallies over the scope, summed in the database per cycle
        (`Aggregates.sums_at`), then over the scope's cycles as `_summed` does. Domain score
        totals are floats added in another order than `rolled_up` adds them, so they may differ
        in the last bits; every figure leaves through `round_half_up`, which first rounds to nine
        places, and bands allow for the same noise (`scoring._EPSILON`)."""
        per_cycle = self._aggregates.sums_at(
            kind, path, self._sum_cycles(kind), settled=self._settled
        )
        sums: dict[Any, list[Any]] = {}
        for rows in (per_cycle[cycle_id] for cycle_id in sorted(self.scope.cycle_ids)):
            for key, responses, score_total, red, amber, green in rows:
                total = sums.get(key)
                if total is None:
                    sums[key] = [responses, score_total, red, amber, green]
                else:
                    total[0] += responses
                    total[1] += score_total
                    total[2] += red
                    total[3] += amber
                    total[4] += green
        return sums

    @cached_property
    def domain_tallies(self) -> dict[tuple[str, int], Tally]:
        return defaultdict(
            lambda: EMPTY_TALLY, {key: Tally(*v) for key, v in self._domain_sums.items()}
        )

    @cached_property
    def statement_tallies(self) -> dict[tuple[str, str], Tally]:
        return defaultdict(
            lambda: EMPTY_TALLY, {key: Tally(*v) for key, v in self._statement_sums.items()}
        )

    @cached_property
    def statement_codes(self) -> list[str]:
        if self._settled_plan is not None:
            return list(self._settled_plan.statement_codes)
        return self._answered_codes()

    def _answered_codes(self) -> list[str]:
        codes = {code for (_node, _cycle, code), n in self.node_answers.items() if n}
        return sorted(codes, key=lambda c: (self.statement_domains.get(c, ""), c))

    # -- the disclosure engine's decisions --------------------------------------------------

    @cached_property
    def _family(self) -> tuple[list[str], list[str]]:
        if self._settled_counts is not None:
            return list(self._settled_counts.order), list(self._settled_counts.reached)
        return self._counted_family

    @cached_property
    def _counted_family(self) -> tuple[list[str], list[str]]:
        return family_order(every_unit(self.units), self.reach, self._counted_responses)

    @cached_property
    def resolvable(self) -> frozenset[str]:
        return frozenset(self._family[0])

    def _plan_input(self, *, answer_counts: bool) -> PlanInput:
        domain_ids = {domain.code: domain.pk for domain in (*self.domains, *self.outcomes)}
        return PlanInput(
            k=self.k,
            order=self._family[0],
            responses=self.node_counts,
            answers=self.node_answers,
            statement_domains={
                code: domain_ids[domain]
                for code, domain in self.statement_domains.items()
                if domain in domain_ids
            },
            domain_order=[domain.pk for domain in self.domains],
            step=Unit.steplen,
            answer_counts=self.node_answer_counts if answer_counts else None,
            outcome_order=[domain.pk for domain in self.outcomes],
            codes=self.node_codes,
            scored=self.node_scored,
        )

    @cached_property
    def plan_input(self) -> PlanInput:
        # Each response's answer counts only decide which statement means are shown, so a
        # plan without statements is decided (and remembered) without reading them.
        return self._plan_input(answer_counts=self.with_statements)

    @cached_property
    def _statements_plan_input(self) -> PlanInput:
        if self.with_statements:
            return self.plan_input
        return self._plan_input(answer_counts=True)

    @cached_property
    def plan(self) -> Plan:
        if self._settled_plan is not None:
            return self._settled_plan.plan
        return decide_remembered(self.plan_input, with_statements=self.with_statements)

    @cached_property
    def _settled_key(self) -> tuple[Hashable, ...] | None:
        """What a scope whose cycles have all settled depends on besides their (fixed) counts:
        the generation of those counts, the cycles and when they closed, k, and the viewer's
        teams, units and reach (`Aggregates.structure`); None for any other scope."""
        settled = self._settled
        if not all(cycle_id in settled for cycle_id in self.scope.cycle_ids):
            return None
        return (
            self._aggregates.plan_generation,
            tuple(sorted((cycle_id, settled[cycle_id]) for cycle_id in self.scope.cycle_ids)),
            self.k,
            Unit.steplen,
            self._aggregates.structure(self.units, self._roots),
        )

    @cached_property
    def _roots(self) -> list[str]:
        return root_paths_of(self.units, self.reach)

    @cached_property
    def _settled_counts(self) -> settled_plans.SettledCounts | None:
        """A settled scope's family order, response counts and groups' decisions, remembered
        across requests (so the response counts are not read); None for any other scope."""
        key = self._settled_key
        if key is None:
            return None
        return settled_plans.remembered((*key, "counts"), self._counted_state)

    def _counted_state(self) -> settled_plans.SettledCounts:
        order, reached = self._counted_family
        return settled_plans.SettledCounts(
            order=tuple(order),
            reached=tuple(reached),
            response_counts=self._counted_responses,
            cycles_answered=self._counted_cycles_answered,
            group_plan=decide_groups(self._groups_input),
        )

    @cached_property
    def _settled_plan_key(self) -> tuple[Hashable, ...] | None:
        """What a settled scope's plan, and so its released figures, depend on; None for any
        other scope."""
        key = self._settled_key
        if key is None:
            return None
        return (
            *key,
            "plan",
            self.with_statements,
            tuple(sorted(self.statement_domains.items())),
            tuple(domain.pk for domain in self.domains),
            tuple(domain.pk for domain in self.outcomes),
        )

    @cached_property
    def _released(self) -> dict[str, GroupResult] | None:
        """A settled scope's figures already released to viewers with this plan, by unit path
        (`settled_plans.released_groups`); None for any other scope."""
        key = self._settled_plan_key
        return None if key is None else settled_plans.released_groups(key)

    @cached_property
    def _settled_plan(self) -> settled_plans.SettledPlan | None:
        """The plan of a scope whose cycles have all settled, remembered across requests under
        what it depends on besides their (fixed) counts; None for any other scope."""
        key = self._settled_plan_key
        if key is None:
            return None
        return settled_plans.remembered(
            key,
            lambda: settled_plans.SettledPlan(
                plan=decide(self.plan_input, with_statements=self.with_statements),
                statement_codes=tuple(self._answered_codes()),
            ),
        )

    @cached_property
    def _groups_input(self) -> PlanInput:
        return PlanInput(
            k=self.k,
            order=self._counted_family[0],
            responses=self.node_counts,
            answers={},
            statement_domains={},
            domain_order=[],
            step=Unit.steplen,
            codes=self.node_codes,
        )

    @cached_property
    def _group_plan(self) -> Plan:
        """The groups' decisions (the same as the full plan's), from the response counts."""
        if "plan" in self.__dict__:
            return self.plan
        if self._settled_counts is not None:
            return self._settled_counts.group_plan
        return decide_groups_remembered(self._groups_input)

    # -- what the viewer sees ---------------------------------------------------------------

    def group_hidden(self, unit: Unit) -> Hidden | None:
        """Why the unit's figures are hidden (None: shown), as `group(unit).hidden`, deciding
        the groups alone."""
        if unit.path not in self.resolvable:
            raise ValueError(f"{unit} is outside this viewer's reach.")
        hidden = self._group_plan.group(unit.path)
        if hidden is None and not self.response_counts.get(unit.path, 0):
            return Hidden.NO_RESPONSES
        return hidden

    def group(self, unit: Unit) -> GroupResult:
        found = self._groups.get(unit.path)
        if found is None:
            found = self._groups[unit.path] = self._released_group(unit)
        return found

    def _released_group(self, unit: Unit) -> GroupResult:
        """`_group`, or of a settled scope the figures released before under the same plan
        (with this request's unit and scope, whose names may have changed since)."""
        released = self._released
        if released is None or unit.path not in self.resolvable:
            return self._group(unit)
        kept = released.get(unit.path)
        if kept is None:
            kept = released[unit.path] = self._group(unit)
            return kept
        return _with_unit(kept, unit=unit, scope=self.scope)

    def kept_with_released(self, name: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """`compute()`, a reading that follows from this viewer's released figures and the
        settled scope's own stored rows (which never change once it has settled), by path and
        code, never a unit's name: kept beside those figures for a settled scope, so that a
        page reading thousands of units reads them once per process; worked out afresh for any
        other scope. `name` must hold anything else the reading depends on (a setting, the
        domains' words)."""
        key = self._settled_plan_key
        if key is None:
            return compute()
        readings = settled_plans.released_readings(key)
        found = readings.get(name)
        if found is None:
            found = readings[name] = compute()
        return cast(T, found)

    def groups(self, units: Sequence[Unit]) -> Iterator[GroupResult]:
        """Each unit's `group`, in order. Asked about more than a few units at once, the whole
        tree is rolled up from the first, not the first few units summed one by one."""
        if len(units) > FEW_UNITS:
            self._many_units = True
        return map(self.group, units)

    def summed_groups(self, units: Sequence[Unit]) -> list[GroupResult]:
        """Each unit's `group`, in order, their tallies summed together in the database (one
        query per kind, however many units): for a page of a unit and the units below it,
        which would otherwise roll the whole organisation's teams up in Python."""
        released = self._released or {}
        paths = [
            unit.path
            for unit in units
            if unit.path not in self._groups and unit.path not in released
        ]
        settled = self._settled
        self._aggregates.sum_units("domains", paths, self._sum_cycles("domains"), settled=settled)
        if self.with_statements:
            self._aggregates.sum_units(
                "statements", paths, self._sum_cycles("statements"), settled=settled
            )
        return [self.group(unit) for unit in units]

    def _group(self, unit: Unit) -> GroupResult:
        if unit.path not in self.resolvable:
            raise ValueError(f"{unit} is outside this viewer's reach.")
        plan = self.plan
        path = unit.path
        group_hidden = plan.group(path)
        responses = self.response_counts.get(path, 0)
        if group_hidden is None and not responses:
            group_hidden = Hidden.NO_RESPONSES
        domain_tally = self._tallies_at("domains", path)
        domains: dict[str, Cell] = {}
        asked: set[str] = set()
        for domain in self.domains:
            tally = domain_tally(domain.pk)
            reason = plan.domain(path, domain.pk)
            domains[domain.code] = _cell(tally, reason, n=responses)
            if tally.answered:
                asked.add(domain.code)
        outcomes: dict[str, Cell] = {}
        for outcome in self.outcomes:
            tally = domain_tally(outcome.pk)
            outcomes[outcome.code] = _cell(tally, plan.domain(path, outcome.pk), n=responses)
        statements: dict[str, Cell] = {}
        if plan.statements_planned:
            statement_tally = self._tallies_at("statements", path)
            for code in self.statement_codes:
                tally = statement_tally(code)
                reason = plan.statement(path, code)
                statements[code] = _cell(
                    tally, reason, without_mean=(path, code) in plan.means_hidden
                )
        return _group_result(
            unit=unit,
            scope=self.scope,
            k=self.k,
            hidden=group_hidden,
            responses=responses,
            domains=domains,
            statements=statements,
            pulses=self.cycles_answered.get(path, 0),
            asked=asked,
            outcomes=outcomes,
        )

    def response_count(self, unit: Unit) -> ResponseCount:
        """A group's response count as this viewer may read it: exact where its figures are
        shown, otherwise only which side of k it is (`release_words.count_words` says it)."""
        n = self.response_counts.get(unit.path, 0)
        exact = unit.path in self.resolvable and self._group_plan.group(unit.path) is None
        return response_count(n, k=self.k, exact=exact)

    def children_of(self, unit: Unit) -> list[Unit]:
        below = (
            self.units.children(unit.path)
            if isinstance(self.units, UnitsByPath)
            else self._children.get(unit.path, ())
        )
        return sorted(below, key=lambda u: (not u.is_team, u.name.lower()))

    @cached_property
    def _children(self) -> dict[str, list[Unit]]:
        """Each unit's units one level below, by its path (the units walked once, not once per
        unit asked about)."""
        step = Unit.steplen
        children: dict[str, list[Unit]] = defaultdict(list)
        for path, unit in self.units.items():
            if len(path) > step:
                children[path[:-step]].append(unit)
        return children

    # -- breakdowns ---------------------------------------------------------------------------

    def breakdown(self, unit: Unit, filters: Mapping[str, str]) -> GroupResult:
        """The unit's domain figures among the responses that gave these demographic answers,
        as far as the engine lets this viewer see them (no statement figures: a breakdown shows
        domains). Reads the responses' rows (four queries)."""
        if unit.path not in self._family[1]:
            raise ValueError(f"{unit} is outside this viewer's reach.")
        by_answers = _filter_kwargs(filters, "response__")
        wanted = tuple(
            (index, filters[name])
            for index, name in enumerate(DEMOGRAPHIC_FIELDS)
            if name in filters
        )
        full_plan = (
            self.plan
            if self.plan.statements_planned
            else decide_remembered(self._statements_plan_input, with_statements=True)
        )
        decision = plan_breakdowns(
            self._statements_plan_input,
            full_plan,
            breakdown_input(self.scope.cycle_ids, self._aggregates.node_of),
            groups=self._family[1],
            wanted=(unit.path, wanted),
        )
        tallies = _breakdown_tallies(self.scope.cycle_ids, unit, by_answers)
        domains: dict[str, Cell] = {}
        for domain in self.domains:
            tally = tallies.get(domain.pk, EMPTY_TALLY)
            reason = decision.domains.get(domain.pk)
            domains[domain.code] = _cell(tally, reason, n=decision.responses)
        return _group_result(
            unit=unit,
            scope=self.scope,
            k=self.k,
            hidden=decision.group,
            responses=decision.responses,
            domains=domains,
            statements={},
            pulses=self.cycles_answered.get(unit.path, 0),
            asked={
                domain.code
                for domain in self.domains
                if tallies.get(domain.pk, EMPTY_TALLY).answered
            },
        )


def _tally_of(values: list[Any] | None) -> Tally:
    return EMPTY_TALLY if values is None else Tally(*values)


def _cell(
    tally: Tally, reason: Hidden | None, *, n: int | None = None, without_mean: bool = False
) -> Cell:
    """A figure as released (rounded; `n` the count shown with it), or why it is hidden; a
    statement `without_mean` shows its shares only (see `disclosure.plan.decide`)."""
    if reason is None and tally.responses:
        figures = released(tally, n=n)
        if without_mean:
            return Cell(replace(figures, mean=None, band=None), Hidden.PROTECTS_OTHERS)
        return Cell(figures)
    if reason is None and tally.answered:  # answered, but nobody enough to have a score
        return Cell(None, Hidden.FEW_SCORED)
    return Cell(None, reason or Hidden.NO_RESPONSES)


def _group_result(
    *,
    unit: Unit,
    scope: Scope,
    k: int,
    hidden: Hidden | None,
    responses: int,
    domains: dict[str, Cell],
    statements: dict[str, Cell],
    pulses: int,
    asked: set[str],
    outcomes: dict[str, Cell] | None = None,
) -> GroupResult:
    """The conditions index is the mean of the condition domains' means only: outcomes are
    never part of it (§12)."""
    index = None
    if hidden is None and asked and all(domains[code].shown for code in asked):
        index = conditions_index(
            cell.figures.mean
            for code in asked
            if (cell := domains[code]).figures and cell.figures.mean is not None
        )
    return GroupResult(
        unit=unit,
        scope=scope,
        k=k,
        responses=responses if hidden is None else None,
        domains=domains,
        statements=statements,
        index=index,
        pulses_pooled=pulses if hidden is None else None,
        hidden=hidden,
        outcomes=outcomes or {},
    )


@lru_cache(maxsize=65536)
def ancestor_paths(path: str) -> tuple[str, ...]:
    """The unit at `path` and every unit above it, top down (worked out once per path: a page
    walks every team's chain for every scope it shows)."""
    step = Unit.steplen
    return tuple(path[:end] for end in range(step, len(path) + 1, step))


def every_unit(units: Mapping[str, Unit]) -> list[Unit]:
    """Every unit of a mapping by path, in its order: made together where they are made as
    asked for (`UnitsByPath`)."""
    if isinstance(units, UnitsByPath):
        return units.every_unit()
    return list(units.values())


def viewer_nodes(units: Sequence[Unit], reach: Reach | None) -> list[tuple[int, str]]:
    """(team id, node path) for every team of the organisation: a team the viewer reaches is
    its own node; any other team is counted in the child, on the way to the viewer's units, of
    the deepest unit above them that it sits under. The viewer's figures of the units above
    their own need only those sums, and the engine never needs to tell such teams apart."""
    teams = [(unit.id, unit.path) for unit in units if unit.is_team]
    return team_nodes(teams, root_paths(units, reach))


def team_nodes(teams: Iterable[tuple[int, str]], roots: Sequence[str]) -> list[tuple[int, str]]:
    """`viewer_nodes` from each team's id and path, and the paths of the units the viewer
    reaches with everything below them."""
    step = Unit.steplen
    chain = {root[:end] for root in roots for end in range(step, len(root), step)}
    lengths = sorted({len(path) for path in chain}, reverse=True)
    reached = tuple(roots)
    # The deepest unit of the chain above a team: the chain holds units above the viewer's,
    # never a team, so it is the same for every team with the same parent, and is worked out
    # once per parent, not once per team (a leader's or team manager's pages map 3,000 teams
    # on every request).
    deepest_under: dict[str, int] = {}  # a parent's path → the length of that unit's path, or 0
    mapping = []
    for team_id, path in teams:
        if path.startswith(reached):
            mapping.append((team_id, path))
            continue
        parent = path[:-step]
        deepest = deepest_under.get(parent)
        if deepest is None:
            deepest = deepest_under[parent] = next(
                (end for end in lengths if path[:end] in chain), 0
            )
        mapping.append((team_id, path[: deepest + step] if deepest else path))
    return mapping


def table_nodes(table: UnitTable, reach: Reach | None) -> tuple[tuple[int, str], ...]:
    """`team_nodes` for the viewer of `reach` from the organisation's table of units, worked
    out once for each family of viewers (the units they reach) as long as the table stands: a
    leader's or team manager's results pages mapped 3,000 teams afresh on every request."""
    roots = tuple(root_paths_of(table.paths, reach))
    return table.derived(("team nodes", roots), lambda: tuple(team_nodes(table.teams, roots)))


def breakdown_input(cycle_ids: Iterable[int], node_of: Mapping[int, str]) -> BreakdownInput:
    """Responses, answers and responses with a domain score per node and combination of
    demographic answers (three queries)."""
    cycle_ids = list(cycle_ids)
    responses: dict[tuple[str, int, Demographics], int] = defaultdict(int)
    for team_id, cycle_id, *values, n in (
        Response.objects.filter(cycle_id__in=cycle_ids)
        .values_list("team_id", "cycle_id", *DEMOGRAPHIC_FIELDS)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        responses[(node_of[team_id], cycle_id, tuple(values))] += n
    answers: dict[tuple[str, int, Demographics, str], int] = defaultdict(int)
    for team_id, cycle_id, *values, code, n in (
        Answer.objects.filter(response__cycle_id__in=cycle_ids)
        .values_list(
            "response__team_id",
            "response__cycle_id",
            *(f"response__{name}" for name in DEMOGRAPHIC_FIELDS),
            "statement__code",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        answers[(node_of[team_id], cycle_id, tuple(values), code)] += n
    scored: dict[tuple[str, int, Demographics, Hashable], int] = defaultdict(int)
    for team_id, cycle_id, *values, domain_id, n in (
        DomainScore.objects.filter(cycle_id__in=cycle_ids, score__isnull=False)
        .values_list(
            "team_id",
            "cycle_id",
            *(f"response__{name}" for name in DEMOGRAPHIC_FIELDS),
            "domain_id",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        scored[(node_of[team_id], cycle_id, tuple(values), domain_id)] += n
    return BreakdownInput(
        responses=responses, answers=answers, fields=len(DEMOGRAPHIC_FIELDS), scored=scored
    )


def _breakdown_tallies(
    cycle_ids: Iterable[int], unit: Unit, by_answers: Mapping[str, str]
) -> dict[int, Tally]:
    """Domain tallies of one unit's responses with these demographic answers (one query)."""
    rows = (
        DomainScore.objects.filter(
            cycle_id__in=list(cycle_ids),
            team__path__startswith=unit.path,
            **by_answers,
        )
        .values("domain_id")
        .annotate(
            scored=Count("score"),
            total=Sum("score"),
            red=Sum("red"),
            amber=Sum("amber"),
            green=Sum("green"),
        )
        .order_by()
    )
    return {
        row["domain_id"]: Tally(
            responses=row["scored"] or 0,
            score_total=row["total"] or 0.0,
            red=row["red"] or 0,
            amber=row["amber"] or 0,
            green=row["green"] or 0,
        )
        for row in rows
    }


def load_domains() -> list[Domain]:
    """The working conditions (the domains of the conditions index), in order."""
    return list(Domain.objects.conditions().order_by("position"))


def load_outcomes() -> list[Domain]:
    """The outcome statements' domains (§12), in order: shown apart, never in the index."""
    return list(Domain.objects.outcomes().order_by("position"))


def statement_domain_map(cycle_ids: Iterable[int]) -> dict[str, str]:
    """Statement code → domain code for the statements these cycles asked (one query)."""
    return asked_domains(cycle_ids)[0]


def asked_domains(cycle_ids: Iterable[int]) -> tuple[dict[str, str], list[Domain]]:
    """Statement code → domain code for the statements these cycles asked, and the outcome
    domains they asked, in order (one query)."""
    asked = read_asked(cycle_ids)
    return asked.codes, asked.outcomes


@dataclass(frozen=True)
class Asked:
    """What some cycles asked (`asked_domains`), and which of them have settled, with when each
    closed (`diagnostics.settled_plans`)."""

    codes: dict[str, str]
    outcomes: list[Domain]
    settled: dict[int, str]


def read_asked(cycle_ids: Iterable[int]) -> Asked:
    """`Asked` for these cycles (one query)."""
    rows = (
        CycleStatement.objects.filter(cycle_id__in=list(cycle_ids))
        .values_list(
            "cycle_id",
            "cycle__status",
            "cycle__closed_at",
            "statement__code",
            "statement__domain_id",
            "statement__domain__code",
            "statement__domain__name",
            "statement__domain__description",
            "statement__domain__position",
            "statement__domain__kind",
            "statement__domain__driver_phrase",
        )
        .order_by()
    )
    codes: dict[str, str] = {}
    outcomes: dict[int, Domain] = {}
    settled: dict[int, str] = {}
    checked: set[int] = set()
    now = timezone.now()
    for row in rows:
        cycle_id, status, closed_at, code, pk, domain_code, name, description, position = row[:9]
        kind, phrase = row[9:]
        codes[code] = domain_code
        if cycle_id not in checked:
            checked.add(cycle_id)
            since = settled_plans.settled_since(status=status, closed_at=closed_at, now=now)
            if since is not None:
                settled[cycle_id] = since
        if kind == Domain.Kind.OUTCOME and pk not in outcomes:
            outcomes[pk] = Domain(
                pk=pk,
                code=domain_code,
                name=name,
                description=description,
                position=position,
                kind=kind,
                driver_phrase=phrase,
            )
    return Asked(codes, sorted(outcomes.values(), key=lambda d: d.position), settled)


def aggregate(
    cycle_ids: Iterable[int], *, units: Sequence[Unit], reach: Reach | None
) -> Aggregates:
    """The tallies a viewer's results are decided and computed from, read in full for these
    cycles (five grouped queries, one row per node, cycle and domain or statement)."""
    ordered = sorted(set(cycle_ids))
    found = Aggregates(viewer_nodes(units, reach))
    for kind in TABLES:
        found.need(kind, ordered)
    return found


@dataclass(frozen=True)
class Source:
    """What several calls of one request can share: the organisation's units, and the
    tallies read for one viewer (each table read once per cycle)."""

    # The units by path, shared by every scope's results (read-only).
    by_path: Mapping[str, Unit]
    reach: Reach | None
    aggregates: Aggregates

    @cached_property
    def units(self) -> list[Unit]:
        """Every unit of the organisation, in tree order (made when first asked for: a page
        that shows a few units makes only those, through `by_path`)."""
        return every_unit(self.by_path)

    @classmethod
    def of(cls, organisation: Organisation, *, reach: Reach | None) -> Source:
        return cls.of_table(
            unit_table(organisation_id=organisation.pk, using=Unit.objects.db), reach=reach
        )

    @classmethod
    def of_table(cls, table: UnitTable, *, reach: Reach | None) -> Source:
        """From the organisation's table of units (`unit_table`), read already."""
        return cls(
            UnitsByPath(table, db=Unit.objects.db), reach, Aggregates(table_nodes(table, reach))
        )

    @classmethod
    def of_units(cls, units: Sequence[Unit], *, reach: Reach | None) -> Source:
        """From units the caller has made already."""
        return cls(
            {unit.path: unit for unit in units}, reach, Aggregates(viewer_nodes(units, reach))
        )


def remember_unit_sums(organisation: Organisation, *, reach: Reach) -> int:
    """Sum every unit above the teams (the organisation's included) for each settled cycle of
    the organisation, and remember the sums across requests (`Aggregates.sum_units`): domain
    and statement tallies, and the distinct numbers of a domain's statements a response
    answered. `reach` must see the whole organisation (an org admin's). Nothing is decided or
    released: a viewer's page still decides what it shows from them. A team manager's plans
    take the counts of every unit outside their reach from these (`Aggregates._read_answered`,
    `_read_answer_counts`), and a team's dashboard its ancestors' figures. One query per
    cycle and kind. Returns how many settled cycles were summed."""
    units = load_units(organisation)
    mapping = viewer_nodes(units, reach)
    path_of = {unit.pk: unit.path for unit in units if unit.is_team}
    if any(node != path_of[team] for team, node in mapping):
        raise ValueError("Unit sums are worked out as a viewer who sees every team.")
    settled = _Batch(
        Cycle.objects.filter(organisation=organisation).values_list("pk", flat=True)
    ).settled
    chunks = _units_in_chunks([unit.path for unit in units if not unit.is_team], path_of.values())
    for cycle_id, closed_at in sorted(settled.items()):
        aggregates = Aggregates(mapping)  # one cycle's sums held at a time
        for kind in ("domains", "statements", "answer_counts"):
            for paths in chunks:
                aggregates.sum_units(kind, paths, [cycle_id], settled={cycle_id: closed_at})
    return len(settled)


# Teams joined to a unit they sit under, per query of `remember_unit_sums`: two parameters
# each, inside SQLite's 32,766 (PostgreSQL has no such limit, and sums them as fast either way).
TEAMS_PER_SUM = 10_000


def _units_in_chunks(paths: Sequence[str], team_paths: Iterable[str]) -> list[list[str]]:
    """The units in order, in runs whose teams (each counted once for every unit of the run it
    sits under) number at most `TEAMS_PER_SUM`, or one unit alone where it has more."""
    teams_under: dict[str, int] = defaultdict(int)
    for team_path in team_paths:
        for path in ancestor_paths(team_path)[:-1]:
            teams_under[path] += 1
    chunks: list[list[str]] = []
    teams = 0
    for path in paths:
        # The organisation is summed whole, with no team named (`Aggregates.sum_units`).
        weight = teams_under[path] if len(path) > Unit.steplen else 0
        if not chunks or teams + weight > TEAMS_PER_SUM:
            chunks.append([])
            teams = 0
        chunks[-1].append(path)
        teams += weight
    return chunks


def results_for_scopes(
    organisation: Organisation,
    scopes: Sequence[Scope],
    *,
    reach: Reach | None,
    with_statements: bool = False,
    statements_for: Scope | None = None,
    units: Sequence[Unit] | None = None,
    domains: Sequence[Domain] | None = None,
    source: Source | None = None,
) -> list[OrganisationResults]:
    """One viewer's results for several scopes, from one set of grouped queries per table.

    `reach` is the viewer's (None: the command line, which sees the whole organisation as an
    org admin does). The engine reads each response's statement answers for every domain
    decision, because every domain figure covers its statements' answers; `with_statements`
    also decides and shows statement figures (for `statements_for` only, when given), and only
    then are statement tallies read. `source`: units and tallies already read in this request
    for the same viewer (its units are used, and `units` ignored).
    The database returns one row per team (or per bucket of teams outside the viewer's reach),
    cycle and domain or statement, whatever the page.
    """
    if source is not None and source.reach is not reach:
        raise ValueError("The source was read for another viewer.")
    if source is None:
        if units is None:
            source = Source.of(organisation, reach=reach)
        else:
            source = Source.of_units(units, reach=reach)
    batch = _Batch(set().union(*(scope.cycle_ids for scope in scopes)) if scopes else set())
    domains = list(domains) if domains is not None else load_domains()
    return [
        OrganisationResults(
            organisation=organisation,
            units=source.by_path,
            domains=domains,
            scope=scope,
            aggregates=source.aggregates,
            reach=reach,
            with_statements=with_statements
            and (statements_for is None or scope.key == statements_for.key),
            batch=batch,
        )
        for scope in scopes
    ]
