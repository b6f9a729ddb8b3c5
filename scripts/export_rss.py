"""Peak memory (RSS) and time of the whole organisation's results export, run by
`manage.py export_results` in a fresh process, beside a fresh process that only starts Django.

Used by scripts/export_rss: DATABASE_URL picks the database (sword_bench, sword_bench10, ...).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from diagnostics.models import Cycle  # noqa: E402
from organisations.models import Organisation, Unit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str]) -> tuple[float, int, int, int]:
    """Seconds, peak RSS in kB (ru_maxrss of that process alone), and the lines and bytes it
    wrote to standard output (counted as they come, never kept)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)
    assert process.stdout is not None
    lines = size = 0
    while chunk := process.stdout.read(1 << 16):
        lines += chunk.count(b"\n")
        size += len(chunk)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss, lines, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="bench")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--by", choices=["domain", "statement"], default="domain")
    args = parser.parse_args()

    organisation = Organisation.objects.get(slug=args.org)
    teams = Unit.objects.filter(organisation=organisation, is_team=True).count()
    cycle = (
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.FULL)
        .exclude(status=Cycle.Status.DRAFT)
        .order_by("-opens_on")
        .first()
    )
    assert cycle is not None, "the organisation needs a full cycle"
    manage = [sys.executable, "-W", "ignore", str(ROOT / "manage.py")]
    from reference import describe

    print(
        f"{organisation.name} ({teams:,} teams, database {connection.settings_dict['NAME']}), "
        f"{cycle.name}; {describe()}"
    )
    seconds, baseline, _, _ = run([*manage, "check"])
    bare = "a process that only starts Django (check)"
    print(f"{bare:44} {seconds:6.1f} s {baseline / 1024:8.0f} MB")
    with tempfile.TemporaryDirectory() as directory:
        command = [
            *manage,
            "export_results",
            str(cycle.pk),
            "--format",
            args.format,
            "--by",
            args.by,
        ]
        if args.format == "xlsx":
            command += ["--output", str(Path(directory) / "export.xlsx")]
        seconds, peak, lines, size = run(command)
        if args.format == "xlsx":
            size = (Path(directory) / "export.xlsx").stat().st_size
    what = f"export_results ({args.format}, by {args.by})"
    rows = f"{lines - 1:,} rows, " if args.format == "csv" else ""
    print(f"{what:44} {seconds:6.1f} s {peak / 1024:8.0f} MB peak RSS  ({rows}{size / 1e6:.1f} MB)")
    print(f"the export's own memory: {(peak - baseline) / 1024:.0f} MB above the bare process")


if __name__ == "__main__":
    main()
