"""Results through the disclosure engine, as leaders and managers see them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from diagnostics.models import Cycle
from diagnostics.pooling import cycle_scope, pooled_pulse_scopes, pulse_pools
from diagnostics.results import results_for_scopes
from disclosure.plan import Hidden
from organisations.access import reach_of


@pytest.fixture
def cycle(world, make_cycle):
    return make_cycle(unit=world.units["Children's Services"])


def results(world, cycle, reach=None, **kwargs):
    (result,) = results_for_scopes(world.organisation, [cycle_scope(cycle)], reach=reach, **kwargs)
    return result


def test_it_shows_a_group_of_k_and_hides_a_group_of_k_minus_1(world, cycle, respond):
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 4)
    respond(cycle, world.team_c, 9)
    r = results(world, cycle)
    assert r.group(world.team_a).responses is None  # hidden with its small sibling (residual 4)
    assert r.group(world.team_b).responses is None
    assert r.group(world.north).responses == 9
    assert r.group(world.team_c).responses == 9
    assert r.group(world.team_b).domains["WL"].figures is None


def test_it_gives_a_manager_their_team_but_hides_a_parent_that_would_reveal_a_small_team(
    world, cycle, respond
):
    respond(cycle, world.team_a, 10)
    respond(cycle, world.team_b, 2)
    r = results(world, cycle)
    # Org-wide: B (2) is hidden, so A is hidden too; North (12) is shown.
    assert r.group(world.team_a).responses is None
    assert r.group(world.team_a).hidden is Hidden.PROTECTS_OTHERS
    assert r.group(world.team_b).hidden is Hidden.FEWER_THAN_K
    assert r.group(world.north).responses == 12
    # The manager of A sees A, but not North (12 - 10 = 2) nor the organisation (same 12).
    view = results(world, cycle, reach=reach_of(world.team_manager))
    assert view.group(world.team_a).responses == 10
    assert view.group(world.team_a).domains["WL"].figures is not None
    assert view.group(world.north).responses is None
    assert view.group(world.root).responses is None


def test_it_shows_a_manager_the_parent_when_the_difference_is_at_least_k(world, cycle, respond):
    respond(cycle, world.team_a, 10)
    respond(cycle, world.team_b, 6)
    respond(cycle, world.team_c, 7)
    view = results(world, cycle, reach=reach_of(world.team_manager))
    assert view.group(world.north).responses == 16
    assert view.group(world.root).responses == 23


def test_it_computes_figures_a_person_can_recompute_by_hand(world, cycle, respond):
    # Five responses in Team A: three answer 5 everywhere, two answer 2 everywhere. On a
    # positively worded statement that is scores 5,5,5,2,2; on a reverse-scored one 2,2,2,5,5.
    respond(cycle, world.team_a, 5, value=lambda i, code: 5 if i < 3 else 2)
    respond(cycle, world.team_c, 5, value=4)
    r = results(world, cycle, with_statements=True)
    group = r.group(world.team_a)
    wl1 = group.statements["WL1"].figures
    assert wl1 is not None
    assert wl1.mean == pytest.approx(19 / 5)  # (5+5+5+2+2)/5 = 3.8
    assert wl1.red_share == pytest.approx(2 / 5)
    assert wl1.urgent
    wl3 = group.statements["WL3"].figures  # reverse scored
    assert wl3 is not None
    assert wl3.mean == pytest.approx(16 / 5)  # (2+2+2+5+5)/5 = 3.2
    # Workload domain (4 positive, 1 reverse): response scores are (5*4+2)/5 = 4.4 for the
    # three and (2*4+5)/5 = 2.6 for the two: mean (3*4.4 + 2*2.6)/5 = 3.68, released as 3.7
    # (exact values never leave the server).
    wl = group.domains["WL"].figures
    assert wl is not None
    assert wl.mean == 3.7
    assert wl.band == "amber"


def test_it_pools_small_pulses_within_a_period_and_says_how_many(world, make_cycle, respond):
    pulses: list[Cycle] = []
    for _ in range(3):
        opens = pulses[-1].closes_on + timedelta(days=1) if pulses else None
        kwargs = {"opens_on": opens, "closes_on": opens + timedelta(days=6)} if opens else {}
        pulse = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, days=6, **kwargs)
        respond(pulse, world.team_a, 2)
        pulses.append(pulse)
    scopes = pulse_pools(world.organisation)
    assert [s.cycle_ids for s in scopes] == [frozenset(p.pk for p in pulses)]
    (pooled_results,) = results_for_scopes(world.organisation, scopes, reach=None)
    pooled = pooled_results.group(world.team_a)
    assert pooled.responses == 6
    assert pooled.pulses_pooled == 3
    assert pooled.domains["WL"].figures is not None
    assert scopes[0].full_label.endswith("(pooled over 3 pulses)")


def test_it_puts_every_pulse_in_one_period_and_the_periods_never_overlap(world):
    """Overlapping windows let one pooled result be subtracted from the next (§5)."""
    periods_from = date(2026, 1, 1)
    opening = [date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 20), date(2026, 3, 31)]
    opening += [date(2026, 4, 1), date(2026, 4, 2), date(2026, 9, 15)]
    pulses = [
        Cycle(pk=number, kind=Cycle.Kind.PULSE, opens_on=opens_on)
        for number, opens_on in enumerate(opening, 1)
    ]
    scopes = pooled_pulse_scopes(pulses, window_days=90, periods_from=periods_from)
    assert [sorted(s.cycle_ids) for s in scopes] == [[1], [2, 3, 4], [5, 6], [7]]
    assert [(s.starts_on, s.ends_on) for s in scopes] == [
        (date(2025, 10, 3), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 29)),
        (date(2026, 6, 30), date(2026, 9, 27)),
    ]
    assert [s.label for s in scopes][:2] == [
        "Pulses 3 Oct – 31 Dec 2025",
        "Pulses 1 Jan – 31 Mar 2026",
    ]
    later = pooled_pulse_scopes(
        [*pulses, Cycle(pk=8, kind=Cycle.Kind.PULSE, opens_on=date(2026, 11, 20))],
        window_days=90,
        periods_from=periods_from,
    )
    assert later[:3] == scopes[:3]  # a new pulse never moves the pulses already pooled


def test_it_refuses_a_breakdown_that_would_reveal_a_small_group(world, cycle, respond):
    respond(cycle, world.team_a, 10, about={"role_group": "practitioner"})
    respond(cycle, world.team_a, 2, about={"role_group": "manager"})
    r = results(world, cycle)
    assert r.breakdown(world.team_a, {"role_group": "manager"}).hidden is Hidden.FEWER_THAN_K
    # 12 - 10 = 2: the rest of the team would be too small.
    refused = r.breakdown(world.team_a, {"role_group": "practitioner"})
    assert refused.hidden is Hidden.PROTECTS_OTHERS
    assert refused.domains["WL"].figures is None
    respond(cycle, world.team_a, 5, about={"role_group": "manager"})
    shown = results(world, cycle).breakdown(world.team_a, {"role_group": "practitioner"})
    assert shown.hidden is None
    assert shown.responses == 10
    assert shown.domains["WL"].figures is not None


def test_it_aggregates_with_a_fixed_number_of_queries(
    world, cycle, respond, django_assert_max_num_queries
):
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 5)
    # Eleven: the units table's version, the five tables, what the cycles asked, and the first
    # unit's domain and statement sums (with the units above it) before the page, asking about
    # more, rolls the tree up.
    with django_assert_max_num_queries(11):
        r = results(world, cycle, with_statements=True)
        for unit in r.units.values():
            r.group(unit)


def test_it_shows_outcomes_as_the_share_who_agree_and_leaves_them_out_of_the_index(
    world, cycle, respond
):
    # Every condition statement answered 2: each domain's four positive statements score 2 and
    # its negatively worded one 7 − 2 = 5, a mean of 13 / 5 = 2.6 in every domain, an index of
    # (2.6 − 1) / 5 × 100 = 32. "Intending to stay" is answered 6 by three of six and 4 by the
    # others: 50% agree (4, "Slightly agree", is not agreeing), a mean of 5.0; were it counted
    # in the index, the index would be ((9 × 2.6 + 5 + 2) / 11 − 1) / 5 × 100 = 35.
    respond(
        cycle,
        world.team_c,
        6,
        value=lambda i, code: (6 if i < 3 else 4) if code == "STAY1" else 2,
    )
    group = results(world, cycle).group(world.team_c)
    assert group.index == 32
    assert set(group.domains).isdisjoint({"STAY", "REC"})
    stay = group.outcomes["STAY"].figures
    assert stay is not None
    assert stay.green_share == 0.5
    assert stay.mean == 5.0
    assert group.outcomes["REC"].figures.green_share == 0.0


def test_it_hides_an_outcome_answered_by_fewer_than_k_in_a_group_it_shows(world, cycle, respond):
    from diagnostics.services import NOT_APPLICABLE

    # Six responses, but only four answered "intending to stay": the group and its conditions
    # are shown, the outcome is not (its answers come from fewer than k = 5 people).
    respond(
        cycle,
        world.team_c,
        6,
        value=lambda i, code: NOT_APPLICABLE if code == "STAY1" and i < 2 else 4,
    )
    group = results(world, cycle).group(world.team_c)
    assert group.responses == 6
    assert group.domains["WL"].shown
    assert group.outcomes["STAY"].figures is None
    assert group.outcomes["STAY"].hidden is Hidden.FEWER_THAN_K
    assert group.outcomes["REC"].shown


@pytest.mark.parametrize("scored", [0, 1])
def test_it_says_a_domain_is_hidden_because_too_few_answered_enough_of_it(
    world, cycle, respond, scored
):
    from diagnostics.services import NOT_APPLICABLE

    # Six answered workload, but only `scored` answered enough of its statements to have a
    # workload score: "fewer than 5 responses", beside a count of 6, would not be true.
    def value(index, code):
        return NOT_APPLICABLE if index >= scored and code in {"WL2", "WL3", "WL4", "WL5"} else 4

    respond(cycle, world.team_c, 6, value=value)
    group = results(world, cycle, with_statements=True).group(world.team_c)
    assert group.responses == 6
    assert group.domains["WL"].figures is None
    assert group.domains["WL"].hidden is Hidden.FEW_SCORED
    assert group.domains["SUP"].shown
    if scored:
        # Hidden with the domain, the statement all six answered not for a score it lacks.
        assert group.statements["WL1"].hidden is Hidden.PROTECTS_OTHERS
        assert group.statements["WL2"].hidden is Hidden.FEWER_THAN_K
    else:
        assert group.statements["WL1"].shown  # no domain mean to keep from anyone


def test_it_asks_no_outcome_in_a_cycle_of_the_questionnaire_without_them(world, respond):
    from django.utils import timezone

    from diagnostics.models import InstrumentVersion
    from diagnostics.services import create_cycle, open_cycle

    older = InstrumentVersion.objects.get(name="SWORD standard questionnaire 2026")
    today = timezone.localdate()
    cycle = open_cycle(
        cycle=create_cycle(
            unit=world.team_c,
            kind=Cycle.Kind.FULL,
            instrument=older,
            name="Old form",
            opens_on=today,
            closes_on=today,
            created_by=None,
        )
    )
    respond(cycle, world.team_c, 5)
    result = results(world, cycle)
    assert result.outcomes == []
    group = result.group(world.team_c)
    assert group.outcomes == {}
    assert group.index is not None


def test_it_sums_units_together_in_the_database_as_the_tree_rolled_up_does(world, cycle, respond):
    respond(cycle, world.team_a, 6, value=lambda i, code: 1 + (i + len(code)) % 6)
    respond(cycle, world.team_b, 5, value=lambda i, code: 6 - i % 3)
    respond(cycle, world.team_c, 7, value=lambda i, code: 2 + i % 4)
    units = [world.root, world.units["Children's Services"], world.north, world.team_a]
    units += [world.units["Locality South"], world.team_b, world.team_c]
    summed = results(world, cycle, with_statements=True)
    together = summed.summed_groups(units)
    rolled = results(world, cycle, with_statements=True)
    assert together == list(rolled.groups(units))
    assert "_domain_sums" not in summed.__dict__
    assert "_domain_sums" in rolled.__dict__
    assert together[0].responses == 18


def _as_loaded(unit):
    fields = {k: v for k, v in unit.__dict__.items() if k != "_state"}
    types = {k: type(v) for k, v in fields.items()}
    return fields, types, unit._state.adding, unit._state.db, unit._state.fields_cache


@pytest.mark.parametrize(
    ("without_init", "remembered"),
    [(True, False), (True, True), (False, True)],
    ids=["without init", "without init, remembered", "remembered"],
)
def test_it_loads_units_exactly_as_the_orm_does(world, settings, without_init, remembered):
    from django.db.models.signals import post_init, pre_init

    from organisations.models import Unit
    from organisations.remembered_units import load_units

    Unit.objects.filter(pk=world.team_b.pk).update(archived_at=timezone.now())
    settings.SPEEDUP_UNITS_WITHOUT_INIT = without_init
    settings.SPEEDUP_REMEMBERED_UNITS = remembered
    load_units(world.organisation)
    fast = load_units(world.organisation)  # remembered by the first, if at all
    settings.SPEEDUP_UNITS_WITHOUT_INIT = False
    settings.SPEEDUP_REMEMBERED_UNITS = False
    plain = load_units(world.organisation)
    assert [_as_loaded(unit) for unit in fast] == [_as_loaded(unit) for unit in plain]
    assert [unit.organisation for unit in fast] == [world.organisation] * len(fast)
    assert any(unit.archived_at for unit in fast)
    # The fast path sends no signals: a receiver for Unit would need the ORM's path.
    assert not pre_init.has_listeners(Unit)
    assert not post_init.has_listeners(Unit)


def _nodes_by_definition(teams, roots):
    """Each team's node as `viewer_nodes` defines it, team by team: its own path where a root
    is above it (or is it), otherwise the unit one level below the deepest unit above both the
    team and a root (its own path where there is none)."""
    from organisations.models import Unit

    step = Unit.steplen
    mapping = []
    for team_id, path in teams:
        if any(path.startswith(root) for root in roots):
            mapping.append((team_id, path))
            continue
        shared = [
            end
            for root in roots
            for end in range(step, len(root), step)
            if path.startswith(root[:end])
        ]
        mapping.append((team_id, path[: max(shared) + step] if shared else path))
    return mapping


def test_it_maps_every_team_to_its_node_for_any_set_of_units_reached():
    import itertools
    import random

    from diagnostics.results import team_nodes

    def path(*steps: int) -> str:
        return "".join(f"{n:04d}" for n in steps)

    # A tree four levels deep, teams at the third and fourth levels, some parents with many.
    chosen = random.Random(20)
    units = [path(1)]
    teams = []
    for a, b in itertools.product(range(1, 4), range(1, 4)):
        units += [path(1, a), path(1, a, b)]
        for c in range(1, chosen.randint(1, 5)):
            if chosen.random() < 0.3:
                teams.append(path(1, a, b, c))
                continue
            units.append(path(1, a, b, c))
            teams += [path(1, a, b, c, d) for d in range(1, chosen.randint(2, 5))]
    numbered = [(number, team) for number, team in enumerate(teams)]
    for size in (1, 1, 2, 3):
        for _ in range(40):
            roots = chosen.sample(units + teams, size)
            assert team_nodes(numbered, roots) == _nodes_by_definition(numbered, roots), roots
    assert team_nodes(numbered, [path(1)]) == numbered


def test_it_maps_each_family_s_teams_once_for_each_table_of_units(world, monkeypatch, settings):
    from diagnostics import results
    from diagnostics.results import root_paths_of, table_nodes, team_nodes
    from organisations.remembered_units import forget_unit_fields, unit_table
    from organisations.services import rename_unit

    settings.SPEEDUP_REMEMBERED_UNITS = True
    forget_unit_fields()
    mapped: list[tuple[str, ...]] = []

    def counted(teams, roots):
        mapped.append(tuple(roots))
        return team_nodes(teams, roots)

    monkeypatch.setattr(results, "team_nodes", counted)
    table = unit_table(organisation_id=world.organisation.pk)
    viewers = [reach_of(world.org_admin), reach_of(world.leader), reach_of(world.team_manager)]
    for reach in [*viewers, None]:
        roots = root_paths_of(table.paths, reach)
        assert table_nodes(table, reach) == tuple(team_nodes(table.teams, roots))
    # Three families; the command line reaches the whole organisation, as an org admin does.
    assert mapped == [(world.root.path,), (world.north.path,), (world.team_a.path,)]

    again = reach_of(world.leader)  # another request's reach, the same family
    assert table_nodes(table, again) is table_nodes(table, viewers[1])
    assert len(mapped) == 3

    rename_unit(unit=world.team_c, name="Team Gamma")
    assert table_nodes(unit_table(organisation_id=world.organisation.pk), again)
    assert mapped[3:] == [(world.north.path,)]
    forget_unit_fields()


@pytest.mark.parametrize(
    ("codes", "people", "least", "bound"),
    [
        (8, 5, 5, 5),  # the fewer of the two
        (5, 8, 5, 5),
        (0, 5, 1, 5),  # no codes (responses loaded without them): the headcount alone
        (5, 0, 1, 5),  # no headcount: the codes alone
        (0, 0, 1, 0),  # neither: no bound
        (3, 5, 5, 5),  # "5 or more" beside 3 codes: the codes visibly wrong, the headcount read
        (3, 4, 5, 0),  # both visibly wrong: no bound, as the reader has none
        (4, 6, 1, 4),  # below the responses but not by the band: taken as read all the same
    ],
)
def test_it_reads_a_team_s_bound_from_what_its_reader_reads(codes, people, least, bound):
    from diagnostics.results import bound_read

    assert bound_read(codes, people, least=least) == bound


A, B = "AAAAAAAA", "AAAAAAAB"


@pytest.mark.parametrize(
    ("codes", "people", "counts", "bounds"),
    [
        # one cycle: the count's own band ("5 or more") shows the headcount of 3 wrong
        ({(A, 1): 10}, {(A, 1): 3}, {(A, 1): 10}, {(A, 1): 10}),
        # a pool of which the team took part in one pulse: read the same, its band is the pool's
        ({(A, 1): 10}, {(A, 1): 3}, {(A, 1): 10, (B, 2): 4}, {(A, 1): 10}),
        # two pulses of 10 codes and 3 people: 6 in all is not below "5 or more", so read
        (
            {(A, 1): 10, (A, 2): 10},
            {(A, 1): 3, (A, 2): 3},
            {(A, 1): 4, (A, 2): 6},
            {(A, 1): 3, (A, 2): 3},
        ),
        # two pulses of 10 and 1 codes, 2 people: the second's most (2) leaves the first 3 at least
        (
            {(A, 1): 10, (A, 2): 1},
            {(A, 1): 2, (A, 2): 2},
            {(A, 1): 5, (A, 2): 1},
            {(A, 1): 10, (A, 2): 1},
        ),
        # a pulse with neither codes nor headcount bounds nothing, so leaves the other no least
        ({(A, 1): 10}, {(A, 1): 3}, {(A, 1): 5, (A, 2): 1}, {(A, 1): 3}),
    ],
)
def test_it_reads_each_pulse_s_bound_beside_the_pool_s_band(codes, people, counts, bounds):
    """A pool's band is read as a whole: were a pulse's bound chosen with no least (as where a
    scope held several cycles), a team that took part in one pulse with 10 codes for 3 people
    and reads "5 or more" would be bounded by 3, which the band contradicts, so by nothing at
    all; its reader takes 10, and beside a unit of 14 reads its sibling's 4."""
    from diagnostics.results import bounds_read

    assert bounds_read(codes, people, counts, k=5) == bounds


def test_it_shows_a_closed_cycle_the_same_after_one_of_its_teams_has_moved(
    world, make_cycle, respond
):
    """North: Team A 12, Team B 8, Team D 3 (all red on every statement); South: Team C 6. The
    org admin reads North's 23, 3 of them red. Were the closed cycle read on the tree after
    Team D moved to South, North would read 20, none red: Team D's 3 responses, and that all
    three answered red. Its part in the closed cycle stays under North."""
    from diagnostics.exports import ExportRequest, all_columns, export_rows
    from diagnostics.services import close_cycle, move_unit
    from organisations.services import add_unit

    team_d = add_unit(parent=world.north, name="Team D", is_team=True)
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 12, value=4)
    respond(cycle, world.team_b, 8, value=4)
    respond(cycle, team_d, 3, value=1)
    respond(cycle, world.units["Team C"], 6, value=4)
    close_cycle(cycle=cycle)

    def north() -> tuple[int, int] | None:
        """North's responses and how many answered the first statement red, where shown."""
        for values in export_rows(
            ExportRequest(cycle=cycle, by="statement"), reach_of(world.org_admin)
        ):
            row = dict(zip(all_columns(), values, strict=True))
            if row["unit_path"].endswith("Locality North") and row["suppressed"] == "no":
                responses = int(row["responses"])
                return responses, round(int(row["red_pct"]) * responses / 100)
        return None

    before = north()
    move_unit(unit=team_d, new_parent=world.units["Locality South"])
    after = north()
    assert before == (23, 3)
    assert after == before
