from __future__ import annotations

from tests.diagnostics.conftest import make_cycle, respond, weekly_pulses

__all__ = ["make_cycle", "respond", "weekly_pulses"]
