from __future__ import annotations

from tests.benchmarks.conftest import build_org, five_orgs
from tests.diagnostics.conftest import make_cycle, respond, weekly_pulses

__all__ = ["build_org", "five_orgs", "make_cycle", "respond", "weekly_pulses"]
