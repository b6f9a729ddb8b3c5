"""The span audit's search: every 0/1 sum of reduced basis rows, found by a pruned depth-first
walk, is the same as trying every subset of the rows."""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest

from tests.disclosure.audit import _zero_one_sums


def brute_force(rows):
    found = set()
    for size in range(1, len(rows) + 1):
        for chosen in combinations(rows, size):
            vector: dict[int, Fraction] = {}
            for row in chosen:
                for col, value in row.items():
                    vector[col] = vector.get(col, Fraction(0)) + value
            if all(v in (0, 1) for v in vector.values()):
                found.add(frozenset(c for c, v in vector.items() if v))
    return found


def reduced_rows(rng: random.Random, count: int, extra_columns: int):
    """Rows with a pivot each (1 there, absent from the others) and a few shared columns."""
    rows = []
    for index in range(count):
        row = {index: Fraction(1)}
        for col in rng.sample(
            range(count, count + extra_columns), rng.randint(0, min(3, extra_columns))
        ):
            row[col] = rng.choice(
                [Fraction(-1), Fraction(1), Fraction(1), Fraction(2), Fraction(1, 2)]
            )
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(40))
def test_it_finds_exactly_the_zero_one_sums_that_trying_every_subset_finds(seed):
    rng = random.Random(seed)
    rows = reduced_rows(rng, rng.randint(1, 9), rng.randint(1, 5))
    assert {frozenset(s) for s in _zero_one_sums(rows)} == brute_force(rows)


def test_it_cuts_branches_whose_finished_columns_are_not_zero_or_one():
    # Two rows that each put 1 on a shared column: only one of them may be taken.
    rows = [{0: Fraction(1), 5: Fraction(1)}, {1: Fraction(1), 5: Fraction(1)}]
    assert sorted(sorted(s) for s in _zero_one_sums(rows)) == [[0, 5], [1, 5]]
