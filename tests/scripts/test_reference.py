"""The machine's speed readings printed beside every benchmark (scripts/reference.py)."""

from __future__ import annotations

from tests.scripts import load_script

reference = load_script("reference")


def test_it_draws_the_reference_table_in_full():
    drawn = reference.table_drawer()()
    assert drawn.startswith("<table>")
    assert drawn.count("<tr ") == 1_000
    assert drawn.count("<td") == 10_000
    assert drawn.count('<tr class="odd">') == drawn.count('<tr class="even">') == 500
    assert '<th scope="row">Team 999</th>' in drawn
    assert 0 < drawn.count('<td class="low">') < 10_000


def test_it_prints_both_readings():
    printed = reference.describe()
    assert "10 million Python additions in" in printed
    assert "a 1,000-row table drawn by Django's templates in" in printed
