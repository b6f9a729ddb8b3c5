"""The dashboards' tests build cycles and responses with the diagnostics' fixtures."""

from __future__ import annotations

from tests.diagnostics.conftest import make_cycle, respond

__all__ = ["make_cycle", "respond"]
