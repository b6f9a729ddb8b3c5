"""The privacy audit's reading of the words pages print: a count the engine released exactly is
recognised as exact however large (grouped in thousands), and a band never is."""

from __future__ import annotations

from diagnostics.release_words import count_words
from disclosure.release import response_count
from tests.disclosure.audit import is_exact


def test_it_recognises_every_exact_count_the_pages_print_and_no_band():
    for n in (6, 999, 1234, 60000):
        assert is_exact(count_words(response_count(n, k=5, exact=True)))
    for n in (0, 2, 6, 1234):
        assert not is_exact(count_words(response_count(n, k=5)))
