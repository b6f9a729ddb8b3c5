from __future__ import annotations

import pytest

from tests.benchmarks.conftest import build_org, five_orgs
from tests.diagnostics.conftest import make_cycle, pulses_a_week_apart, respond, weekly_pulses

__all__ = [
    "build_org",
    "five_orgs",
    "make_cycle",
    "pulses_a_week_apart",
    "respond",
    "weekly_pulses",
]


@pytest.fixture
def unit_loads(monkeypatch):
    """Watch the modules named for reads of the organisation's units (`load_units`, or
    `unit_table` where a module reads them as a table): returns the list of organisation ids
    read, one per call."""

    def watch(*modules: str) -> list[int]:
        import importlib

        from organisations import remembered_units

        calls: list[int] = []

        def counted(organisation):
            calls.append(organisation.pk)
            return remembered_units.load_units(organisation)

        def counted_table(*, organisation_id, using="default"):
            calls.append(organisation_id)
            return remembered_units.unit_table(organisation_id=organisation_id, using=using)

        for module in modules:
            imported = importlib.import_module(module)
            assert hasattr(imported, "load_units") or hasattr(imported, "unit_table"), module
            if hasattr(imported, "load_units"):
                monkeypatch.setattr(f"{module}.load_units", counted)
            if hasattr(imported, "unit_table"):
                monkeypatch.setattr(f"{module}.unit_table", counted_table)
        return calls

    return watch
