"""Real-browser tests: Playwright for Python driving Debian's Chromium against the live server.

They run when BROWSER_TESTS=1 (as .ci/run sets it) and are skipped otherwise. The browser and
page fixtures are in tests/conftest.py, shared with the other apps' browser tests.
"""

from __future__ import annotations

import os

import pytest

from tests.diagnostics.conftest import make_cycle, respond  # noqa: F401 - shared fixtures


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("BROWSER_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="browser tests run with BROWSER_TESTS=1 (needs Chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)
