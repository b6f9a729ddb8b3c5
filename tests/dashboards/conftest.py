from __future__ import annotations

import pytest

from tests.benchmarks.conftest import build_org, five_orgs
from tests.diagnostics.conftest import make_cycle, respond, weekly_pulses

__all__ = ["build_org", "five_orgs", "make_cycle", "respond", "weekly_pulses"]


@pytest.fixture
def unit_loads(monkeypatch):
    """Watch the modules named for reads of the organisation's units (`load_units`): returns
    the list of organisation ids read, one per call."""

    def watch(*modules: str) -> list[int]:
        from organisations import remembered_units

        calls: list[int] = []

        def counted(organisation):
            calls.append(organisation.pk)
            return remembered_units.load_units(organisation)

        for module in modules:
            monkeypatch.setattr(f"{module}.load_units", counted)
        return calls

    return watch
