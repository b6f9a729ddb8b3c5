"""The invariant: every atom of what is released covers no responses or at least k."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from disclosure.atoms import CellSize, Partition, covers_at_least, responses_at_least


def cells(**sizes: int) -> dict[str, CellSize]:
    return {name: CellSize(name, n) for name, n in sizes.items()}


def test_it_releases_a_set_of_k_and_refuses_one_of_k_minus_1():
    partition = Partition(cells(a=5, b=4), k=5)
    assert partition.try_add(["a"])
    assert not partition.try_add(["b"])


def test_it_lets_the_cells_nobody_can_see_be_few():
    """Cells in no released set are in no derivable set, so they may number 1 to k−1."""
    partition = Partition(cells(a=10, b=2), k=5)
    assert partition.try_add(["a"])
    assert partition.atoms() == [{"a"}]


def test_it_refuses_a_subset_that_would_leave_fewer_than_k_of_a_released_set():
    partition = Partition(cells(a=10, b=2), k=5)
    assert partition.try_add(["a", "b"])
    assert not partition.try_add(["a"])  # a released beside a+b gives b's 2 away
    assert partition.atoms() == [{"a", "b"}]


def test_it_accepts_a_subset_whose_remainder_has_k():
    partition = Partition(cells(a=10, b=5, c=0), k=5)
    assert partition.try_add(["a", "b", "c"])
    assert partition.try_add(["a"])
    assert sorted(sorted(atom) for atom in partition.atoms()) == [["a"], ["b"]]


def test_it_changes_nothing_when_it_refuses():
    partition = Partition(cells(a=6, b=6, c=2), k=5)
    assert partition.try_add(["a", "b", "c"])
    assert not partition.try_add(["a", "b"])  # would leave c (2) alone
    assert partition.try_add(["a"])  # b and c together still 8
    assert sorted(sorted(atom) for atom in partition.atoms()) == [["a"], ["b", "c"]]


def test_it_counts_the_responses_behind_answers_from_below():
    """Answers to different statements from one region may come from the same people: only the
    largest counts for sure; regions are different people and add up."""
    sizes = {
        ("t1", "s1"): CellSize("t1", 4),
        ("t1", "s2"): CellSize("t1", 6),
        ("t2", "s1"): CellSize("t2", 3),
    }
    assert responses_at_least(sizes, sizes) == 9
    assert responses_at_least([("t1", "s1")], sizes) == 4


@given(
    st.dictionaries(
        st.integers(0, 30),
        st.tuples(st.integers(0, 6), st.integers(0, 12)),
        max_size=25,
    ),
    st.lists(st.integers(0, 30), max_size=30),
    st.integers(0, 40),
)
def test_it_says_whether_cells_cover_k_exactly_as_their_count_from_below_does(table, chosen, k):
    sizes = {cell: CellSize(region, size) for cell, (region, size) in table.items()}
    assert covers_at_least(chosen, sizes, k) == (responses_at_least(chosen, sizes) >= k)


def test_it_counts_a_cell_without_a_size_as_no_responses():
    """A partition keeps only cells with responses; a released set may still name the others
    (a domain nobody answered in one team), whatever order they come in."""
    partition = Partition(cells(a=6, b=0), k=5)
    assert partition.size_of(["b", "a"]) == 6
    assert partition.covers_k(["b", "a"])
    assert not partition.covers_k(["b"])
    assert partition.try_add(["b", "a"])


def test_it_stops_reading_cells_once_they_cover_k():
    """The rest of a large atom beside a small set is read only until it reaches k."""
    sizes = cells(a=3, b=2, c=9)

    def then_fail():
        yield "a"
        yield "b"
        raise AssertionError("read past the cell that reached k")

    assert covers_at_least(then_fail(), sizes, 5)
    assert Partition(sizes, k=5).covers_k(then_fail())
