"""Choosing a pulse's statements: pure functions, no database.

A pulse has 9 to 12 statements: at least one per domain, the rest spread across domains. Each
pulse asks, in every domain, the statement asked longest ago (never asked counts as longest), so
consecutive pulses of the same unit rotate through every statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PULSE_MIN = 9
PULSE_MAX = 12


@dataclass(frozen=True)
class Candidate:
    code: str
    domain_position: int
    position: int


def choose_pulse_statements(
    candidates: Sequence[Candidate], *, history: Sequence[set[str]], size: int = PULSE_MAX
) -> list[str]:
    """Codes for the next pulse, in the order staff see them.

    `history` lists the codes asked by the unit's earlier pulses, oldest first.
    """
    if not PULSE_MIN <= size <= PULSE_MAX:
        raise ValueError(f"A pulse has {PULSE_MIN} to {PULSE_MAX} statements, not {size}.")
    domains = sorted({c.domain_position for c in candidates})
    last_asked = {c.code: -1 for c in candidates}
    for index, asked in enumerate(history):
        for code in asked:
            if code in last_asked:
                last_asked[code] = index

    def staleness(candidate: Candidate) -> tuple[int, int, int]:
        return (last_asked[candidate.code], candidate.domain_position, candidate.position)

    chosen: list[Candidate] = []
    for domain in domains:
        in_domain = [c for c in candidates if c.domain_position == domain]
        chosen.append(min(in_domain, key=staleness))
    # Extra statements go to the least recently asked, spread over domains, starting from a
    # domain that moves on with every pulse.
    offset = len(history)
    while len(chosen) < size:
        remaining = [c for c in candidates if c not in chosen]
        if not remaining:
            break

        def spread(candidate: Candidate) -> tuple[int, int, int, int]:
            in_domain = sum(1 for c in chosen if c.domain_position == candidate.domain_position)
            turn = (domains.index(candidate.domain_position) - offset) % len(domains)
            return (last_asked[candidate.code], in_domain, turn, candidate.position)

        chosen.append(min(remaining, key=spread))
    chosen.sort(key=lambda c: (c.domain_position, c.position, c.code))
    return [c.code for c in chosen]
