from __future__ import annotations

import pytest

from tests.test_settings import PRODUCTION, run_manage


@pytest.mark.parametrize("rate", ["600", "600/hour/2", "lots/h", "0/h"])
def test_it_refuses_to_start_with_an_api_rate_it_cannot_read(rate):
    result = run_manage("check", env={**PRODUCTION, "API_RATE": rate})
    assert result.returncode != 0
    assert "API_RATE must read like 600/h or 100/10m" in result.stderr


def test_it_starts_with_a_rate_per_several_minutes():
    result = run_manage("check", env={**PRODUCTION, "API_RATE": "100/10m"})
    assert result.returncode == 0, result.stderr
