"""The privacy audit's reading of the words pages print: a count the engine released exactly is
recognised as exact however large (grouped in thousands), and a band never is."""

from __future__ import annotations

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
