"""The privacy audit's reading of the words pages print: a count the engine released exactly is
recognised as exact however large (grouped in thousands), and a band never is."""

from __future__ import annotations

import random
from collections.abc import Hashable
from fractions import Fraction

from diagnostics.release_words import count_words
from disclosure.release import response_count
from tests.disclosure.audit import Released, is_exact, violations, weighted_violations


def test_it_recognises_every_exact_count_the_pages_print_and_no_band():
    for n in (6, 999, 1234, 60000):
        assert is_exact(count_words(response_count(n, k=5, exact=True)))
    for n in (0, 2, 6, 1234):
        assert not is_exact(count_words(response_count(n, k=5)))


def test_it_finds_a_weighted_mean_of_two_that_no_0_1_set_gives():
    # A team of 6 (k = 5): responses 0–3 answered one of four statements (no domain score),
    # response 4 answered three (each answer weighs 1/3 in the mean), response 5 all four (1/4).
    # The team's domain mean is the mean of 4 and 5 alone: beside the team's answers, no 0/1
    # set of fewer than 5 follows, but a weighted one does.
    answered = {0: "a", 1: "a", 2: "b", 3: "c", 4: "abc", 5: "abcd"}
    answers = frozenset((r, code) for r, codes in answered.items() for code in codes)
    weights: dict[Hashable, Fraction] = {(4, code): Fraction(1, 3) for code in "abc"}
    weights |= {(5, code): Fraction(1, 4) for code in "abcd"}
    released = [
        Released("responses", frozenset(answered), "the team's count"),
        Released("answers", answers, "the team's shares"),
        Released("scores", frozenset(weights), "the team's domain mean", weights),
    ]
    assert violations(released, k=5) == []
    (found,) = weighted_violations(released, k=5)
    assert found.responses == {4, 5}
    # Sums over all six people give nothing small.
    sums = [*released[:2], Released("scores", answers, "the team's statement sums")]
    assert weighted_violations(sums, k=5) == []


def test_it_finds_the_same_weighted_sets_with_or_without_ruling_out_unions_first(monkeypatch):
    """The eigenvalue test that spares the linear programme on unions the span cannot isolate
    never spares one where the programme finds a small weighted set."""
    from tests.disclosure import audit

    rng = random.Random(20261207)
    found_at_all = 0
    for _ in range(50):
        responses = rng.randint(4, 12)
        answered = {
            r: "".join(c for c in "abcd" if rng.random() < 0.6) or "a" for r in range(responses)
        }
        released = []
        for index in range(rng.randint(2, 7)):
            members = [r for r in range(responses) if rng.random() < 0.6] or [0]
            if rng.random() < 0.5:
                elements = frozenset((r, c) for r in members for c in answered[r])
                released.append(Released("scores", elements, f"sum {index}"))
                continue
            weights: dict[Hashable, Fraction] = {
                (r, c): Fraction(1, len(answered[r]))
                for r in members
                if 2 * len(answered[r]) >= 4
                for c in answered[r]
            }
            if weights:
                released.append(Released("scores", frozenset(weights), f"mean {index}", weights))
        k = rng.randint(3, 5)
        spared = weighted_violations(released, k=k)
        monkeypatch.setattr(audit, "_isolable_by", lambda matrix: lambda columns: True)
        every_union = weighted_violations(released, k=k)
        monkeypatch.undo()
        assert spared == every_union
        found_at_all += bool(every_union)
    assert found_at_all > 20  # the comparison saw many sets found, not only empty lists
