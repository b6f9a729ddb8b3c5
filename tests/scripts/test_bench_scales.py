"""scripts/bench_scales.py's reading of its two scales: the ratio, the target and the counts.

The script is loaded from its file (it is not an app); its report is a plain function of what
the two servers measured, so it is tested here without starting them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_scales.py"


def load_bench_scales() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_scales", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_scales"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench_scales = load_bench_scales()


def measured(label: str, teams: int, samples: list[float], queries: int, size: int) -> object:
    scale = bench_scales.Scale(label, f"postgres:///{label}", process=None, teams=teams)
    scale.database = f"db{label}"
    scale.samples["lens"] = samples
    scale.queries["lens"] = queries
    scale.size["lens"] = size
    return scale


def report_line(capsys: pytest.CaptureFixture[str], small: object, large: object) -> list[str]:
    bench_scales.report(small, large, ["lens"], len(small.samples["lens"]))  # type: ignore[attr-defined]
    return capsys.readouterr().out.splitlines()[-1].split()


def test_it_calls_a_page_met_at_one_and_a_half_times_its_small_median(
    capsys: pytest.CaptureFixture[str],
) -> None:
    small = measured("1x", 300, [9.0, 10.0, 50.0], 12, 2_000)
    large = measured("10x", 3_000, [16.0, 15.0, 1.0], 12, 20_000)

    line = report_line(capsys, small, large)

    assert line[:5] == ["lens", "10.0", "15.0", "1.50", "1.5"]
    assert line[5] == "met"
    assert line[6:] == ["12", "2", "20", "10.00"]


def test_it_calls_a_page_not_met_past_one_and_a_half_times(
    capsys: pytest.CaptureFixture[str],
) -> None:
    small = measured("1x", 300, [10.0], 12, 2_000)
    large = measured("10x", 3_000, [15.1], 12, 2_000)

    line = report_line(capsys, small, large)

    assert line[3] == "1.51"
    assert line[5:7] == ["not", "met"]


def test_it_shows_both_query_counts_when_the_scales_differ(
    capsys: pytest.CaptureFixture[str],
) -> None:
    small = measured("1x", 300, [10.0], 12, 2_000)
    large = measured("10x", 3_000, [11.0], 13, 2_000)

    line = report_line(capsys, small, large)

    assert line[6] == "12/13"
