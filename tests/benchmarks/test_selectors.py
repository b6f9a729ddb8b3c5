from __future__ import annotations

from datetime import date

import pytest

from benchmarks.rules import Position
from benchmarks.selectors import benchmark_for
from benchmarks.services import compute_benchmarks, import_reference
from diagnostics.models import Cycle


def test_it_compares_with_similar_organisations_when_the_admin_asks(build_org):
    built = [build_org(score=s, kind="children", compare_with="kind") for s in (2, 3, 4, 5, 6)]
    for score in (1, 1, 1, 1, 1):
        build_org(score=score, kind="adults")
    compute_benchmarks()
    reading = benchmark_for(built[2].organisation, cycle=built[2].cycle)
    assert reading is not None
    assert reading.among == "organisations of the same type"
    assert reading.note == ""
    root = built[2].units["root"]
    found = reading.percentiles(root, "WL")
    assert found is not None
    assert (found.p20, found.p50, found.p80) == pytest.approx((2.8, 4.0, 5.2))
    assert reading.position(root, "WL", 4.0) == Position.FROM_50_TO_80
    assert reading.position(root, "WL", None) is None


def test_it_falls_back_to_all_and_says_why(build_org):
    built = [build_org(score=s) for s in (2, 3, 4, 5)]
    ours = build_org(score=6, kind="adults", compare_with="kind")
    compute_benchmarks()
    reading = benchmark_for(ours.organisation, cycle=ours.cycle)
    assert reading is not None
    assert reading.among == "all organisations taking part"
    assert "Fewer than five organisations of the same type take part" in reading.note
    assert built


def test_it_uses_the_latest_earlier_period_for_a_cycle_whose_own_is_not_computed(
    five_orgs, build_org
):
    compute_benchmarks()
    later = build_org("Council Later", score=4, closes_on=date(2026, 10, 1))
    reading = benchmark_for(later.organisation, cycle=later.cycle)
    assert reading is not None
    assert reading.period == "January to June 2026"


def test_it_gives_a_pulse_no_benchmark(five_orgs):
    compute_benchmarks()
    ours = five_orgs[0]
    pulse = Cycle(organisation=ours.organisation, kind=Cycle.Kind.PULSE, closes_on=date(2026, 3, 1))
    assert benchmark_for(ours.organisation, cycle=pulse) is None


def test_it_uses_the_reference_table_without_a_computed_benchmark(build_org):
    ours = build_org(score=4, opt_in=False)
    assert benchmark_for(ours.organisation, cycle=ours.cycle) is None
    import_reference(text="domain,p20,p50,p80,source,period\nWL,3,3.5,4,Survey,2025\n")
    reading = benchmark_for(ours.organisation, cycle=ours.cycle)
    assert reading is not None
    assert reading.is_reference
    assert reading.heading == "Survey, 2025"
    team = ours.units["Team 1"]
    assert reading.position(team, "WL", 4.1) == Position.ABOVE_80
    assert reading.percentiles(team, "SUP") is None
