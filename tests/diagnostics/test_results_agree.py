"""The SQL path (aggregation in the database) and the pure scoring functions agree on every
figure, for random responses."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics.models import DomainTally, Response, StatementTally, TeamTally
from diagnostics.pooling import cycle_scope
from diagnostics.results import results_for_scopes
from diagnostics.scoring import (
    EMPTY_TALLY,
    conditions_index,
    figures_of,
    score_of,
    tally_domain,
    tally_statement,
)
from diagnostics.selectors import statement_infos
from diagnostics.services import store_answers
from diagnostics.tallies import tally_differences

ANSWER = st.one_of(st.none(), st.integers(min_value=1, max_value=6))


@pytest.fixture
def cycle(world, make_cycle):
    return make_cycle(unit=world.units["Children's Services"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_computes_the_same_figures_in_sql_and_in_python(world, cycle, data):
    infos = statement_infos(cycle)
    statements = {info.code: info for info in infos}
    codes = sorted(statements)
    teams = [world.team_a, world.team_b, world.team_c]
    raw: dict[int, list[dict[str, int]]] = defaultdict(list)
    Response.objects.filter(cycle=cycle).delete()
    for tally in (TeamTally, DomainTally, StatementTally):
        tally.objects.filter(cycle=cycle).delete()
    for team in teams:
        count = data.draw(st.integers(min_value=0, max_value=6), label=f"responses in {team.name}")
        for _ in range(count):
            answers = {
                code: value
                for code in codes
                if (value := data.draw(ANSWER, label=code)) is not None
            }
            response = Response.objects.create(
                cycle=cycle, team=team, submitted_on=timezone.localdate()
            )
            store_answers(response=response, statements=infos, answers=answers)
            raw[team.pk].append(answers)

    assert tally_differences() == []
    (results,) = results_for_scopes(
        world.organisation, [cycle_scope(cycle)], reach=None, with_statements=True
    )
    domains = results.domains
    per_domain_count: dict[int, int] = defaultdict(int)
    for statement in statements.values():
        per_domain_count[statement.domain_id] += 1

    groups = {
        world.team_a.path: [world.team_a],
        world.team_b.path: [world.team_b],
        world.team_c.path: [world.team_c],
        world.north.path: [world.team_a, world.team_b],
        world.units["Children's Services"].path: teams,
        world.root.path: teams,
    }
    for path, members in groups.items():
        responses = [answers for team in members for answers in raw[team.pk]]
        assert results.response_counts.get(path, 0) == len(responses)
        sql_means: list[float] = []
        pure_means: list[float] = []
        for domain in domains:
            scores = [
                [
                    score_of(value, reverse_scored=statements[code].reverse_scored)
                    for code, value in answers.items()
                    if statements[code].domain_id == domain.pk
                ]
                for answers in responses
            ]
            pure = figures_of(tally_domain(scores, statements_in_form=per_domain_count[domain.pk]))
            sql = figures_of(results.domain_tallies.get((path, domain.pk), EMPTY_TALLY))
            assert sql.n == pure.n
            assert sql.answered == pure.answered
            assert sql.band == pure.band
            assert sql.urgent == pure.urgent
            if pure.mean is None:
                assert sql.mean is None
            else:
                assert sql.mean is not None
                assert sql.mean == pytest.approx(pure.mean, abs=1e-9)
                sql_means.append(sql.mean)
                pure_means.append(pure.mean)
            for share in ("red_share", "amber_share", "green_share"):
                assert getattr(sql, share) == pytest.approx(getattr(pure, share))
        assert conditions_index(sql_means) == conditions_index(pure_means)
        for code, statement in statements.items():
            pure = figures_of(
                tally_statement(
                    score_of(a[code], reverse_scored=statement.reverse_scored)
                    for a in responses
                    if code in a
                )
            )
            sql = figures_of(results.statement_tallies.get((path, code), EMPTY_TALLY))
            assert (sql.n, sql.band, sql.urgent) == (pure.n, pure.band, pure.urgent)
            if pure.mean is None:
                assert sql.mean is None
            else:
                assert sql.mean == pytest.approx(pure.mean, abs=1e-9)

    # A page about one team sums it and the units above it in the database (`sums_at`), not
    # from the tree rolled up in Python: the same figures.
    (one_team,) = results_for_scopes(
        world.organisation, [cycle_scope(cycle)], reach=None, with_statements=True
    )
    chain = [world.team_a, world.north, world.units["Children's Services"], world.root]
    for unit in chain:
        for domain in domains:
            summed = figures_of(one_team._tallies_at("domains", unit.path)(domain.pk))
            rolled = figures_of(results.domain_tallies.get((unit.path, domain.pk), EMPTY_TALLY))
            assert (summed.n, summed.answered, summed.band, summed.urgent) == (
                rolled.n,
                rolled.answered,
                rolled.band,
                rolled.urgent,
            )
            assert summed.mean == pytest.approx(rolled.mean, abs=1e-9)
        for code in statements:
            assert one_team._tallies_at("statements", unit.path)(
                code
            ) == results.statement_tallies.get((unit.path, code), EMPTY_TALLY)
    assert "_domain_sums" not in one_team.__dict__
    assert "_statement_sums" not in one_team.__dict__
