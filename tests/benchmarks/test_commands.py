from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from benchmarks.models import Benchmark


def test_it_computes_the_benchmark_from_the_command(five_orgs):
    out = io.StringIO()
    call_command("compute_benchmarks", "--today", "2026-06-30", stdout=out)
    assert "Computed 0 benchmarks (0 rows) over 0 periods" in out.getvalue()
    call_command("compute_benchmarks", "--today", "2026-12-01", stdout=out)
    assert "Computed 1 benchmarks (18 rows) over 1 periods" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_benchmarks", "--today", "1 July")
    assert Benchmark.objects.filter(kind=Benchmark.Kind.COMPUTED, cohort="all").exists()


def test_it_runs_the_nightly_benchmark_as_a_scheduled_job(five_orgs, capsys):
    # The cycles closed in 2026-H1, which ended on 30 June: computed after 30 days' grace.
    with time_machine.travel("2026-07-30 02:30 +01:00"):
        call_command("run_scheduled_jobs", "nightly-benchmark")
    assert not Benchmark.objects.exists()
    with time_machine.travel("2026-07-31 02:30 +01:00"):
        call_command("run_scheduled_jobs", "nightly-benchmark")
    assert "Ran nightly-benchmark (benchmarks.compute_benchmarks)." in capsys.readouterr().out
    assert Benchmark.objects.get(cohort="all").period == "2026-H1"


@pytest.mark.django_db
def test_it_imports_a_reference_table_from_a_file(tmp_path):
    path = tmp_path / "reference.csv"
    path.write_text(
        "domain,p20,p50,p80,source,period\nWL,2.9,3.4,3.9,Survey,2025\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_benchmark_reference", str(path), stdout=out)
    assert "Imported 1 domains from Survey (2025)." in out.getvalue()


@pytest.mark.django_db
def test_it_exits_with_every_problem_and_imports_nothing(tmp_path):
    path = tmp_path / "reference.csv"
    path.write_text(
        "domain,p20,p50,p80,source,period\nWL,2.9,3.4,3.9,Survey,2025\nXX,1,2,3,Survey,2025\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Nothing was imported:\n  Line 3: no domain “XX”"):
        call_command("import_benchmark_reference", str(path))
    assert not Benchmark.objects.exists()


@pytest.mark.django_db
def test_it_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_benchmark_reference", str(tmp_path / "missing.csv"))
    path = tmp_path / "latin.csv"
    path.write_bytes("domain,p20,p50,p80,source,period\nWL,2,3,4,Caf\xe9,2025\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_benchmark_reference", str(path))
