"""The bare-SQL baselines of scripts/bench read the figures the pages show (PostgreSQL only).

`scripts/baselines.py` is a script beside `scripts/measure.py`, not an app, so it is loaded
from its file. Its `verify` runs each page's builder on the demo organisation and compares
every shown figure with its baseline's, so a baseline that drifts from its page fails here.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from actions.models import Action
from dashboards import trends as trends_page
from demo.bench import BENCH_SLUG, BenchSize, build
from demo.builder import DEMO_SLUG
from organisations.models import Organisation
from tests.scripts import load_script

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the baselines are PostgreSQL's SQL"
)

baselines = load_script("baselines")


SMALL_BENCH = BenchSize(directorates=2, services=2, teams=2, headcount=16, full_cycles=2, pulses=4)


@pytest.fixture
def demo(db) -> object:
    """The demo organisation: comments, actions, staff issues, thresholds and a benchmark."""
    call_command("seed_demo", verbosity=0)
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    return baselines.pick_subjects(organisation, today=timezone.localdate())


@pytest.fixture
def bench(db) -> object:
    """The benchmark organisation scripts/bench measures, at a small size (quick to load)."""
    build(SMALL_BENCH)
    organisation = Organisation.objects.get(slug=BENCH_SLUG)
    return baselines.pick_subjects(organisation, today=timezone.localdate())


def problems_by_page(subjects: object) -> dict[str, tuple[int, list[str]]]:
    return {check.page: (check.compared, check.problems) for check in baselines.verify(subjects)}


def assert_every_figure_agrees(subjects: object) -> None:
    found = problems_by_page(subjects)
    assert set(found) == set(baselines.BASELINES)
    for page, (compared, problems) in found.items():
        assert problems == [], page
        assert compared >= 5, page  # figures were shown and compared, not skipped


def test_it_finds_every_figure_each_page_shows_in_its_baseline_on_the_demo(demo):
    assert_every_figure_agrees(demo)


def test_it_finds_every_figure_each_page_shows_in_its_baseline_on_the_bench_data(bench):
    assert_every_figure_agrees(bench)


def test_it_reports_a_baseline_whose_sums_drift_from_the_page(bench, monkeypatch):
    shown_sums = baselines._sums

    def one_response_too_many(row):
        sums = shown_sums(row)
        return baselines.Sums(sums.n + 1, sums.total, sums.red, sums.amber, sums.green)

    monkeypatch.setattr(baselines, "_sums", one_response_too_many)
    found = problems_by_page(bench)
    for page in ("team dashboard", "organisation heatmap", "unit trends", "structural lens"):
        assert found[page][1], page
    assert found["home"][1]


def test_it_reports_an_export_baseline_that_counts_the_wrong_responses(bench, monkeypatch):
    wrong = baselines.EXPORT_ROWS.replace("SUM(t.responses) AS n", "SUM(t.responses) + 1 AS n")
    assert wrong != baselines.EXPORT_ROWS
    monkeypatch.setattr(baselines, "EXPORT_ROWS", wrong)
    _compared, problems = problems_by_page(bench)["export_results (org, CSV)"]
    assert problems
    assert all("column 5" in problem for problem in problems)


def test_it_compares_the_actions_a_trends_chart_marks_when_there_are_more_than_it_marks(
    bench, monkeypatch
):
    shown = Action.objects.filter(unit__path__startswith=bench.unit.path).exclude(
        status=Action.Status.DROPPED
    )
    assert shown.count() > 2  # more than the chart below marks
    monkeypatch.setattr(trends_page, "MARKED_ACTIONS", 2)
    assert problems_by_page(bench)["unit trends"][1] == []


def test_it_reports_a_trends_baseline_that_picks_other_actions_than_the_chart_marks(
    bench, monkeypatch
):
    monkeypatch.setattr(trends_page, "MARKED_ACTIONS", 2)
    oldest_first = baselines.TREND_ACTIONS.replace(
        "ORDER BY a.created_at DESC, a.id DESC", "ORDER BY a.created_at, a.id"
    )
    assert oldest_first != baselines.TREND_ACTIONS
    monkeypatch.setattr(baselines, "TREND_ACTIONS", oldest_first)
    problems = problems_by_page(bench)["unit trends"][1]
    assert problems
    assert all("marked actions" in problem for problem in problems)
