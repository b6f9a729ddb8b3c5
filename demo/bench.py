"""Benchmark data: a county council of 300 teams and about 6,000 staff, with 6 full cycles and
24 pulses, about 1.5 million answers, loaded with PostgreSQL's COPY in a few minutes.

Every response's rows come from `diagnostics.tallies.response_rows`, the same function the
submission service stores through, and the tallies are the sums of those rows, so the data is
exactly what 100,000 staff submissions would have stored (`check_tallies` confirms the sums).
Cycles, teams and pulse rotation are made through the ordinary services.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from accounts.models import User
from demo.teardown import delete_organisation_data
from diagnostics.codes import hash_code, spent_key
from diagnostics.models import (
    Answer,
    Cycle,
    DomainScore,
    StructuralFigures,
    random_response_id,
)
from diagnostics.scoring import AMBER, GREEN, RED, answer_band
from diagnostics.selectors import latest_version_for, survey_statements
from diagnostics.services import close_cycle, create_cycle, open_cycle
from diagnostics.tallies import NOT_APPLICABLE, StatementInfo, response_rows
from organisations.models import Organisation, Role, Unit
from organisations.selectors import root_of
from organisations.services import add_unit, create_organisation, grant_membership

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


def _log(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY rows into a table in chunks; returns how many were written."""
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's cursor, for copy_expert
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"

        def flush() -> None:
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
            buffer.seek(0)
            buffer.truncate()

        for row in rows:
            writer.writerow(["\\N" if value is None else value for value in row])
            written += 1
            if written % 200_000 == 0:
                flush()
        flush()
    return written


def _next_id(model: type[Any]) -> int:
    with connection.cursor() as cursor:
        table = model._meta.db_table
        # Table names come from the models, never from input.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608  # nosec B608
        value: int = cursor.fetchone()[0]
        return value


def _reset_sequence(model: type[Any]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Table names come from the models, never from input.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def build_structure(size: BenchSize) -> tuple[Organisation, list[Unit], dict[str, User]]:
    existing = Organisation.objects.filter(slug=BENCH_SLUG).first()
    if existing is not None:
        delete_organisation_data(existing)
    organisation = create_organisation(name="Shire County Council", slug=BENCH_SLUG)
    root = root_of(organisation)
    teams: list[Unit] = []
    first_directorate = None
    for d in range(size.directorates):
        directorate = add_unit(parent=root, name=f"Directorate {d + 1}", is_team=False)
        first_directorate = first_directorate or directorate
        for s in range(size.services):
            service = add_unit(parent=directorate, name=f"Service {d + 1}.{s + 1}", is_team=False)
            for t in range(size.teams):
                teams.append(
                    add_unit(parent=service, name=f"Team {d + 1}.{s + 1}.{t + 1}", is_team=True)
                )
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
        close_cycle(cycle=cycle)
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
    cycles: Sequence[Cycle], teams: Sequence[Unit], size: BenchSize, *, seed: int = 300
) -> Iterator[tuple[Cycle, Unit, date, dict[str, int], bool]]:
    """(cycle, team, submitted on, answers, responded) for every invited person."""
    rng = random.Random(seed)
    pressures = {team.pk: rng.random() for team in teams}
    for cycle in cycles:
        statements = survey_statements(cycle)
        rate = size.full_rate if cycle.kind == Cycle.Kind.FULL else size.pulse_rate
        span = (cycle.closes_on - cycle.opens_on).days
        for team in teams:
            for _ in range(size.headcount):
                responded = rng.random() < rate
                if not responded:
                    yield cycle, team, cycle.opens_on, {}, False
                    continue
                day = cycle.opens_on + timedelta(days=rng.randint(0, span))
                yield cycle, team, day, _answers(rng, statements, pressures[team.pk]), True


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
    answer_id = _next_id(Answer)
    score_id = _next_id(DomainScore)
    responses, answers, scores, invites, spent = [], [], [], [], []
    team_tally: dict[tuple[int, int], int] = defaultdict(int)
    domain_tally: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0, 0])
    statement_tally: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    salt = random.Random(7).getrandbits(64)
    for index, (cycle, team, day, given, responded) in enumerate(generate(cycles, teams, size)):
        code = f"{salt}{index}"  # stands in for a code: letters and digits, one per invite
        invites.append((cycle.pk, team.pk, hash_code(code)))
        if not responded:
            continue
        spent.append((spent_key(code),))
        response_id = random_response_id()
        answer_rows, domain_rows = response_rows(infos_by_cycle[cycle.pk], given)
        responses.append((response_id, cycle.pk, team.pk, day.isoformat(), "", "", ""))
        for answer in answer_rows:
            answers.append(
                (answer_id, response_id, answer.statement_id, answer.value, answer.score)
            )
            answer_id += 1
            counts = statement_tally[(cycle.pk, team.pk, answer.statement_id)]
            band = answer_band(answer.score)
            counts[0] += 1
            counts[1] += answer.score
            counts[2] += band == RED
            counts[3] += band == AMBER
            counts[4] += band == GREEN
        for row in domain_rows:
            scores.append(
                (
                    score_id,
                    response_id,
                    row.domain_id,
                    cycle.pk,
                    team.pk,
                    day.isoformat(),
                    row.score,
                    row.red,
                    row.amber,
                    row.green,
                )
            )
            score_id += 1
            tally = domain_tally[(cycle.pk, team.pk, row.domain_id)]
            tally[0] += row.score is not None
            tally[1] += row.score or 0.0
            tally[2] += row.red
            tally[3] += row.amber
            tally[4] += row.green
        team_tally[(cycle.pk, team.pk)] += 1
    _log(f"generated {len(responses):,} responses and {len(answers):,} answers", started)

    copied = {
        "invites": _copy("diagnostics_invite", ["cycle_id", "team_id", "code_hash"], invites),
        # Sorted, as the keys' own order: the spent codes' order says nothing of the invites'.
        "spent codes": _copy("diagnostics_spentcode", ["key"], sorted(spent)),
        "responses": _copy(
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
            responses,
        ),
        "answers": _copy(
            "diagnostics_answer", ["id", "response_id", "statement_id", "value", "score"], answers
        ),
        "domain scores": _copy(
            "diagnostics_domainscore",
            [
                "id",
                "response_id",
                "domain_id",
                "cycle_id",
                "team_id",
                "submitted_on",
                "score",
                "red",
                "amber",
                "green",
            ],
            scores,
        ),
    }
    _log(f"copied {copied['answers']:,} answers", started)
    _copy(
        "diagnostics_teamtally",
        ["cycle_id", "team_id", "responses"],
        ((*k, v) for k, v in team_tally.items()),
    )
    _copy(
        "diagnostics_domaintally",
        ["cycle_id", "team_id", "domain_id", "scored", "score_total", "red", "amber", "green"],
        ((*k, *v) for k, v in domain_tally.items()),
    )
    _copy(
        "diagnostics_statementtally",
        ["cycle_id", "team_id", "statement_id", "answered", "score_total", "red", "amber", "green"],
        ((*k, *v) for k, v in statement_tally.items()),
    )
    for model in (Answer, DomainScore):
        _reset_sequence(model)
    return copied


def record_figures(cycles: Sequence[Cycle], teams: Sequence[Unit]) -> None:
    rng = random.Random(11)
    StructuralFigures.objects.bulk_create(
        StructuralFigures(
            cycle=cycle,
            team=team,
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
    record_figures(cycles, teams)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _log("analysed", started)
    counts["teams"] = len(teams)
    counts["cycles"] = len(cycles)
    counts["seconds"] = round(time.monotonic() - started)
    return counts
