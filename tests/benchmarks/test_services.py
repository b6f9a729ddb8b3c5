from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from benchmarks.models import Benchmark, BenchmarkRow
from benchmarks.services import (
    compute_benchmarks,
    contribution_of,
    import_reference,
)
from diagnostics.models import Domain
from diagnostics.results import load_domains

ORG = BenchmarkRow.Level.ORGANISATION
TEAM = BenchmarkRow.Level.TEAM


def _row(
    level: str, cohort: str = "all", domain: str = "WL", period: str = "2026-H1"
) -> BenchmarkRow:
    return BenchmarkRow.objects.get(
        benchmark__kind=Benchmark.Kind.COMPUTED,
        benchmark__cohort=cohort,
        benchmark__period=period,
        level=level,
        domain__code=domain,
    )


def test_it_computes_percentiles_of_organisation_and_team_means_as_worked_by_hand(five_orgs):
    # Organisation means 2, 3, 4, 5, 6 → 20th 2.8, 50th 4, 80th 5.2 (rank 0.8, 2, 3.2).
    # Team means, two per organisation: 2,2,3,3,4,4,5,5,6,6 → rank 1.8 → 2.8; rank 4.5 → 4;
    # rank 7.2 → 5.2.
    summary = compute_benchmarks()
    benchmark = Benchmark.objects.get(kind=Benchmark.Kind.COMPUTED, cohort="all")
    assert benchmark.period == "2026-H1"
    assert benchmark.organisations == 5
    # The nine conditions only: outcomes are not benchmarked.
    domains = Domain.objects.conditions().count()
    assert summary.rows == 2 * domains == 18
    for code in Domain.objects.conditions().values_list("code", flat=True):
        org = _row(ORG, domain=code)
        assert (org.p20, org.p50, org.p80) == pytest.approx((2.8, 4.0, 5.2))
        assert (org.organisations, org.groups) == (5, 5)
        team = _row(TEAM, domain=code)
        assert (team.p20, team.p50, team.p80) == pytest.approx((2.8, 4.0, 5.2))
        assert (team.organisations, team.groups) == (5, 10)


def test_it_computes_nothing_below_five_organisations(build_org):
    for score in (2, 3, 4, 5):
        build_org(score=score)
    build_org(score=6, opt_in=False)  # a fifth organisation that does not take part
    assert compute_benchmarks().benchmarks == 0
    assert not Benchmark.objects.exists()


def test_it_leaves_out_a_mean_its_own_org_admin_would_see_hidden(five_orgs, build_org):
    # A sixth organisation whose whole diagnostic has 4 responses (k = 5): its organisation
    # mean is hidden from its own admin, so it is left out and the benchmark is unchanged.
    build_org("Tiny Council", {"Team 1": (2, 1), "Team 2": (2, 1)})
    compute_benchmarks()
    org = _row(ORG)
    assert (org.p20, org.p50, org.p80) == pytest.approx((2.8, 4.0, 5.2))
    assert org.organisations == 5
    assert _row(TEAM).groups == 10


def test_it_takes_a_teams_mean_only_where_the_engine_shows_it(build_org):
    built = build_org("Mixed Council", {"Big": (6, 5), "Other": (6, 5), "Small": (2, 1)}, score=5)
    (contribution,) = [contribution_of(built.cycle, domains=load_domains())]
    workload = Domain.objects.get(code="WL").pk
    team_means = contribution.means[TEAM][workload]
    # Small's 2 responses are never shown; complementary suppression hides one of its
    # siblings too (the service's remainder would otherwise be 2). Small's 1.0 never appears.
    assert team_means == [5.0]
    # The organisation's mean is shown and covers all 14 responses: (12 × 5 + 2 × 1) / 14.
    assert contribution.means[ORG][workload] == [4.4]


def test_it_narrows_to_similar_organisations_only_when_five_remain(build_org):
    for score in (2, 3, 4, 5, 6):
        build_org(score=score, kind="children", size_band="small")
    for score in (1, 1, 2, 2):
        build_org(score=score, kind="adults", size_band="small")
    build_org(score=3, kind="all_age", size_band="small")
    compute_benchmarks()
    cohorts = set(Benchmark.objects.values_list("cohort", flat=True))
    # Ten in all (and ten small): five children's; four adults' and one all-age are too few.
    assert cohorts == {"all", "size:small", "kind:children", "kind:children|size:small"}
    narrowed = _row(ORG, cohort="kind:children")
    assert (narrowed.p20, narrowed.p50, narrowed.p80) == pytest.approx((2.8, 4.0, 5.2))
    everyone = _row(ORG, cohort="all")  # 1,1,2,2,2,3,3,4,5,6: 20th at rank 1.8 → 1.8
    assert everyone.p20 == pytest.approx(1.8)
    assert _row(ORG, cohort="size:small").organisations == 10


def test_it_leaves_out_of_later_periods_an_organisation_that_stops_taking_part(
    five_orgs, build_org
):
    compute_benchmarks()
    kept = list(BenchmarkRow.objects.values_list("pk", "p20", "p50", "p80"))
    five_orgs[0].organisation.benchmark_opt_in = False
    five_orgs[0].organisation.save()
    for score in (2, 3, 4, 5, 6):  # the others, and one more, in the next half-year
        build_org(score=score, closes_on=date(2026, 9, 1))
    compute_benchmarks(today=date(2027, 2, 1))
    # The first half-year stays as published; the second is computed without the leaver.
    assert (
        list(
            BenchmarkRow.objects.filter(benchmark__period="2026-H1").values_list(
                "pk", "p20", "p50", "p80"
            )
        )
        == kept
    )
    later = _row(ORG, period="2026-H2")
    assert later.organisations == 5


def test_it_computes_a_period_once_and_never_again(five_orgs, build_org):
    assert compute_benchmarks(today=date(2026, 7, 30)).benchmarks == 0  # within the grace
    assert compute_benchmarks(today=date(2026, 7, 31)).benchmarks == 1
    first = list(BenchmarkRow.objects.values_list("pk", "p20", "p50", "p80"))
    # An organisation joining, or a late cycle closing, changes nothing already published:
    # the difference would tell the others about that one organisation's figures.
    build_org(score=1)
    assert compute_benchmarks(today=date(2026, 8, 1)).benchmarks == 0
    assert list(BenchmarkRow.objects.values_list("pk", "p20", "p50", "p80")) == first


def test_it_withholds_a_narrower_cohort_that_differs_from_a_wider_by_a_few(build_org):
    # Six organisations in all, five of them children's: the children's benchmark beside the
    # benchmark of all would differ by one organisation, whose figures it would betray.
    for score in (2, 3, 4, 5, 6):
        build_org(score=score, kind="children")
    build_org(score=1, kind="adults")
    compute_benchmarks()
    assert set(Benchmark.objects.values_list("cohort", flat=True)) == {"all"}


def test_it_allows_a_narrower_cohort_with_five_or_more_left_beside_it(build_org):
    for score in (2, 3, 4, 5, 6):
        build_org(score=score, kind="children")
    for score in (1, 2, 3, 4, 5):
        build_org(score=score, kind="adults")
    compute_benchmarks()
    assert set(Benchmark.objects.values_list("cohort", flat=True)) == {
        "all",
        "kind:children",
        "kind:adults",
    }


# --- reference tables -------------------------------------------------------------------

GOOD = (
    "domain,p20,p50,p80,source,period\n"
    "WL,2.9,3.4,3.9,National survey 2025,2025\n"
    "Supervision,3.5,4.0,4.4,National survey 2025,2025\n"
)


@pytest.mark.django_db
def test_it_imports_a_reference_table_by_domain_code_or_name():
    benchmark = import_reference(text=GOOD)
    assert (benchmark.source, benchmark.period) == ("National survey 2025", "2025")
    rows = {r.domain.code: (r.p20, r.p50, r.p80) for r in benchmark.rows.all()}
    assert rows["WL"] == (2.9, 3.4, 3.9)
    assert len(rows) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("domain,p20,p50\nWL,1,2\n", "The first line must be the columns"),
        ("domain,p20,p50,p80,source,period\nXX,2,3,4,S,2025\n", "Line 2: no domain “XX”"),
        ("domain,p20,p50,p80,source,period\nWL,2,x,4,S,2025\n", "Line 2: p50 “x” is not a number"),
        ("domain,p20,p50,p80,source,period\nWL,2,3,7,S,2025\n", "outside the scale of 1 to 6"),
        ("domain,p20,p50,p80,source,period\nWL,4,3,5,S,2025\n", "must rise"),
        ("domain,p20,p50,p80,source,period\nWL,2,3,4,,2025\n", "source and period"),
        (
            "domain,p20,p50,p80,source,period\nWL,2,3,4,S,2025\nWL,2,3,4,S,2025\n",
            "Line 3: Workload and caseloads is already on line 2",
        ),
        (
            "domain,p20,p50,p80,source,period\nWL,2,3,4,S,2025\nSUP,2,3,4,T,2025\n",
            "same source",
        ),
        ("domain,p20,p50,p80,source,period\n", "no rows"),
        ("domain,p20,p50,p80,source,period\nWL,2,3,4,S\n", "expected 6 values"),
    ],
)
def test_it_refuses_a_bad_reference_table_and_keeps_the_one_before(text, message):
    import_reference(text=GOOD)
    with pytest.raises(ValidationError) as refused:
        import_reference(text=text)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    kept = Benchmark.objects.get(kind=Benchmark.Kind.REFERENCE)
    assert kept.source == "National survey 2025"
    assert kept.rows.count() == 2


@pytest.mark.django_db
def test_it_lists_every_bad_line_and_imports_none_of_the_good_ones():
    text = (
        "domain,p20,p50,p80,source,period\n"
        "WL,2.9,3.4,3.9,S,2025\n"
        "NOPE,2,3,4,S,2025\n"
        "SUP,5,4,3,S,2025\n"
    )
    with pytest.raises(ValidationError) as refused:
        import_reference(text=text)
    assert len(refused.value.messages) == 2
    assert not Benchmark.objects.exists()
