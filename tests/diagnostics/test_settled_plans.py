"""Plans of settled cycles, remembered across requests: the same decisions as worked out from
the counts, never one decided from other counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diagnostics import results as results_module
from diagnostics import settled_plans
from diagnostics.models import Cycle, StatementTally
from diagnostics.pooling import cycle_scope
from diagnostics.results import Source, results_for_scopes
from diagnostics.services import close_cycle
from diagnostics.tallies import rebuild_tallies
from disclosure.plan import Hidden, decide, stable_digest
from organisations.access import reach_of

pytestmark = pytest.mark.usefixtures("fresh_process_memory")


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 10, value=lambda i, code: 2 + i % 4)
    respond(cycle, world.team_b, 2, value=5)
    respond(cycle, world.team_c, 7, value=lambda i, code: 1 + i % 6)
    return cycle


def settle(cycle: Cycle, *, ago: timedelta = timedelta(minutes=6)) -> None:
    close_cycle(cycle=cycle, closed_at=timezone.now() - ago)


def results(world, cycle, reach=None, **kwargs):
    (result,) = results_for_scopes(world.organisation, [cycle_scope(cycle)], reach=reach, **kwargs)
    return result


def answer_count_reads(queries) -> int:
    """Reads of the statement tallies' answer counts alone (the plan's; the figures' reads
    also sum the scores)."""
    table = StatementTally._meta.db_table
    return sum(table in query["sql"] and "score_total" not in query["sql"] for query in queries)


def test_it_counts_a_cycle_as_settled_five_minutes_after_it_closed():
    now = timezone.now()
    closed = Cycle.Status.CLOSED

    def since(status, closed_at):
        return settled_plans.settled_since(status=status, closed_at=closed_at, now=now)

    assert since(closed, now - timedelta(minutes=5)) == (now - timedelta(minutes=5)).isoformat()
    assert since(closed, now - timedelta(minutes=5) + timedelta(microseconds=1)) is None
    assert since(closed, None) is None
    assert since(Cycle.Status.OPEN, now - timedelta(days=30)) is None


@pytest.mark.parametrize("with_statements", [False, True])
@pytest.mark.parametrize("viewer", ["org_admin", "leader", "team_manager"])
def test_it_decides_a_settled_scope_as_the_engine_does_from_its_counts(
    world, cycle, viewer, with_statements
):
    settle(cycle)
    reach = reach_of(getattr(world, viewer))
    first = results(world, cycle, reach, with_statements=with_statements)
    assert first._settled_plan is not None
    from_counts = decide(first.plan_input, with_statements=with_statements)
    again = results(world, cycle, reach, with_statements=with_statements)
    assert first.plan == from_counts
    assert again.plan == from_counts
    assert again.statement_codes == first._answered_codes()


def test_it_reads_no_answer_counts_once_a_settled_plan_is_remembered(world, cycle):
    settle(cycle)
    results(world, cycle, with_statements=True).group(world.team_a)
    again = results(world, cycle, with_statements=True)
    with CaptureQueriesContext(connection) as queries:
        group = again.group(world.team_c)
    # The statement tallies are read for the figures only: their answer counts are not read
    # again to decide the plan, nor is each response's number of answers.
    assert answer_count_reads(queries.captured_queries) == 0
    assert "diagnostics_domainscore" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert group.responses == 7


def test_it_gives_a_fresh_process_the_plan_from_the_shared_cache(world, cycle):
    settle(cycle)
    expected = results(world, cycle, with_statements=True).plan
    settled_plans.forget_in_process()
    with mock.patch.object(results_module, "decide", wraps=decide) as deciding:
        plan = results(world, cycle, with_statements=True).plan
    deciding.assert_not_called()
    assert plan == expected


def test_it_keeps_one_plan_per_viewer(world, cycle):
    settle(cycle)
    admin = results(world, cycle, reach_of(world.org_admin))
    manager = results(world, cycle, reach_of(world.team_manager))
    # Org-wide Team B (2) is hidden, so Team A is too; its manager sees Team A, and so not its
    # locality (12 - 10 = 2).
    assert admin.group(world.team_a).hidden is Hidden.PROTECTS_OTHERS
    assert manager.group(world.team_a).responses == 10
    assert manager.group(world.north).responses is None


def test_it_decides_an_open_cycle_from_its_counts_every_time(world, cycle, respond):
    assert results(world, cycle)._settled_plan is None
    respond(cycle, world.team_b, 3, value=5)
    assert results(world, cycle).group(world.team_b).responses == 5


def test_it_does_not_remember_a_cycle_closed_less_than_five_minutes_ago(world, cycle, respond):
    settle(cycle, ago=timedelta(minutes=4))
    assert results(world, cycle)._settled_plan is None
    # Were a response to land after closing (the margin covers clocks that differ), it counts.
    respond(cycle, world.team_b, 3, value=5)
    assert results(world, cycle).group(world.team_b).responses == 5


def test_it_never_takes_counts_read_before_a_cycle_settled_as_settled(world, cycle, respond):
    """One request's calls share their counts (a `Source`). A call that read them while the
    cycle was open, and a later call of the same request that finds it settled: nothing is
    remembered from those counts, however long the request took."""
    service = world.units["Children's Services"]
    source = Source.of(world.organisation, reach=None)
    assert results(world, cycle, source=source).group(service).responses == 19
    respond(cycle, world.team_a, 1)  # committed before the cycle closed
    close_cycle(cycle=cycle)
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        later = results(world, cycle, source=source)
        assert later.group(service).responses == 19  # the request's own counts
        assert later._settled_key is None
        assert results(world, cycle).group(service).responses == 20
        assert results(world, cycle)._settled_key is not None  # a new request's are settled


def test_it_forgets_remembered_plans_once_rebuilt_tallies_commit(
    world, cycle, django_capture_on_commit_callbacks
):
    settle(cycle)
    before = results(world, cycle, with_statements=True).plan
    # Tallies that drifted from the rows (Team B's answers lost), then repaired.
    StatementTally.objects.filter(cycle=cycle, team=world.team_b).update(answered=0)
    drifted = results(world, cycle, with_statements=True)
    assert drifted.plan == before  # remembered: decided from the earlier counts
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_tallies(cycle_ids=[cycle.pk])
    with mock.patch.object(results_module, "decide", wraps=decide) as deciding:
        after = results(world, cycle, with_statements=True)
        plan = after.plan
    deciding.assert_called_once()
    assert plan == decide(after.plan_input, with_statements=True)


def test_it_starts_a_new_generation_when_the_shared_cache_lost_it(world, cycle):
    from django.core.cache import cache

    settle(cycle)
    first = settled_plans.generation()
    assert settled_plans.generation() == first
    cache.delete(settled_plans.GENERATION_KEY)
    assert settled_plans.generation() != first


def test_it_does_not_trust_a_shared_entry_whose_key_differs(world, cycle):
    from django.core.cache import cache

    settle(cycle)
    key = ("generation", "another key")
    name = f"settled-plans:{stable_digest(key)}"
    cache.set(name, (("generation", "a colliding key"), "not a plan"))
    computed = settled_plans.SettledPlan(plan=results(world, cycle).plan, statement_codes=())
    assert settled_plans.remembered(key, lambda: computed) is computed


def reads_of(table: str, queries) -> int:
    return sum(table in query["sql"] for query in queries)


def every_group(result):
    return {path: result.group(result.units[path]) for path in result.resolvable}


@pytest.mark.parametrize("viewer", ["org_admin", "leader", "team_manager"])
def test_it_gives_remembered_figures_equal_to_those_read_and_decided_afresh(world, cycle, viewer):
    settle(cycle)
    reach = reach_of(getattr(world, viewer))
    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        afresh = every_group(results(world, cycle, reach, with_statements=True))
    results(world, cycle, reach, with_statements=True).group(world.team_a)  # remembers
    settled_plans.forget_in_process()  # a fresh worker: from the shared cache
    remembered = results(world, cycle, reach, with_statements=True)
    assert remembered._settled_counts is not None
    assert every_group(remembered) == afresh
    assert dict(remembered.response_counts) == dict(results(world, cycle, reach)._counted_responses)


def test_it_reads_no_response_counts_or_unit_sums_once_a_settled_scope_is_remembered(world, cycle):
    settle(cycle)
    first = results(world, cycle, with_statements=True).group(world.team_c)
    settled_plans.forget_in_process()
    with CaptureQueriesContext(connection) as queries:
        again = results(world, cycle, with_statements=True).group(world.team_c)
    assert again == first
    for table in ("teamtally", "domaintally", "statementtally", "domainscore"):
        assert reads_of(f"diagnostics_{table}", queries.captured_queries) == 0, table


def test_it_sums_a_unit_again_where_a_team_has_moved(world, cycle):
    from organisations.services import move_unit

    settle(cycle)
    south = world.units["Locality South"]
    before = results(world, cycle).group(south)
    assert before.responses == 7
    move_unit(unit=world.team_b, new_parent=south)
    after = results(world, cycle).group(world.units["Locality South"])
    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        afresh = results(world, cycle).group(world.units["Locality South"])
    assert after.responses == 9
    assert after == afresh
    assert after.domains != before.domains


def test_it_sums_an_open_cycle_from_its_tallies_every_time(world, cycle, respond):
    first = results(world, cycle).group(world.units["Children's Services"])
    respond(cycle, world.team_c, 5, value=1)
    again = results(world, cycle).group(world.units["Children's Services"])
    assert again.responses == first.responses + 5
    assert again.domains != first.domains
    assert settled_plans.recall_sums([("anything",)]) == [None]


def test_it_forgets_remembered_sums_once_rebuilt_tallies_commit(
    world, cycle, django_capture_on_commit_callbacks
):
    from diagnostics.models import DomainTally

    settle(cycle)
    service = world.units["Children's Services"]
    before = results(world, cycle).group(service)
    DomainTally.objects.filter(cycle=cycle, team=world.team_c).update(red=0, amber=0, green=0)
    assert results(world, cycle).group(service) == before  # remembered
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_tallies(cycle_ids=[cycle.pk])
    with CaptureQueriesContext(connection) as queries:
        after = results(world, cycle).group(service)
    assert reads_of("diagnostics_domaintally", queries.captured_queries) >= 1
    assert after == before  # rebuilt from the stored rows: the drift is gone


def test_it_does_not_trust_shared_sums_whose_key_differs(world):
    from django.core.cache import cache

    key = ("generation", "sums", "another key")
    cache.set(f"settled-sums:{stable_digest(key)}", (("generation", "colliding"), ((1, 2),)))
    assert settled_plans.recall_sums([key]) == [None]
    settled_plans.keep_sums([(key, ((3, 4),))])
    settled_plans.forget_in_process()
    assert settled_plans.recall_sums([key]) == [((3, 4),)]


def test_it_releases_a_settled_units_figures_once_per_process(world, cycle):
    settle(cycle)
    service = world.units["Children's Services"]
    with mock.patch.object(results_module, "_cell", wraps=results_module._cell) as cells:
        first = results(world, cycle, with_statements=True).group(service)
        assert cells.call_count > 0
        cells.reset_mock()
        again = results(world, cycle, with_statements=True).group(service)
        assert cells.call_count == 0
    assert again == first


def test_it_shows_a_renamed_unit_by_its_new_name_beside_its_remembered_figures(world, cycle):
    from organisations.models import Unit

    settle(cycle)
    path = world.team_c.path
    first_result = results(world, cycle)
    first = first_result.group(first_result.units[path])
    Unit.objects.filter(pk=world.team_c.pk).update(name="Renamed Team")
    result = results(world, cycle)
    again = result.group(result.units[path])
    assert again.unit.name == "Renamed Team"
    assert again.unit is result.units[path]
    assert again.scope is result.scope
    assert again.domains == first.domains
    assert type(again) is type(first)
    assert again == replace(first, unit=result.units[path], scope=result.scope)


def test_it_keeps_released_figures_apart_for_each_viewer(world, cycle):
    settle(cycle)
    viewers = ["org_admin", "leader", "team_manager"]
    afresh = {}
    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        for viewer in viewers:
            afresh[viewer] = every_group(results(world, cycle, reach_of(getattr(world, viewer))))
    for viewer in viewers:  # one process's memory, shared by every viewer in turn
        remembered = results(world, cycle, reach_of(getattr(world, viewer)))
        assert remembered._released is not None
        assert every_group(remembered) == afresh[viewer]
    shared = set(afresh["org_admin"]) & set(afresh["team_manager"])
    assert any(afresh["org_admin"][p] != afresh["team_manager"][p] for p in shared)


def test_it_forgets_the_scopes_used_least_recently_once_too_many_units_are_kept():
    kept = settled_plans._ReleasedFigures(limit=3)
    first = kept.of(("first scope",))
    first.update(a=1, b=2)
    second = kept.of(("second scope",))
    second.update(c=3, d=4)
    assert kept.of(("second scope",)) is second  # four units kept: the first scope goes
    assert kept.of(("first scope",)) == {}
    assert kept.of(("second scope",)) is second


def test_it_digests_two_sets_of_units_of_one_size_apart(world, cycle):
    result = results(world, cycle)
    units = dict(result.units)
    moved = dict(units)
    path = max(moved, key=len)
    moved[path[:-4] + "ZZZZ"] = moved.pop(path)  # as many units, one of them elsewhere
    roots = result._roots
    assert result._aggregates.structure(units, roots) != result._aggregates.structure(moved, roots)
    assert result._aggregates.structure(units, roots) == result._aggregates.structure(units, roots)


def test_it_digests_a_viewer_s_units_once_per_process(world, cycle):
    settle(cycle)
    first = results(world, cycle, reach_of(world.leader))
    digest = first._aggregates.structure(first.units, first._roots)
    again = results(world, cycle, reach_of(world.leader))  # another request's units and nodes

    with mock.patch.object(settled_plans, "stable_digest", side_effect=AssertionError):
        assert again._aggregates.structure(again.units, again._roots) == digest
    assert digest == stable_digest(
        (tuple(first._aggregates.mapping), tuple(sorted(first.units)), tuple(first._roots))
    )


def test_it_keeps_a_reading_of_released_figures_apart_for_each_viewer(world, cycle):
    def keep(viewer, value):
        result = results(world, cycle, reach_of(getattr(world, viewer)))
        return result.kept_with_released(("a reading",), lambda: value)

    assert keep("org_admin", "open") == "open"
    assert keep("org_admin", "worked out again") == "worked out again"  # open: nothing kept
    settle(cycle)
    assert keep("org_admin", "the admin's") == "the admin's"
    assert keep("team_manager", "the manager's") == "the manager's"
    assert keep("org_admin", "worked out again") == "the admin's"
    assert keep("team_manager", "worked out again") == "the manager's"


@pytest.fixture
def south_of_two(world, make_cycle, respond):
    """A settled cycle in which Locality South has two teams: outside Team A's manager's and
    Locality North's leader's reach, one node of two teams."""
    from organisations.services import add_unit

    world.units["Team D"] = add_unit(
        parent=world.units["Locality South"], name="Team D", is_team=True
    )
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 6, value=lambda i, code: 2 + i % 4)
    respond(cycle, world.team_b, 5, value=4)
    # Some answers "not applicable" (0), differently in each team, so that how many of a
    # domain's statements a response answered differs between teams and domains.
    respond(cycle, world.team_c, 7, value=lambda i, code: 0 if (i + ord(code[-1])) % 3 else 4)
    respond(cycle, world.units["Team D"], 3, value=lambda i, code: 0 if ord(code[-1]) % 2 else 1)
    settle(cycle)
    return cycle


def rows_of_unit_read(path: str, queries) -> bool:
    """Whether a read of the statement tallies named this unit as a node (its teams' rows)."""
    table = StatementTally._meta.db_table
    return any(table in q["sql"] and f"'{path}'" in q["sql"] for q in queries)


@pytest.mark.parametrize("viewer", ["leader", "team_manager"])
def test_it_takes_the_answers_of_a_settled_unit_outside_the_reach_from_its_sums(
    world, south_of_two, viewer
):
    reach = reach_of(getattr(world, viewer))
    south = world.units["Locality South"]
    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        from_rows = results(world, south_of_two, reach, with_statements=True)
        from_rows_answers = dict(from_rows.node_answers)
        from_rows_counts = dict(from_rows.node_answer_counts)
    first = results(world, south_of_two, reach, with_statements=True)
    assert dict(first.node_answers) == from_rows_answers
    assert dict(first.node_answer_counts) == from_rows_counts
    south_counts = {key: n for key, n in from_rows_counts.items() if key[0] == south.path}
    assert any(len(counts) > 1 for counts in south_counts.values())  # the test can tell
    assert south_counts != {
        key: n for key, n in from_rows_counts.items() if key[0] == world.team_b.path
    }
    assert (south.path, south_of_two.pk, "SB1") in from_rows_answers  # South is one node
    settled_plans.forget_in_process()  # another worker, another family with South outside
    original = results_module.Aggregates._answer_counts_of
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch.object(
            results_module.Aggregates, "_answer_counts_of", autospec=True, side_effect=original
        ) as answer_counts_read,
    ):
        again = results(world, south_of_two, reach, with_statements=True)
        answers = dict(again.node_answers)
        counts = dict(again.node_answer_counts)
    assert answers == from_rows_answers
    assert counts == from_rows_counts
    assert not rows_of_unit_read(south.path, queries.captured_queries)
    teams_read = {
        team for call in answer_counts_read.call_args_list for team, _node in call.args[2]
    }
    assert teams_read.isdisjoint({world.team_c.pk, world.units["Team D"].pk})
    assert again.plan == decide(from_rows.plan_input, with_statements=True)


def test_it_remembers_every_unit_s_sums_for_the_settled_cycles(world, south_of_two):
    from diagnostics.results import remember_unit_sums

    assert remember_unit_sums(world.organisation, reach=reach_of(world.org_admin)) == 1
    settled_plans.forget_in_process()
    reach = reach_of(world.team_manager)
    south = world.units["Locality South"]
    with CaptureQueriesContext(connection) as queries:
        manager = results(world, south_of_two, reach, with_statements=True)
        group = manager.group(world.team_a)
    assert not rows_of_unit_read(south.path, queries.captured_queries)
    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        assert group == results(world, south_of_two, reach, with_statements=True).group(
            world.team_a
        )


def test_it_works_out_unit_sums_only_as_a_viewer_who_sees_every_team(world, south_of_two):
    from diagnostics.results import remember_unit_sums

    with pytest.raises(ValueError, match="sees every team"):
        remember_unit_sums(world.organisation, reach=reach_of(world.leader))


def test_it_reads_an_open_cycle_s_answers_beside_a_settled_one_s_sums(
    world, south_of_two, make_cycle, respond
):
    open_cycle = make_cycle(unit=world.units["Children's Services"])
    respond(open_cycle, world.team_c, 4, value=2)
    respond(open_cycle, world.units["Team D"], 4, value=5)
    reach = reach_of(world.team_manager)
    scopes = [cycle_scope(south_of_two), cycle_scope(open_cycle)]

    def answers() -> list[dict]:
        found = results_for_scopes(world.organisation, scopes, reach=reach, with_statements=True)
        return [dict(result.node_answers) for result in found]

    with mock.patch.object(settled_plans, "settled_since", return_value=None):
        from_rows = answers()
    assert answers() == from_rows
    south = world.units["Locality South"]
    assert from_rows[1][(south.path, open_cycle.pk, "SB1")] == 8


def test_it_sums_units_in_runs_of_a_bounded_number_of_teams(monkeypatch):
    monkeypatch.setattr(results_module, "TEAMS_PER_SUM", 3)
    teams = ["0001000100010001", "0001000100010002", "0001000100020001", "00010002"]
    units = ["0001", "00010001", "000100010001", "000100010002"]
    # The organisation is summed whole; the directorate holds three teams, its services two
    # and one.
    assert results_module._units_in_chunks(units, teams) == [
        ["0001", "00010001"],
        ["000100010001", "000100010002"],
    ]
