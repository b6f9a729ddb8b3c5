from __future__ import annotations

import pytest

from diagnostics.pulses import Candidate, choose_pulse_statements

# Nine domains of five statements, like the built-in questionnaire.
CANDIDATES = [
    Candidate(code=f"D{d}S{s}", domain_position=d, position=s)
    for d in range(1, 10)
    for s in range(1, 6)
]


def run_pulses(count: int, size: int = 12) -> list[list[str]]:
    history: list[set[str]] = []
    pulses = []
    for _ in range(count):
        chosen = choose_pulse_statements(CANDIDATES, history=history, size=size)
        pulses.append(chosen)
        history.append(set(chosen))
    return pulses


@pytest.mark.parametrize("size", [9, 10, 11, 12])
def test_it_asks_9_to_12_statements_with_every_domain(size):
    chosen = choose_pulse_statements(CANDIDATES, history=[], size=size)
    assert len(chosen) == size
    assert {code.split("S")[0] for code in chosen} == {f"D{d}" for d in range(1, 10)}


@pytest.mark.parametrize("size", [9, 12])
def test_it_rotates_so_every_statement_comes_round(size):
    pulses = run_pulses(12, size)
    everything = {c.code for c in CANDIDATES}
    # Every window of five consecutive pulses covers every statement.
    for start in range(len(pulses) - 4):
        window = set().union(*pulses[start : start + 5])
        assert window == everything


def test_it_does_not_repeat_the_previous_pulse():
    first, second = run_pulses(2)
    assert not set(first) & set(second)


def test_it_lists_statements_in_domain_order():
    chosen = choose_pulse_statements(CANDIDATES, history=[], size=12)
    positions = [(int(c[1]), int(c.split("S")[1])) for c in chosen]
    assert positions == sorted(positions)


def test_it_refuses_a_size_outside_9_to_12():
    with pytest.raises(ValueError, match="9 to 12"):
        choose_pulse_statements(CANDIDATES, history=[], size=13)


def test_it_spreads_the_extra_statements_over_different_domains():
    chosen = choose_pulse_statements(CANDIDATES, history=[], size=12)
    per_domain = [sum(1 for c in chosen if c.startswith(f"D{d}S")) for d in range(1, 10)]
    assert max(per_domain) == 2
    assert sum(per_domain) == 12
