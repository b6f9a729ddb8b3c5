"""scripts/bench_scales.py's reading of its two scales: the ratio, the target and the counts.

Its report is a plain function of what the two servers measured, so it is tested here without
starting them.
"""

from __future__ import annotations

import pytest

from tests.scripts import load_script

bench_scales = load_script("bench_scales")


def report_line(
    capsys: pytest.CaptureFixture[str],
    *,
    small_ms: list[float],
    large_ms: list[float],
    queries: tuple[int, int] = (12, 12),
    sizes: tuple[int, int] = (2_000, 2_000),
    first_ms: tuple[float, float] = (900.0, 11_000.0),
) -> list[str]:
    """The words of the report's line for one page measured at both scales."""
    scales = []
    for label, teams, samples, count, size, first in zip(
        ("1x", "10x"), (300, 3_000), (small_ms, large_ms), queries, sizes, first_ms, strict=True
    ):
        scale = bench_scales.Scale(label, process=None, teams=teams)
        scale.database = f"db{label}"
        scale.samples["lens"] = samples
        scale.queries["lens"] = count
        scale.size["lens"] = size
        scale.first["lens"] = first
        scales.append(scale)
    bench_scales.report(*scales, ["lens"], len(small_ms))
    line: list[str] = capsys.readouterr().out.splitlines()[-1].split()
    return line


def test_it_calls_a_page_met_at_one_and_a_half_times_its_small_median(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = report_line(
        capsys, small_ms=[9.0, 10.0, 50.0], large_ms=[16.0, 15.0, 1.0], sizes=(2_000, 20_000)
    )

    assert line == [
        "lens",
        "10.0",
        "15.0",
        "1.50",
        "1.5",
        "met",
        "12",
        "2",
        "20",
        "10.00",
        "0.15",
        "0.90",
        "11.00",
    ]


def test_it_calls_a_page_not_met_past_one_and_a_half_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = report_line(capsys, small_ms=[10.0], large_ms=[15.1])

    assert line[3] == "1.51"
    assert line[5:7] == ["not", "met"]


def test_it_shows_both_query_counts_when_the_scales_differ(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = report_line(capsys, small_ms=[10.0], large_ms=[11.0], queries=(12, 13))

    assert line[6] == "12/13"


def test_it_divides_a_page_s_ratio_by_the_growth_of_its_bytes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = report_line(capsys, small_ms=[10.0], large_ms=[48.0], sizes=(1_000, 8_000))

    assert line[3] == "4.80"
    assert line[10:12] == ["8.00", "0.60"]
