"""Benchmark data: a county council of 300 teams and about 6,000 staff, with 6 full cycles and
24 pulses, about 1.7 million answers, loaded with PostgreSQL's COPY in a few minutes; `scale`
times as many teams (3,000 and about 17 million answers at 10) in the same cycles.

Every response's rows come from `diagnostics.tallies.response_rows`, the same function the
submission service stores through, and the tallies are the sums of those rows, recounted in SQL
as `check_tallies` recounts them, so the data is exactly what the staff submissions would have
stored. Cycles and pulse rotation are made through the ordinary services.

Rows are generated and sent in chunks, so memory stays bounded at any scale; the bulk tables'
secondary indexes and constraints are dropped for the load and built again once at the end (a
sort each, instead of millions of random inserts into B-trees), all in one transaction.
"""

from __future__ import annotations

import io
import math
import random
import secrets
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from accounts.models import User
from demo.responses import after_closing_day
from demo.teardown import delete_organisation_data
from diagnostics.codes import hash_code, spent_key
from diagnostics.models import (
    Answer,
    Cycle,
    CycleTeam,
    DomainScore,
    DomainTally,
    Invite,
    Response,
    SpentCode,
    StatementTally,
    StructuralFigures,
    TeamTally,
    random_response_id,
)
from diagnostics.selectors import latest_version_for, survey_statements
from diagnostics.services import (
    ANSWER_COLUMNS,
    DOMAIN_SCORE_COLUMNS,
    close_cycle,
    create_cycle,
    open_cycle,
)
from diagnostics.tallies import NOT_APPLICABLE, StatementInfo, rebuild_tallies, response_rows
from organisations.models import Membership, Organisation, Role, Unit
from organisations.selectors import root_of
from organisations.services import create_organisation, grant_membership

BENCH_SLUG = "bench"
# A published sign-in for the benchmark organisation on a developer's own database.
BENCH_PASSWORD = "sword-bench-2026"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class BenchSize:
    directorates: int = 3
    services: int = 10  # per directorate
    teams: int = 10  # per service
    headcount: int = 20  # staff per team
    full_cycles: int = 6
    pulses: int = 24
    full_rate: float = 0.55
    pulse_rate: float = 0.40

    def scaled(self, scale: int) -> BenchSize:
        """`scale` times the teams, in the same cycles: the factor split between directorates
        and services (10 gives 6 directorates of 50 services, 3,000 teams), so the tree keeps
        its shape, ten teams to a service, rather than growing one level only."""
        if scale < 1:
            raise ValueError("The scale is a whole number from 1.")
        more_directorates = max(d for d in range(1, math.isqrt(scale) + 1) if scale % d == 0)
        return replace(
            self,
            directorates=self.directorates * more_directorates,
            services=self.services * (scale // more_directorates),
        )


def _log(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def build_structure(size: BenchSize) -> tuple[Organisation, list[Unit], dict[str, User]]:
    existing = Organisation.objects.filter(slug=BENCH_SLUG).first()
    if existing is not None:
        delete_organisation_data(existing)
    organisation = create_organisation(name="Shire County Council", slug=BENCH_SLUG)
    root = root_of(organisation)
    directorates = _add_children([root], size.directorates, "Directorate")
    services = _add_children(directorates, size.services, "Service")
    teams = _add_children(services, size.teams, "Team", is_team=True)
    first_directorate = directorates[0]
    users = {}
    for key, unit, role in (
        ("admin", root, Role.ORG_ADMIN),
        ("leader", first_directorate, Role.LEADER),
        ("manager", teams[0], Role.TEAM_MANAGER),
    ):
        assert unit is not None
        email = f"{key}@bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=BENCH_PASSWORD, display_name=f"Bench {key}"
        )
        grant_membership(user=user, unit=unit, role=role)
        users[key] = user
    return organisation, teams, users


def _add_children(
    parents: Sequence[Unit], count: int, kind: str, *, is_team: bool = False
) -> list[Unit]:
    """`count` children under each parent, all in one INSERT, with the paths and child counts
    that adding them one by one through `add_unit` gives ("Team 2.3.4" is the fourth team of
    the third service of the second directorate)."""
    children = []
    for parent in parents:
        # "Service 2.3" numbers its teams "2.3.1", "2.3.2"...; the organisation adds nothing.
        prefix = parent.name.split(" ", 1)[1] + "." if parent.depth > 1 else ""
        for step in range(1, count + 1):
            children.append(
                Unit(
                    organisation_id=parent.organisation_id,
                    name=f"{kind} {prefix}{step}",
                    is_team=is_team,
                    depth=parent.depth + 1,
                    path=Unit._get_path(parent.path, parent.depth + 1, step),
                    numchild=0,
                )
            )
    created = Unit.objects.bulk_create(children)
    Unit.objects.filter(pk__in=[parent.pk for parent in parents]).update(numchild=count)
    return created


def build_cycles(organisation: Organisation, size: BenchSize, *, today: date) -> list[Cycle]:
    """Full diagnostics every six months with monthly pulses between them, all in the past
    except the newest pulse."""
    root = root_of(organisation)
    instrument = latest_version_for(organisation)
    start = today - timedelta(days=30 * (size.full_cycles * 6))
    cycles = []
    pulses_left = size.pulses
    for f in range(size.full_cycles):
        opens = start + timedelta(days=180 * f)
        cycles.append(
            _cycle(root, Cycle.Kind.FULL, f"Full diagnostic {f + 1}", opens, 21, instrument, today)
        )
        between = min(pulses_left, max(0, round(size.pulses / size.full_cycles)))
        for p in range(between):
            pulse_opens = opens + timedelta(days=40 + 30 * p)
            cycles.append(
                _cycle(
                    root,
                    Cycle.Kind.PULSE,
                    f"Pulse {pulse_opens:%B %Y}",
                    pulse_opens,
                    10,
                    instrument,
                    today,
                )
            )
        pulses_left -= between
    return cycles


def _cycle(
    root: Unit, kind: str, name: str, opens: date, days: int, instrument: Any, today: date
) -> Cycle:
    cycle = create_cycle(
        unit=root,
        kind=kind,
        instrument=instrument,
        name=name,
        opens_on=opens,
        closes_on=opens + timedelta(days=days),
        created_by=None,
    )
    open_cycle(cycle=cycle, today=opens)
    if cycle.closes_on < today:
        close_cycle(cycle=cycle, closed_at=after_closing_day(cycle))
    return cycle


DOMAIN_BASE = {
    "WL": 2.6,
    "SUP": 1.8,
    "SAF": 1.4,
    "SYS": 0.6,
    "SB": 1.0,
    "APP": 1.3,
    "LRN": 1.3,
    "MIS": 0.8,
    "WB": 2.4,
    # The outcome statements of the built-in version with outcomes: fewer intend to stay, and
    # fewer recommend the organisation, in teams under more pressure.
    "STAY": 1.9,
    "REC": 1.5,
}


def _answers(rng: random.Random, statements: Sequence[Any], pressure: float) -> dict[str, int]:
    person = rng.gauss(0, 0.6)
    answers = {}
    for statement in statements:
        if rng.random() < 0.03:
            answers[statement.code] = NOT_APPLICABLE
            continue
        typical = 4.9 - DOMAIN_BASE[statement.domain_code] * pressure + person
        score = max(1, min(6, round(typical + rng.gauss(0, 0.8))))
        answers[statement.code] = 7 - score if statement.reverse_scored else score
    return answers


def generate(
    cycles: Sequence[Cycle],
    teams: Sequence[Unit],
    size: BenchSize,
    statements: Mapping[int, Sequence[Any]],
    *,
    seed: int = 300,
) -> Iterator[tuple[Cycle, Unit, date, dict[str, int], bool]]:
    """(cycle, team, submitted on, answers, responded) for every invited person, given each
    cycle's statements (read before, so generating asks the database nothing)."""
    rng = random.Random(seed)
    pressures = {team.pk: rng.random() for team in teams}
    for cycle in cycles:
        asked = statements[cycle.pk]
        rate = size.full_rate if cycle.kind == Cycle.Kind.FULL else size.pulse_rate
        span = (cycle.closes_on - cycle.opens_on).days
        for team in teams:
            for _ in range(size.headcount):
                responded = rng.random() < rate
                if not responded:
                    yield cycle, team, cycle.opens_on, {}, False
                    continue
                day = cycle.opens_on + timedelta(days=rng.randint(0, span))
                yield cycle, team, day, _answers(rng, asked, pressures[team.pk]), True


# Rows of the largest table sent per COPY: about 10 MB of text, so memory stays bounded.
CHUNK_ROWS = 200_000
# Tables loaded in bulk: their secondary indexes and constraints are built after the load.
BULK_MODELS = (
    Invite,
    SpentCode,
    Response,
    Answer,
    DomainScore,
    TeamTally,
    DomainTally,
    StatementTally,
)


class _Copier:
    """COPY in text format, each chunk sent from one background thread while the caller
    generates the next (psycopg2 lets go of the GIL while PostgreSQL reads), so Python and the
    database work at once on two cores. At most two chunks wait, so memory stays bounded."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self._raw = connection.connection  # psycopg2's connection, in Django's transaction
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: deque[Future[None]] = deque()

    def send(self, table: str, columns: Sequence[str], lines: list[str]) -> None:
        if not lines:
            return
        while len(self._pending) >= 2:
            self._pending.popleft().result()
        text = "".join(lines)
        lines.clear()
        self._pending.append(self._pool.submit(self._copy, table, columns, text))

    def _copy(self, table: str, columns: Sequence[str], text: str) -> None:
        with self._raw.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text), size=1 << 20
            )

    def finish(self) -> None:
        """Wait for every chunk (before the caller uses the connection itself again)."""
        while self._pending:
            self._pending.popleft().result()
        self._pool.shutdown()


def _without_indexes(models: Sequence[type[Any]]) -> list[str]:
    """Drop the tables' secondary indexes and their unique and foreign-key constraints (their
    primary keys stay); returns the statements that put them back as they were."""
    tables = [model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
            "ORDER BY contype, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
            "  AND c.conrelid = i.indrelid) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        # Checks still deferred (of rows written earlier in this transaction, as in a test)
        # are run now: PostgreSQL alters no table while it has checks waiting.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Foreign keys ('f') first, so no unique key is dropped while one leans on it.
        for table, name, _kind, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    unique = [c for c in constraints if c[2] == "u"]
    foreign = [c for c in constraints if c[2] == "f"]
    return (
        [definition for _name, definition in indexes]
        + [f"ALTER TABLE {t} ADD CONSTRAINT {quote(n)} {d}" for t, n, _k, d in unique]
        + [f"ALTER TABLE {t} ADD CONSTRAINT {quote(n)} {d}" for t, n, _k, d in foreign]
    )


def _text(value: Any) -> str:
    return "\\N" if value is None else str(value)


@transaction.atomic
def load(
    cycles: Sequence[Cycle], teams: Sequence[Unit], size: BenchSize, started: float
) -> dict[str, int]:
    infos_by_cycle = {
        cycle.pk: [
            StatementInfo(
                row.statement.pk,
                row.statement.code,
                row.statement.domain_id,
                row.statement.reverse_scored,
            )
            for row in cycle.cycle_statements.select_related("statement")
        ]
        for cycle in cycles
    }
    statements = {cycle.pk: survey_statements(cycle) for cycle in cycles}
    with connection.cursor() as cursor:
        # Room to sort each index in memory once, and to hash the tallies' recount.
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("CREATE TEMPORARY TABLE bench_spent (key varchar(64)) ON COMMIT DROP")
    restore = _without_indexes(BULK_MODELS)
    _log(f"dropped {len(restore)} indexes and constraints for the load", started)

    counts = {"invites": 0, "spent codes": 0, "responses": 0, "answers": 0, "domain scores": 0}
    tables = {
        "invites": ("diagnostics_invite", ["cycle_id", "team_id", "code_hash"]),
        "spent codes": ("bench_spent", ["key"]),
        "responses": (
            "diagnostics_response",
            [
                "id",
                "cycle_id",
                "team_id",
                "submitted_on",
                "role_group",
                "service_length",
                "working_pattern",
            ],
        ),
        # Answers and domain scores take their ids from the tables' own sequences, as a
        # submission's rows do.
        "answers": ("diagnostics_answer", list(ANSWER_COLUMNS)),
        "domain scores": ("diagnostics_domainscore", list(DOMAIN_SCORE_COLUMNS)),
    }
    lines: dict[str, list[str]] = {name: [] for name in tables}
    invites, spent, responses, answers, scores = (lines[name] for name in tables)
    copier = _Copier()

    def send_all() -> None:
        for name, (table, columns) in tables.items():
            counts[name] += len(lines[name])
            copier.send(table, columns, lines[name])

    salt = random.Random(7).getrandbits(64)
    generated = generate(cycles, teams, size, statements)
    for index, (cycle, team, day, given, responded) in enumerate(generated):
        code = f"{salt}{index}"  # stands in for a code: letters and digits, one per invite
        invites.append(f"{cycle.pk}\t{team.pk}\t{hash_code(code)}\n")
        if not responded:
            continue
        spent.append(f"{spent_key(code)}\n")
        response_id = random_response_id()
        answer_rows, domain_rows = response_rows(infos_by_cycle[cycle.pk], given)
        on = day.isoformat()
        responses.append(f"{response_id}\t{cycle.pk}\t{team.pk}\t{on}\t\t\t\n")
        answers.extend(
            f"{response_id}\t{a.statement_id}\t{a.value}\t{a.score}\n" for a in answer_rows
        )
        scores.extend(
            f"{response_id}\t{d.domain_id}\t{cycle.pk}\t{team.pk}\t{on}\t{_text(d.score)}\t"
            f"{d.red}\t{d.amber}\t{d.green}\n"
            for d in domain_rows
        )
        if len(answers) >= CHUNK_ROWS:
            send_all()
            if counts["answers"] % (10 * CHUNK_ROWS) < CHUNK_ROWS:
                _log(f"{counts['answers']:,} answers", started)
    send_all()
    copier.finish()
    _log(f"copied {counts['responses']:,} responses and {counts['answers']:,} answers", started)

    with connection.cursor() as cursor:
        # Sorted, as the keys' own order: the spent codes' order says nothing of the invites'.
        # The codes are the same at every build, and a rebuild finds the last build's keys.
        cursor.execute(
            f"INSERT INTO {SpentCode._meta.db_table} (key) "  # noqa: S608  # nosec B608
            "SELECT key FROM bench_spent ORDER BY key ON CONFLICT (key) DO NOTHING"
        )
    rebuild_tallies(cycle_ids=[cycle.pk for cycle in cycles])
    _log("tallies recounted from the rows", started)
    with connection.cursor() as cursor:
        for statement in restore:
            cursor.execute(statement)
    _log("indexes and constraints built again", started)
    return counts


def record_figures(cycles: Sequence[Cycle], teams: Sequence[Unit], *, headcount: int) -> None:
    """Every team's figures for each full diagnostic, with its headcount (which, like its codes,
    bounds its responses: `results.bound_read`)."""
    rng = random.Random(11)
    StructuralFigures.objects.bulk_create(
        StructuralFigures(
            cycle=cycle,
            team=team,
            headcount=headcount,
            caseload=Decimal(f"{rng.uniform(10, 30):.1f}"),
            vacancy_rate=Decimal(f"{rng.uniform(0, 35):.1f}"),
            agency_share=Decimal(f"{rng.uniform(0, 30):.1f}"),
            supervision_held=Decimal(f"{rng.uniform(50, 100):.1f}"),
            turnover=Decimal(f"{rng.uniform(3, 30):.1f}"),
            sickness_days=Decimal(f"{rng.uniform(4, 16):.1f}"),
            incidents=Decimal(f"{rng.uniform(0, 5):.1f}"),
            recording_hours=Decimal(f"{rng.uniform(8, 20):.1f}"),
        )
        for cycle in cycles
        if cycle.kind == Cycle.Kind.FULL
        for team in teams
    )
    # As `store_bounding_headcounts` fixes them when a team answers: each cycle's own, else the
    # latest full diagnostic's that closed before it opened (every team answers every one here).
    full = sorted((c for c in cycles if c.kind == Cycle.Kind.FULL), key=lambda c: c.closes_on)
    for cycle in cycles:
        before = [c for c in full if c.closes_on < cycle.opens_on]
        source = cycle if cycle.kind == Cycle.Kind.FULL else (before[-1] if before else None)
        if source is not None:
            CycleTeam.objects.filter(cycle=cycle).update(headcount=headcount, headcount_from=source)


def build_people_actions_and_issues(
    organisation: Organisation, teams: Sequence[Unit], cycles: Sequence[Cycle], *, today: date
) -> dict[str, int]:
    """What a council of this size has besides its answers, so that its people, actions and
    voice pages are timed at scale too (`scripts/bench_scales --every-page`): a manager for
    every team and a leader for every service (the three named sign-ins stay as they are),
    one action per team from the newest full diagnostic, and a voice board per team with one
    issue, every third one answered. Written in bulk, as a council's years of use would have
    left them; nobody signs in as the added people (their passwords are unusable)."""
    from django.contrib.auth.hashers import make_password

    from actions.models import Action
    from diagnostics.models import Domain
    from voice.models import VoiceBoard, VoiceIssue

    services = list(
        Unit.objects.filter(organisation=organisation, depth=3, is_team=False).order_by("path")
    )
    managed = set(
        Membership.objects.filter(organisation=organisation).values_list("unit", flat=True)
    )
    wanted = {
        f"{unit.name.lower().replace(' ', '-')}@bench.example": (unit, role)
        for units, role in ((teams, Role.TEAM_MANAGER), (services, Role.LEADER))
        for unit in units
        if unit.pk not in managed
    }
    known = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        User(email=email, display_name=unit.name + " lead", password=unusable)
        for email, (unit, _role) in wanted.items()
        if email not in known
    )
    people = dict(User.objects.filter(email__in=wanted).values_list("email", "pk"))
    Membership.objects.bulk_create(
        Membership(user_id=people[email], organisation=organisation, unit=unit, role=role)
        for email, (unit, role) in wanted.items()
    )
    owner_of = dict(
        Membership.objects.filter(organisation=organisation, unit__in=teams).values_list(
            "unit", "user"
        )
    )

    rng = random.Random(17)
    newest_full = max(
        (cycle for cycle in cycles if cycle.kind == Cycle.Kind.FULL), key=lambda c: c.opens_on
    )
    domains = list(Domain.objects.conditions().order_by("pk"))
    statuses = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE]
    Action.objects.bulk_create(
        Action(
            organisation=organisation,
            unit=team,
            domain=domains[number % len(domains)],
            cycle=newest_full,
            title=f"Act on {domains[number % len(domains)].name.lower()} in {team.name}",
            owner_id=owner_of[team.pk],
            created_by_id=owner_of[team.pk],
            due_on=today + timedelta(days=rng.randint(-60, 120)),
            status=statuses[number % len(statuses)],
        )
        for number, team in enumerate(teams)
    )
    boards = VoiceBoard.objects.bulk_create(
        VoiceBoard(team=team, token=secrets.token_urlsafe(24)) for team in teams
    )
    categories = list(VoiceIssue.Category.values)
    VoiceIssue.objects.bulk_create(
        VoiceIssue(
            board=board,
            organisation=organisation,
            category=categories[number % len(categories)],
            text="Duty weeks leave no time for visits or recording.",
            raised_on=today - timedelta(days=rng.randint(1, 90)),
            support_count=rng.randint(0, 12),
            status=VoiceIssue.Status.HEARD if number % 3 == 0 else VoiceIssue.Status.NEW,
            answer="We have asked for a second duty worker." if number % 3 == 0 else "",
            answered_by_id=owner_of[board.team_id] if number % 3 == 0 else None,
            answered_on=today if number % 3 == 0 else None,
        )
        for number, board in enumerate(boards)
    )
    return {"people": len(wanted), "actions": len(teams), "voice_issues": len(boards)}


def build(size: BenchSize | None = None, *, today: date | None = None) -> dict[str, int]:
    if connection.vendor != "postgresql":
        raise RuntimeError(
            "The benchmark data is loaded with COPY: point DATABASE_URL at PostgreSQL."
        )
    from django.utils import timezone

    size = size or BenchSize()
    today = today or timezone.localdate()
    started = time.monotonic()
    organisation, teams, _users = build_structure(size)
    _log(f"{len(teams)} teams in {organisation.name}", started)
    cycles = build_cycles(organisation, size, today=today)
    _log(f"{len(cycles)} cycles", started)
    counts = load(cycles, teams, size, started)
    record_figures(cycles, teams, headcount=size.headcount)
    counts.update(build_people_actions_and_issues(organisation, teams, cycles, today=today))
    _log(
        f"{counts['people']:,} people, {counts['actions']:,} actions, "
        f"{counts['voice_issues']:,} voice issues",
        started,
    )
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:  # VACUUM cannot run inside a transaction (tests)
            # As autovacuum would in time, so pages are timed on settled tables, not while it
            # runs. Table names come from the models.
            tables = ", ".join(model._meta.db_table for model in BULK_MODELS)
            cursor.execute(f"VACUUM (ANALYZE) {tables}")
        cursor.execute("ANALYZE")
    _log("vacuumed and analysed", started)
    counts["teams"] = len(teams)
    counts["cycles"] = len(cycles)
    counts["seconds"] = round(time.monotonic() - started)
    return counts
