"""The plan: what one viewer may see of one scope, in priority order, and why the rest is hidden.

Paths are treebeard-style: two characters a level ("AA" the organisation, "AAAB" a unit...).
The pure property test at the end builds random organisations and checks the span of every
figure a plan releases, as the span audit does for the product's pages.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from diagnostics.scoring import minimum_answers
from disclosure.bands import band_range
from disclosure.plan import (
    BreakdownInput,
    Hidden,
    PlanInput,
    breakdown_order,
    decide,
    decide_groups,
    plan_breakdowns,
)
from tests.disclosure.audit import Released, violations, weighted_violations

ROOT, UNIT, TEAM_A, TEAM_B, TEAM_C = "AA", "AAAA", "AAAAAA", "AAAAAB", "AAAAAC"
STATEMENTS = {"s1": "D", "s2": "D", "s3": "E"}
DOMAIN_SIZES = {"D": 2, "E": 1}


def data(responses, *, k=5, order=None, answers=None, scored=None, answer_counts=None):
    """`responses`: team → count, everyone answering every statement (so everyone has every
    domain's score) unless `answers`, `scored` and `answer_counts` say otherwise."""
    counts = {(team, 1): n for team, n in responses.items()}
    if answers is None:
        answers = {(team, 1, code): n for team, n in responses.items() for code in STATEMENTS}
        scored = {(team, 1, d): n for team, n in responses.items() for d in DOMAIN_SIZES}
        answer_counts = {
            (team, 1, d): frozenset({size})
            for team in responses
            for d, size in DOMAIN_SIZES.items()
        }
    return PlanInput(
        k=k,
        order=order or [ROOT, UNIT, TEAM_A, TEAM_B, TEAM_C],
        responses=counts,
        answers=answers,
        statement_domains=STATEMENTS,
        domain_order=["D", "E"],
        step=2,
        scored=scored,
        answer_counts=answer_counts,
    )


def test_it_hides_the_smaller_sibling_and_then_the_next_smallest():
    plan = decide(data({TEAM_A: 10, TEAM_B: 6, TEAM_C: 3}), with_statements=False)
    assert plan.group(UNIT) is None
    assert plan.group(TEAM_C) is Hidden.FEWER_THAN_K
    assert plan.group(TEAM_B) is Hidden.PROTECTS_OTHERS  # shown, it would give C's 3 away
    assert plan.group(TEAM_A) is None  # B and C together are 9
    assert plan.domain(TEAM_B, "D") is Hidden.PROTECTS_OTHERS


def test_it_hides_a_shown_team_when_two_hidden_ones_would_share_a_remainder_at_their_most():
    # The unit's 20 less team A's 12 leaves 8 for B and C, each "fewer than 5": both 4.
    plan = decide(data({TEAM_A: 12, TEAM_B: 4, TEAM_C: 4}), with_statements=False)
    assert plan.group(UNIT) is None
    assert plan.group(TEAM_A) is Hidden.PROTECTS_OTHERS
    assert plan.group(TEAM_B) is plan.group(TEAM_C) is Hidden.FEWER_THAN_K


def test_it_keeps_a_team_shown_where_the_hidden_ones_have_room():
    plan = decide(data({TEAM_A: 12, TEAM_B: 3, TEAM_C: 4}), with_statements=False)
    assert plan.group(TEAM_A) is None  # 7 left: B and C each 3 or 4, not pinned


def test_it_hides_the_unit_when_its_hidden_teams_would_meet_their_least():
    # 6 = A (5 or more) + B (fewer than 5): A 5 and B 1. Nothing beside them to hide: the unit
    # and the organisation go, and A (shown alone) gives B nothing.
    plan = decide(
        data({TEAM_A: 5, TEAM_B: 1}, order=[ROOT, UNIT, TEAM_A, TEAM_B]), with_statements=False
    )
    assert plan.group(ROOT) is Hidden.PROTECTS_OTHERS
    assert plan.group(UNIT) is Hidden.PROTECTS_OTHERS
    assert plan.group(TEAM_B) is Hidden.FEWER_THAN_K


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3),
    own_first=st.booleans(),
)
def test_it_decides_the_groups_alone_as_the_whole_plan_does(counts, own_first):
    """Pages that only ask whether a group is shown decide the groups from the response
    counts alone (no answers read): the same decisions as the whole plan's."""
    responses = {team: n for team, n in zip([TEAM_A, TEAM_B, TEAM_C], counts, strict=True) if n}
    order = [TEAM_A, UNIT, ROOT] if own_first else None
    whole = decide(data(responses, order=order), with_statements=True)
    alone = decide_groups(
        PlanInput(
            k=5,
            order=order or [ROOT, UNIT, TEAM_A, TEAM_B, TEAM_C],
            responses={(team, 1): n for team, n in responses.items()},
            answers={},
            statement_domains={},
            domain_order=[],
            step=2,
        )
    )
    assert alone.groups == whole.groups
    assert list(alone.groups) == list(whole.groups)


def test_it_shows_a_manager_their_own_team_before_the_markers_above_it():
    own_first = [TEAM_A, UNIT, ROOT]
    plan = decide(data({TEAM_A: 10, TEAM_B: 2}, order=own_first), with_statements=False)
    assert plan.group(TEAM_A) is None
    assert plan.group(UNIT) is Hidden.PROTECTS_OTHERS  # 12 − 10 = 2
    assert plan.group(ROOT) is Hidden.PROTECTS_OTHERS


def test_it_hides_another_statement_when_the_domain_would_give_a_hidden_one_away():
    """DISCLOSURE.md's second example: the domain less its shown statements is the hidden
    statement's answers, so one more statement is hidden."""
    answers = {(TEAM_A, 1, "s1"): 4, (TEAM_A, 1, "s2"): 6, (TEAM_A, 1, "s3"): 6}
    plan = decide(
        data(
            {TEAM_A: 6},
            order=[ROOT, TEAM_A],
            answers=answers,
            scored={(TEAM_A, 1, "D"): 6, (TEAM_A, 1, "E"): 6},
            answer_counts={(TEAM_A, 1, "D"): frozenset({1, 2}), (TEAM_A, 1, "E"): frozenset({1})},
        ),
        with_statements=True,
    )
    assert plan.domain(TEAM_A, "D") is None
    assert plan.statement(TEAM_A, "s1") is Hidden.FEWER_THAN_K
    assert plan.statement(TEAM_A, "s2") is Hidden.PROTECTS_OTHERS
    assert plan.statement(TEAM_A, "s3") is None


def test_it_hides_a_domain_whose_mean_fewer_than_k_responses_have_a_score_in():
    # Team A: 6 answered the domain, but only one answered enough of it to have a score.
    scored = {(TEAM_A, 1, "D"): 1, (TEAM_A, 1, "E"): 6}
    base = data({TEAM_A: 6}, order=[TEAM_A])
    plan = decide(replace(base, scored=scored), with_statements=False)
    assert plan.group(TEAM_A) is None
    assert plan.domain(TEAM_A, "D") is Hidden.FEW_SCORED
    assert plan.domain(TEAM_A, "E") is None
    shown = decide(replace(base, scored={**scored, (TEAM_A, 1, "D"): 5}), with_statements=False)
    assert shown.domain(TEAM_A, "D") is None


def test_it_keeps_a_unit_s_mean_from_giving_away_the_few_scored_in_a_hidden_team():
    # A: 8 scored of 8; B: 6 answered, 2 scored. Shown beside A, the unit's mean less A's would
    # be the mean of B's 2, so one of them is hidden, though every cell's answers number 6 or
    # more.
    scored = {(TEAM_A, 1, "D"): 8, (TEAM_B, 1, "D"): 2}
    base = data({TEAM_A: 8, TEAM_B: 6}, order=[UNIT, TEAM_A, TEAM_B])
    plan = decide(replace(base, scored=scored), with_statements=False)
    assert plan.group(UNIT) is None
    assert plan.group(TEAM_B) is None
    assert plan.domain(UNIT, "D") is None
    assert plan.domain(TEAM_B, "D") is Hidden.FEW_SCORED
    assert plan.domain(TEAM_A, "D") is Hidden.PROTECTS_OTHERS


def test_it_counts_nobody_for_a_mean_where_nobody_has_a_score():
    # B's 4 answered too little to be scored: B's cell adds nobody to the unit's mean, so the
    # unit's mean and A's 3 scored would be the same 3 people, fewer than k.
    scored = {(TEAM_A, 1, "D"): 3}
    base = data({TEAM_A: 3, TEAM_B: 4}, order=[UNIT, TEAM_A, TEAM_B])
    plan = decide(replace(base, scored=scored), with_statements=False)
    assert plan.group(UNIT) is None
    assert plan.domain(UNIT, "D") is Hidden.FEW_SCORED


def test_it_refuses_to_decide_domains_without_knowing_who_has_a_score():
    """Not read is not none: a caller that forgot `scored` gets an error, not means unchecked."""
    base = data({TEAM_A: 6}, order=[TEAM_A])
    with pytest.raises(ValueError, match="scored"):
        decide(replace(base, scored=None), with_statements=False)
    with pytest.raises(ValueError, match="answer_counts"):
        decide(replace(base, answer_counts=None), with_statements=True)
    decide(replace(base, answer_counts=None), with_statements=False)  # not needed there
    plan = decide(base, with_statements=True)
    fine = breakdown_data({"practitioner": 6})
    with pytest.raises(ValueError, match="scored"):
        plan_breakdowns(
            base, plan, replace(fine, scored=None), groups=[TEAM_A], wanted=(TEAM_A, ((0, "p"),))
        )


def breakdown_data(values):
    """Team A's responses by role; everyone answered every statement."""
    responses: dict[tuple[str, int, tuple[str, ...]], int] = defaultdict(int)
    answers: dict[tuple[str, int, tuple[str, ...], str], int] = defaultdict(int)
    for role, n in values.items():
        responses[(TEAM_A, 1, (role,))] += n
        for code in STATEMENTS:
            answers[(TEAM_A, 1, (role,), code)] += n
    scored: dict[tuple[str, int, tuple[str, ...], Hashable], int] = {
        (TEAM_A, 1, (role,), d): n for role, n in values.items() for d in DOMAIN_SIZES
    }
    return BreakdownInput(responses=responses, answers=answers, fields=1, scored=scored)


@pytest.mark.parametrize(("scored", "expected"), [(2, Hidden.FEW_SCORED), (6, None)])
def test_it_says_a_breakdown_s_domain_is_hidden_for_its_few_scored(scored, expected):
    base = data({TEAM_A: 12}, order=[TEAM_A])
    plan = decide(base, with_statements=True)
    fine = breakdown_data({"practitioner": 6, "senior": 6})
    fine = replace(fine, scored={**fine.scored, (TEAM_A, 1, ("practitioner",), "D"): scored})
    decision = plan_breakdowns(
        base, plan, fine, groups=[TEAM_A], wanted=(TEAM_A, ((0, "practitioner"),))
    )
    assert decision.group is None
    assert decision.domains["D"] is expected
    assert decision.domains["E"] is None


def test_it_refuses_the_sibling_value_that_would_leave_the_not_given_few():
    """DISCLOSURE.md's first example: 5 practitioners, 5 seniors and 2 who gave no role."""
    base = data({TEAM_A: 12}, order=[TEAM_A])
    plan = decide(base, with_statements=True)
    fine = breakdown_data({"practitioner": 5, "senior": 5, "": 2})
    shown = [
        plan_breakdowns(base, plan, fine, groups=[TEAM_A], wanted=(TEAM_A, ((0, role),))).group
        for role in ("practitioner", "senior")
    ]
    assert sorted(shown, key=str) == sorted([None, Hidden.PROTECTS_OTHERS], key=str)


def test_it_decides_a_breakdown_the_same_whichever_is_asked_first():
    base = data({TEAM_A: 12}, order=[TEAM_A])
    plan = decide(base, with_statements=True)
    fine = breakdown_data({"practitioner": 5, "senior": 5, "": 2})

    def ask(role):
        return plan_breakdowns(
            base, plan, fine, groups=[TEAM_A], wanted=(TEAM_A, ((0, role),))
        ).group

    first = {role: ask(role) for role in ("practitioner", "senior")}
    second = {role: ask(role) for role in ("senior", "practitioner")}
    assert first == second


# -- the span of everything a plan releases, for random organisations --------------------------

TEAMS = [TEAM_A, TEAM_B, TEAM_C, "AAABAA", "AAABAB"]
UNITS = [ROOT, UNIT, "AAAB"]
# D has three statements, so someone who answered one of them has no D score (minimum_answers)
RANDOM_STATEMENTS = {"s1": "D", "s2": "D", "s3": "D", "s4": "E"}


@st.composite
def populations(draw):
    """Responses: (team, cycle, role, service, statements answered)."""
    rows = []
    for team in draw(st.lists(st.sampled_from(TEAMS), min_size=1, max_size=5, unique=True)):
        for _ in range(draw(st.integers(1, 12))):
            rows.append(
                (
                    team,
                    draw(st.sampled_from([1, 2])),
                    draw(st.sampled_from(["p", "s", ""])),
                    draw(st.sampled_from(["x", ""])),
                    frozenset(
                        draw(st.sets(st.sampled_from(sorted(RANDOM_STATEMENTS)), min_size=1))
                    ),
                )
            )
    return draw(st.integers(3, 6)), rows


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "150")), deadline=None)
@given(population=populations(), own=st.sampled_from([ROOT, UNIT, TEAM_A]))
def test_it_releases_nothing_from_which_a_small_group_follows(population, own):
    """Shares as answer counts, response counts, and means as the score sums they are: a domain
    mean weighs each scored response's answers by 1 / how many of the domain it answered."""
    k, rows = population
    by_domain: dict[str, set[str]] = defaultdict(set)
    for code, domain in RANDOM_STATEMENTS.items():
        by_domain[domain].add(code)
    responses: dict[tuple[str, int], int] = defaultdict(int)
    answers: dict[tuple[str, int, str], int] = defaultdict(int)
    answer_counts: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    scored: dict[tuple[str, int, Hashable], int] = defaultdict(int)
    fine_responses: dict[tuple[str, int, tuple[str, ...]], int] = defaultdict(int)
    fine_answers: dict[tuple[str, int, tuple[str, ...], str], int] = defaultdict(int)
    fine_scored: dict[tuple[str, int, tuple[str, ...], Hashable], int] = defaultdict(int)
    for team, cycle, role, service, asked in rows:
        responses[(team, cycle)] += 1
        fine_responses[(team, cycle, (role, service))] += 1
        for code in asked:
            answers[(team, cycle, code)] += 1
            fine_answers[(team, cycle, (role, service), code)] += 1
        for domain, codes in by_domain.items():
            if n := len(asked & codes):
                answer_counts[(team, cycle, domain)].add(n)
                if n >= minimum_answers(len(codes)):
                    scored[(team, cycle, domain)] += 1
                    fine_scored[(team, cycle, (role, service), domain)] += 1
    paths = sorted({*UNITS, *TEAMS})
    reached = [p for p in paths if p.startswith(own)]
    above = [p for p in [ROOT, UNIT] if own.startswith(p) and p != own]
    order = sorted(reached, key=len) + sorted(above, key=len, reverse=True)
    base = PlanInput(
        k=k,
        order=order,
        responses=responses,
        answers=answers,
        statement_domains=RANDOM_STATEMENTS,
        domain_order=["D", "E"],
        step=2,
        answer_counts={key: frozenset(found) for key, found in answer_counts.items()},
        scored=scored,
    )
    plan = decide(base, with_statements=True)
    fine = BreakdownInput(
        responses=fine_responses, answers=fine_answers, fields=2, scored=fine_scored
    )

    def members(path, wanted=()):
        return [
            index
            for index, (team, _cycle, role, service, _) in enumerate(rows)
            if team.startswith(path) and all((role, service)[i] == v for i, v in wanted)
        ]

    def answer_set(indices, codes):
        return frozenset((i, code) for i in indices for code in rows[i][4] if code in codes)

    def domain_figures(indices, domain, where):
        codes = by_domain[domain]
        weights: dict[Hashable, Fraction] = {}
        for i in indices:
            answered = rows[i][4] & codes
            if len(answered) >= minimum_answers(len(codes)):
                weights.update({(i, code): Fraction(1, len(answered)) for code in answered})
        return [
            Released("answers", answer_set(indices, codes), where),
            Released("scores", frozenset(weights), where, weights),
        ]

    released = []
    for path in order:
        if plan.group(path) is None:
            released.append(Released("responses", frozenset(members(path)), path))
        for domain in ("D", "E"):
            if plan.domain(path, domain) is None:
                released += domain_figures(members(path), domain, path)
        for code in RANDOM_STATEMENTS:
            if plan.statement(path, code) is None:
                cells = answer_set(members(path), {code})
                released.append(Released("answers", cells, path))
                if (path, code) not in plan.means_hidden:
                    released.append(Released("scores", cells, path))
    under = base.nodes_under()
    for path, wanted in breakdown_order(fine, reached, under):
        decision = plan_breakdowns(base, plan, fine, groups=reached, wanted=(path, wanted))
        where = f"{path} {wanted}"
        if decision.group is None:
            released.append(Released("responses", frozenset(members(path, wanted=wanted)), where))
        for chosen, reason in decision.domains.items():
            if reason is None:
                released += domain_figures(members(path, wanted=wanted), str(chosen), where)
    assert violations([r for r in released if r.elements], k=k) == []
    assert weighted_violations(released, k=k) == []


def test_it_orders_breakdowns_single_fields_first_then_pairs():
    base = data({TEAM_A: 12}, order=[TEAM_A])
    fine = BreakdownInput(
        responses={(TEAM_A, 1, ("p", "x")): 6, (TEAM_A, 1, ("s", "y")): 6},
        answers={},
        fields=2,
        scored={},
    )
    order = breakdown_order(fine, [TEAM_A], base.nodes_under())
    sizes = [len(breakdown) for _, breakdown in order]
    assert sizes == sorted(sizes)
    assert {b for _, b in order if len(b) == 2} == {((0, "p"), (1, "x")), ((0, "s"), (1, "y"))}


def _constraints(
    size: int, *, exact: dict[tuple[int, ...], int], bands: dict[tuple[int, ...], tuple]
) -> tuple[list, list, list, list]:
    """The linear constraints on `size` counts: rows and values of the exact sums, then of the
    bands' inequalities (each band's least, and its most where it has one)."""
    equal_rows, equal_values, upper_rows, upper_values = [], [], [], []
    for counts, n in exact.items():
        equal_rows.append([1 if i in counts else 0 for i in range(size)])
        equal_values.append(n)
    for counts, (low, high) in bands.items():
        row = [1 if i in counts else 0 for i in range(size)]
        upper_rows.append([-v for v in row])
        upper_values.append(-low)
        if high is not None:
            upper_rows.append(row)
            upper_values.append(high)
    return equal_rows, equal_values, upper_rows, upper_values


# Beyond any count a test makes: a count with no top is given this one where HiGHS gives up.
NO_TOP = 100_000


def _linprog(*args, **kwargs):
    """SciPy's linprog, with HiGHS's simplex and then its interior point where its default
    gives up on a rare problem ("model status Unknown", status 4: not an answer either way).

    Where all three give up (seen on a most whose counts have no top at all: every group of an
    organisation hidden, a team with no bound), the counts with no top are given NO_TOP, and an
    answer that reaches it is read as having no most (status 3), as HiGHS says elsewhere."""
    for method in ("highs", "highs-ds", "highs-ipm"):
        result = linprog(*args, method=method, **kwargs)
        if result.status != 4:
            return result
    capped = [(low, NO_TOP if high is None else high) for low, high in kwargs.pop("bounds")]
    result = linprog(*args, method="highs", bounds=capped, **kwargs)
    if result.status == 0 and abs(result.fun) >= NO_TOP:
        result.status = 3
    return result


def _count_range(
    members: list[int],
    *,
    exact: dict[tuple[int, ...], int],
    bands: dict[tuple[int, ...], tuple],
    most: list[int | None],
) -> tuple[float, float]:
    """The least and most the counts `members` can hold together, given the exact counts and
    the bands of hidden counts a viewer reads, and the most each count can be (its codes made):
    a linear programme over the counts (a tree of sums, where its bounds are whole numbers)."""
    size = len(most)
    equal_rows, equal_values, upper_rows, upper_values = _constraints(
        size, exact=exact, bands=bands
    )
    objective = [1 if i in members else 0 for i in range(size)]
    found = []
    for sign in (1, -1):
        result = _linprog(
            [sign * v for v in objective],
            A_ub=upper_rows or None,
            b_ub=upper_values or None,
            A_eq=equal_rows or None,
            b_eq=equal_values or None,
            bounds=[(0, bound) for bound in most],
        )
        assert result.status in (0, 3)  # 3: no most (a band of "k or more" has no top)
        found.append(sign * result.fun if result.status == 0 else float("inf"))
    return found[0], found[1]


def _per_cycle(counts: dict) -> dict[tuple[str, int], int]:
    """Counts by team (one cycle), or already by team and cycle."""
    return {(key, 1) if isinstance(key, str) else key: n for key, n in counts.items()}


def _plan_groups(counts: dict, *, k: int, order: list[str], codes: dict | None = None):
    """The groups' decisions for the responses `counts`, by team (one cycle) or by team and
    cycle, with the codes made for them (by team and cycle)."""
    responses = {key: n for key, n in _per_cycle(counts).items() if n}
    return decide_groups(
        PlanInput(
            k=k,
            order=order,
            responses=responses,
            answers={},
            statement_domains={},
            domain_order=[],
            step=2,
            codes=codes or {},
        )
    )


@dataclass(frozen=True)
class _Reading:
    """The counts by team and cycle (`keys`), as a viewer reads them beside a plan: the exact
    counts of the shown groups, the bands of the hidden ones, the bands of them all, and the
    most each count can be (`most`: its bound)."""

    keys: list
    exact: dict
    bands: dict
    every_band: dict
    most: list
    hidden: list


def _reading(plan, *, counts: dict, order, k: int, most_of) -> _Reading | None:
    """The viewer's reading of `plan` (None where there are no counts): `most_of(key, n)` is
    the most the viewer takes the count `n` of (team, cycle) `key` to be, or None."""
    by_cycle = _per_cycle(counts)
    keys = sorted(key for key in by_cycle.keys() | most_of.keys() if key)
    keys = [key for key in keys if by_cycle.get(key) or most_of.get(key)]
    if not keys:
        return None

    def members(path):
        return tuple(i for i, (node, _cycle) in enumerate(keys) if node.startswith(path))

    def count(indices):
        return sum(by_cycle.get(keys[i], 0) for i in indices)

    exact = {members(p): count(members(p)) for p in order if plan.group(p) is None}
    hidden = [members(p) for p in order if plan.group(p) is not None]
    hidden += [(i,) for i in range(len(keys)) if (i,) not in exact]
    return _Reading(
        keys=keys,
        exact=exact,
        bands={
            members(p): band_range(count(members(p)), k=k)
            for p in order
            if plan.group(p) is not None
        },
        every_band={members(p): band_range(count(members(p)), k=k) for p in order},
        most=[most_of.get(key) for key in keys],
        hidden=hidden,
    )


def _assert_only_the_bands_alone_pin(
    plan, *, counts: dict, order, k: int, codes: dict | None = None
) -> None:
    """No hidden count of 1 to k−1 (a group's, or one node's responses to one cycle) is
    determined by the shown counts, the bands and the codes made the viewer sees (their own
    teams', the nodes that are groups of the family), unless those bands and codes alone, with
    nothing shown, determine it: the residual docs/anonymity.md states, which no hiding helps."""
    by_cycle = _per_cycle(counts)
    seen = {key: made for key, made in (codes or {}).items() if key[0] in order and made}
    most_of = {key: made if made >= by_cycle.get(key, 0) else None for key, made in seen.items()}
    reading = _reading(plan, counts=counts, order=order, k=k, most_of=most_of)
    if reading is None:
        return  # no responses and no codes: every count is none
    _assert_pins_only_alone(reading, k=k, context=(by_cycle, codes, plan.groups))


def _assert_pins_only_alone(reading: _Reading, *, k: int, context) -> None:
    for indices in reading.hidden:
        low, high = _count_range(
            list(indices), exact=reading.exact, bands=reading.bands, most=reading.most
        )
        if abs(high - low) < 1e-6 and 0.5 < low < k - 0.5:
            alone = _count_range(
                list(indices), exact={}, bands=reading.every_band, most=reading.most
            )
            assert abs(alone[1] - alone[0]) < 1e-6, (indices, low, context)


def _node_of(team: str, own: str) -> str:
    """The node a team is counted in for a viewer whose reach is `own`: itself within the
    reach, else the child, on the way to the team, of the deepest unit above both (a bucket of
    teams, as `diagnostics.results.viewer_nodes` makes them)."""
    if team.startswith(own):
        return team
    common = 0
    while team[: common + 2] == own[: common + 2]:
        common += 2
    return team[: common + 2]


def _bucketed(by_team_and_cycle: dict, own: str) -> dict:
    found: dict[tuple[str, int], int] = defaultdict(int)
    for (team, cycle), n in by_team_and_cycle.items():
        found[(_node_of(team, own), cycle)] += n
    return dict(found)


def _viewer_order(own: str) -> list[str]:
    """The groups of a viewer whose reach is `own`, in the plan's order: the units and teams
    they reach, shallowest first, then the units above them, nearest first."""
    reached = [p for p in sorted({*UNITS, *TEAMS}) if p.startswith(own)]
    above = [p for p in [ROOT, UNIT, "AAAB"] if own.startswith(p) and p != own]
    return sorted(reached, key=len) + sorted(above, key=len, reverse=True)


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "150")), deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=11), min_size=5, max_size=5),
    k=st.integers(3, 6),
    own=st.sampled_from([ROOT, UNIT, "AAAB", TEAM_A]),
)
def test_it_leaves_no_hidden_count_that_the_bands_pin_beside_the_shown_ones(counts, k, own):
    order = _viewer_order(own)
    by_team = dict(zip(TEAMS, counts, strict=True))
    plan = _plan_groups(by_team, k=k, order=order)
    _assert_only_the_bands_alone_pin(plan, counts=by_team, order=order, k=k)


def test_it_keeps_an_org_admin_s_organisation_where_hiding_beside_a_pin_will_do():
    """From a council's first diagnostic: Community's 6 are East's 5 and West's 1. The bands
    pin West whatever Community's teams show, so Community goes, then Adults Services; Adults
    is the organisation's 27 less Children's Services, which its shown parts (13 and 8) give
    even where it is hidden. Hiding the smaller of those parts (8) frees it: the admin keeps
    the organisation's figures, which the pin used to climb to and hide."""
    root, cs, adults = "AA", "AAAA", "AAAB"
    safeguarding, looked_after, community = "AAAAAA", "AAAAAB", "AAABAA"
    north, south, duty = "AAAAAAAA", "AAAAAAAB", "AAAAAAAC"
    wyr, fostering = "AAAAABAA", "AAAAABAB"
    east, west = "AAABAAAA", "AAABAAAB"
    counts = {north: 6, south: 5, duty: 2, wyr: 3, fostering: 5, east: 5, west: 1}
    order = [root, cs, adults, safeguarding, looked_after, community]
    order += [north, south, fostering, east, wyr, duty, west]

    plan = _plan_groups(counts, k=5, order=order)

    assert plan.group(root) is None
    assert plan.group(safeguarding) is None
    assert plan.group(looked_after) is Hidden.PROTECTS_OTHERS
    assert plan.group(community) is plan.group(adults) is Hidden.PROTECTS_OTHERS
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=5)


def test_it_still_hides_for_a_pin_beside_a_small_unit_the_bands_alone_pin():
    """A unit of four teams of 1 ("fewer than 5" each, 4 in all) is pinned by its bands alone,
    which no hiding helps; it must not stop the engine hiding team A beside B and C (4 and 4),
    nor cost the organisation its figures."""
    root, u1, u2, u3 = "AA", "AAAA", "AAAB", "AAAC"
    service, a, b, c = "AAAAAA", "AAAAAAAA", "AAAAAAAB", "AAAAAAAC"
    small = ["AAABAA", "AAABAB", "AAABAC", "AAABAD"]
    counts = {a: 12, b: 4, c: 4, "AAACAA": 6, **dict.fromkeys(small, 1)}
    order = [root, u1, u3, u2, service, "AAACAA", *small, a, b, c]
    plan = _plan_groups(counts, k=5, order=order)
    assert plan.group(root) is None
    assert plan.group(service) is None
    assert plan.group(a) is Hidden.PROTECTS_OTHERS
    assert plan.group(b) is plan.group(c) is Hidden.FEWER_THAN_K


@st.composite
def deeper_organisations(draw):
    """An organisation of two units, each of one to three services of one to three teams."""
    counts = {}
    for u in range(draw(st.integers(1, 2))):
        for s_ in range(draw(st.integers(1, 3))):
            for t in range(draw(st.integers(1, 3))):
                counts[f"AAA{'AB'[u]}A{'ABC'[s_]}A{'ABC'[t]}"] = draw(st.integers(0, 8))
    return draw(st.integers(3, 5)), counts


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "60")), deadline=None)
@given(organisation=deeper_organisations())
def test_it_leaves_pinned_only_the_counts_the_bands_pin_with_nothing_shown(organisation):
    k, counts = organisation
    groups = {team[:end] for team in counts for end in range(2, len(team) + 1, 2)}
    order = sorted(groups, key=len)
    plan = _plan_groups(counts, k=k, order=order)
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=k)


# -- codes made bound the counts ------------------------------------------------------------------


def test_it_hides_a_shown_team_where_codes_made_leave_the_remainder_one_value():
    """The unit's 20 less team A's 12 leaves 8 for B (hidden beside A, "5 or more") and C
    ("fewer than 5"): 5 and 3, or 6 and 2, or 7 and 1; but B made 5 codes, so C has 3. Hiding
    A instead lets B be shown: 15 for A and C leaves C 1 to 4."""
    counts = {TEAM_A: 12, TEAM_B: 5, TEAM_C: 3}
    order = [ROOT, UNIT, TEAM_A, TEAM_B, TEAM_C]
    assert _plan_groups(counts, k=5, order=order).group(TEAM_A) is None
    codes = {(TEAM_A, 1): 20, (TEAM_B, 1): 5, (TEAM_C, 1): 10}
    plan = _plan_groups(counts, k=5, order=order, codes=codes)
    assert plan.group(UNIT) is None
    assert plan.group(TEAM_A) is Hidden.PROTECTS_OTHERS
    assert plan.group(TEAM_B) is None
    assert plan.group(TEAM_C) is Hidden.FEWER_THAN_K
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=5, codes=codes)


def test_it_hides_a_pools_count_where_each_pulse_made_as_many_codes_as_it_has_responses():
    """Team B's pool of two pulses holds 8, and each pulse made 4 codes: 4 in each. Hidden,
    B reads "5 or more", and each pulse has 1 to 4; team A, shown beside it, would give B's 8
    back, so it goes too, and the unit keeps its figures."""
    counts = {(TEAM_A, 1): 5, (TEAM_A, 2): 5, (TEAM_B, 1): 4, (TEAM_B, 2): 4}
    codes = {(TEAM_A, 1): 9, (TEAM_A, 2): 9, (TEAM_B, 1): 4, (TEAM_B, 2): 4}
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    assert _plan_groups(counts, k=5, order=order).group(TEAM_B) is None
    plan = _plan_groups(counts, k=5, order=order, codes=codes)
    assert plan.group(UNIT) is None
    assert plan.group(TEAM_A) is Hidden.PROTECTS_OTHERS
    assert plan.group(TEAM_B) is Hidden.PROTECTS_OTHERS
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=5, codes=codes)


def test_it_bounds_nothing_by_codes_made_fewer_than_the_responses():
    """Responses loaded without their codes (an import) are not bounded by the few codes
    there are: the team of 12 with 2 codes stays shown, as with no codes at all."""
    counts = {TEAM_A: 12, TEAM_B: 6}
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    plan = _plan_groups(counts, k=5, order=order, codes={(TEAM_A, 1): 2, (TEAM_B, 1): 6})
    assert plan.groups == _plan_groups(counts, k=5, order=order).groups


def test_it_leaves_a_team_that_made_one_code_to_the_residual_no_hiding_helps():
    """A team that made 1 code and reads "fewer than 5" has 1 response whatever else is shown
    (docs/anonymity.md, "What remains"): it hides nothing beside it."""
    counts = {TEAM_A: 12, TEAM_B: 7, TEAM_C: 1}
    order = [ROOT, UNIT, TEAM_A, TEAM_B, TEAM_C]
    codes = {(TEAM_A, 1): 15, (TEAM_B, 1): 15, (TEAM_C, 1): 1}
    plan = _plan_groups(counts, k=5, order=order, codes=codes)
    assert plan.groups == _plan_groups(counts, k=5, order=order).groups
    assert plan.group(TEAM_A) is None


def test_it_hides_where_codes_the_viewer_does_not_see_would_pin_a_count_alone():
    """Team A's manager sees that A made 1 code, so A has 1 response; North's 5 would then give
    Team B's 4 away. B's own 4 codes pin B with nothing shown, but only to whoever sees them,
    which A's manager does not: North and the organisation are hidden."""
    counts = {(TEAM_A, 1): 1, (TEAM_B, 1): 4}
    codes = {(TEAM_A, 1): 1, (TEAM_B, 1): 4}
    order = [TEAM_A, UNIT, ROOT]
    plan = _plan_groups(counts, k=5, order=order, codes=codes)
    assert plan.group(UNIT) is Hidden.PROTECTS_OTHERS
    assert plan.group(ROOT) is Hidden.PROTECTS_OTHERS
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=5, codes=codes)


@st.composite
def coded_responses(draw):
    """Responses by team and cycle (one cycle, or a pool of two pulses), and the codes made for
    each: as many as its responses, a few more, or none (responses imported without codes)."""
    cycles = draw(st.sampled_from([(1,), (1, 2)]))
    counts, codes = {}, {}
    for team in TEAMS:
        for cycle in cycles:
            counts[(team, cycle)] = n = draw(st.one_of(st.integers(0, 4), st.integers(0, 8)))
            extra = draw(st.sampled_from([0, 0, 1, 2, 6, None]))  # None: imported, no codes
            codes[(team, cycle)] = 0 if extra is None else n + extra
    return counts, codes


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "150")), deadline=None)
@given(
    coded=coded_responses(),
    k=st.integers(3, 6),
    own=st.sampled_from([ROOT, UNIT, "AAAB", TEAM_A]),
)
def test_it_leaves_no_count_that_the_codes_made_pin_beside_the_shown_ones(coded, k, own):
    counts, codes = (_bucketed(found, own) for found in coded)
    order = _viewer_order(own)
    plan = _plan_groups(counts, k=k, order=order, codes=codes)
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=k, codes=codes)


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "60")), deadline=None)
@given(
    organisation=deeper_organisations(),
    slack=st.lists(st.sampled_from([0, 1, 3]), min_size=18, max_size=18),
)
def test_it_leaves_no_count_that_the_codes_made_pin_in_a_deeper_organisation(organisation, slack):
    k, counts = organisation
    codes = {
        (team, 1): n + extra
        for (team, n), extra in zip(sorted(counts.items()), slack[: len(counts)], strict=True)
    }
    groups = {team[:end] for team in counts for end in range(2, len(team) + 1, 2)}
    order = sorted(groups, key=len)
    plan = _plan_groups(counts, k=k, order=order, codes=codes)
    _assert_only_the_bands_alone_pin(plan, counts=counts, order=order, k=k, codes=codes)


def test_it_hides_a_unit_whose_sibling_the_codes_of_a_team_in_one_pulse_of_a_pool_pin():
    """A pool of two pulses; team A took part in the first only, with 10 responses, 10 codes and
    a headcount of 3, and reads "5 or more"; B has 4. The band shows the headcount wrong, so
    A's reader takes its 10 codes, and the unit's 14 gives B's 4 away: the unit is hidden."""
    from diagnostics.results import bounds_read

    counts = {(TEAM_A, 1): 10, (TEAM_B, 2): 4}
    bounds = bounds_read({(TEAM_A, 1): 10, (TEAM_B, 2): 9}, {(TEAM_A, 1): 3}, counts, k=5)
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    plan = _plan_groups(counts, k=5, order=order, codes=bounds)
    assert plan.group(UNIT) is not None or plan.group(TEAM_A) is None
    _assert_only_the_bands_alone_pin(
        plan, counts=counts, order=order, k=5, codes={(TEAM_A, 1): 10, (TEAM_B, 2): 9}
    )


def test_it_hides_a_unit_that_says_which_of_its_teams_headcounts_are_wrong():
    """Teams A and B "fewer than 5", each with a headcount of 2, in a unit "5 or more": alone,
    some headcount is wrong. Shown, the unit's 7 leaves each team 3 or 4, so both are."""
    counts = {TEAM_A: 3, TEAM_B: 4}
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    plan = _plan_groups(counts, k=5, order=order, codes={(TEAM_A, 1): 2, (TEAM_B, 1): 2})
    assert plan.group(UNIT) is not None


@pytest.mark.xfail(
    strict=True,
    reason="the unit is hidden for a broken headcount exactly where its count would show both "
    "headcounts wrong (7 or 8) and shown where it would not (5 or 6), so whoever replays the "
    "published rules on the counts the bands allow reads from 'hidden' what the 7 would say",
)
def test_it_does_not_say_by_hiding_a_unit_that_both_of_its_teams_headcounts_are_wrong():
    """Teams A and B "fewer than 5", each with a headcount of 2, in a unit "5 or more" (5 to
    8): that some headcount is wrong is what the bands and bounds say alone. The unit is hidden
    in every world where both are wrong (3 and 4, 4 and 3, 4 and 4) and shown in every world
    where one holds, so its being hidden says that both are: what hiding it was for."""
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    codes = {(TEAM_A, 1): 2, (TEAM_B, 1): 2}
    hidden_in = [
        (a, b)
        for a in range(1, 5)
        for b in range(1, 5)
        if a + b >= 5
        and _plan_groups({TEAM_A: a, TEAM_B: b}, k=5, order=order, codes=codes).group(UNIT)
        is not None
    ]
    assert hidden_in  # the unit is hidden somewhere...
    assert any(min(world) <= 2 for world in hidden_in), hidden_in  # ...not only where both fail


@pytest.mark.xfail(
    strict=True,
    reason="a pulse with neither codes nor a headcount bounds nothing (0 is no bound), so "
    "whether the team is bounded depends on whether responses were imported into it",
)
def test_it_reads_a_pulse_with_no_codes_as_bounding_its_team_as_its_reader_does():
    """Team A took part in two pulses of a pool: 6 codes for the first, none for the second
    (responses imported into it). Read as the cycle pages give it, A has at most 6, and beside
    the unit's 10 B's "fewer than 5" is 4. With 6 and 0 responses the unit is hidden; with 5
    and 1 (imported) it is shown, though its reader reads the same."""
    codes = {(TEAM_A, 1): 6, (TEAM_B, 1): 9}
    order = [ROOT, UNIT, TEAM_A, TEAM_B]
    six_and_none = {(TEAM_A, 1): 6, (TEAM_B, 1): 4}
    five_and_one = {(TEAM_A, 1): 5, (TEAM_A, 2): 1, (TEAM_B, 1): 4}
    assert _plan_groups(six_and_none, k=5, order=order, codes=codes).group(UNIT) is not None
    assert _plan_groups(five_and_one, k=5, order=order, codes=codes).group(UNIT) is not None


def _holds_together(
    size: int, *, exact: dict[tuple[int, ...], int], bands: dict[tuple[int, ...], tuple], most
) -> bool:
    """Whether some counts meet the exact counts, the bands and the bounds together."""
    equal_rows, equal_values, upper_rows, upper_values = _constraints(
        size, exact=exact, bands=bands
    )
    result = _linprog(
        [0] * size,
        A_ub=upper_rows or None,
        b_ub=upper_values or None,
        A_eq=equal_rows or None,
        b_eq=equal_values or None,
        bounds=[(0, bound) for bound in most],
    )
    assert result.status in (0, 2)
    return bool(result.status == 0)


@st.composite
def responses_with_bounds_below_them(draw):
    """Responses by team and cycle, and the bound a reader reads for each (codes made, or a
    headcount), which may be below the responses (a headcount that was wrong, codes voided)."""
    cycles = draw(st.sampled_from([(1,), (1, 2)]))
    counts, bounds = {}, {}
    for team in TEAMS:
        for cycle in cycles:
            counts[(team, cycle)] = n = draw(st.integers(0, 8))
            slack = draw(st.sampled_from([-4, -3, -2, -1, 0, 0, 1, 6, None]))
            bounds[(team, cycle)] = 0 if slack is None else max(1, n + slack)
    return counts, bounds


@settings(max_examples=int(os.environ.get("AUDIT_EXAMPLES", "150")), deadline=None)
@given(
    bounded=responses_with_bounds_below_them(),
    k=st.integers(3, 6),
    own=st.sampled_from([ROOT, UNIT, TEAM_A]),
)
# Found by CI: everything hidden from an org admin, a count with no top, and HiGHS giving up on
# the most of the whole (`_linprog`).
@example(
    bounded=(
        {
            **dict.fromkeys([(t, c) for t in TEAMS for c in (1, 2)], 0),
            ("AAAAAB", 1): 6,
            ("AAAAAC", 2): 3,
            ("AAABAA", 2): 5,
            ("AAABAB", 2): 6,
        },
        {
            **dict.fromkeys([(t, c) for t in TEAMS for c in (1, 2)], 1),
            ("AAAAAB", 1): 5,
            ("AAABAA", 2): 3,
            ("AAABAB", 2): 0,
        },
    ),
    k=6,
    own=ROOT,
)
def test_it_never_lets_a_bound_below_the_responses_be_read_from_what_is_shown(bounded, k, own):
    """A bound below the responses is read as given: what is shown never contradicts it unless
    the bands alone do (which says only that some bound is wrong), and pins no count beside it
    that the bands and bounds alone do not. Dropping such a bound where the responses are above
    it would say so through what is hidden."""
    counts, bounds = (_bucketed(found, own) for found in bounded)
    order = _viewer_order(own)
    plan = _plan_groups(counts, k=k, order=order, codes=bounds)
    seen = {key: b for key, b in bounds.items() if key[0] in order and b}
    reading = _reading(plan, counts=counts, order=order, k=k, most_of=seen)
    if reading is None:
        return
    # A count shown exactly beside its own bound says itself that the bound is wrong, and
    # nothing more: only the bounds of counts not shown are read as given.
    most = [None if (i,) in reading.exact else b for i, b in enumerate(reading.most)]
    reading = replace(reading, most=most)
    size = len(reading.keys)
    _assert_no_bound_shown_wrong_that_is_not_alone(reading, context=(counts, bounds, plan.groups))
    alone = _holds_together(size, exact={}, bands=reading.every_band, most=most)
    if not _holds_together(size, exact=reading.exact, bands=reading.bands, most=most):
        assert not alone, (counts, bounds, plan.groups)
        return
    _assert_pins_only_alone(reading, k=k, context=(counts, bounds, plan.groups))


def _assert_no_bound_shown_wrong_that_is_not_alone(reading: _Reading, *, context) -> None:
    """No hidden team's bound (the sum of its cycles') is shown to be wrong, whichever other
    bounds are, by the exact counts and the bands (its least above it with no bound at all),
    unless the bands alone show it: a contradiction tells the viewer no more than which teams'
    bounds the bands alone give away as wrong."""
    unbounded: list[int | None] = [None] * len(reading.keys)
    for team in sorted({node for node, _cycle in reading.keys}):
        members = tuple(i for i, (node, _cycle) in enumerate(reading.keys) if node == team)
        bounds = [reading.most[i] for i in members]
        if members in reading.exact or None in bounds:
            continue
        least, _most = _count_range(
            list(members), exact=reading.exact, bands=reading.bands, most=unbounded
        )
        if least > sum(bounds) + 0.5:
            alone, _most = _count_range(
                list(members), exact={}, bands=reading.every_band, most=unbounded
            )
            assert alone > sum(bounds) + 0.5, (team, least, sum(bounds), context)
