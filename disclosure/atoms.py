"""The invariant the disclosure engine keeps: every atom has no responses or at least k.

Every figure the product releases is a sum over a set of *cells*: for answer-level figures
(domain and statement means, their red/amber/green shares, answer counts) a cell is the answers
one region gave to one statement; for response counts a cell is one region's responses. A region
is a team, or a team's responses with one combination of demographic answers.

The *atoms* of the released sets are the classes of cells that lie in exactly the same released
sets. Every set an attacker can derive by adding and subtracting released figures (any vector in
their linear span) is constant on atoms, so it is a union of atoms. If every non-empty atom
covers at least k distinct responses, so does every non-empty derivable set: nobody can work out
a figure of a group of 1 to k−1 people, however they combine what they see.

Cells in no released set form a class of their own that no derivable set touches (every vector
in the span is zero there), so it may be of any size.

`Partition` keeps the atoms of a growing family of released sets. `try_add` releases one more
set only if every atom it splits leaves pieces that still cover k or more responses; otherwise it
changes nothing and says no. The number of distinct responses in an atom is bounded from below by
adding, over its regions, the largest count of any one cell (one statement's answers come from
that many different people); the bound is exact for response cells and for regions where
everyone answered every statement, and never larger than the truth, so the invariant is safe.

A domain's mean covers only the responses with a domain score, fewer people than its answers
where some answered too few of its statements: a partition of domain cells also takes their
sizes by those responses (`means`) and keeps every atom at 0 or at least k by those too, and a
breakdown's domain is released only where a second partition, of its scored responses' cells,
also allows it (`Partition.check` on both before either releases).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from itertools import count
from typing import Generic, NamedTuple, TypeVar

Cell = TypeVar("Cell", bound=Hashable)
Region = Hashable


class CellSize(NamedTuple):
    """Which region a cell belongs to and how many responses (or answers) it holds. A named
    tuple rather than a frozen dataclass: a plan makes hundreds of thousands of them, and a
    frozen dataclass's `__init__` costs several times a tuple's."""

    region: Region
    size: int


def responses_at_least(cells: Iterable[Cell], sizes: Mapping[Cell, CellSize]) -> int:
    """A lower bound on the distinct responses behind these cells (exact for response cells). A
    cell without a size holds none (a partition keeps only cells with responses)."""
    largest: dict[Region, int] = {}
    for cell in cells:
        info = sizes.get(cell)
        if info is not None and info.size > largest.get(info.region, 0):
            largest[info.region] = info.size
    return sum(largest.values())


def counted_up_to(cells: Iterable[Cell], sizes: Mapping[Cell, CellSize], k: int) -> int:
    """`responses_at_least(cells, sizes)`, stopping at the first cell that brings the bound to k
    (so exact below k, and some count of k or more above): the bound only grows cell by cell,
    and a large set (the rest of an organisation's atom beside one team's piece) reaches k
    within a few cells."""
    largest: dict[Region, int] = {}
    total = 0
    for cell in cells:
        info = sizes.get(cell)
        if info is None:
            continue
        before = largest.get(info.region, 0)
        if info.size > before:
            largest[info.region] = info.size
            total += info.size - before
            if total >= k:
                return total
    return total


def covers_at_least(cells: Iterable[Cell], sizes: Mapping[Cell, CellSize], k: int) -> bool:
    """Whether `responses_at_least(cells, sizes) >= k`, stopping as soon as it is."""
    return counted_up_to(cells, sizes, k) >= k


UNRELEASED = 0


class Partition(Generic[Cell]):
    """The atoms of the sets released so far, each with 0 or at least k responses, and the
    class of cells in no released set (`UNRELEASED`), which may be of any size."""

    def __init__(
        self,
        sizes: Mapping[Cell, CellSize],
        *,
        k: int,
        means: Mapping[Cell, CellSize] | None = None,
    ) -> None:
        self.k = k
        self.sizes = {cell: info for cell, info in sizes.items() if info.size > 0}
        self._ids = count(UNRELEASED + 1)
        self.atom_of: dict[Cell, int] = dict.fromkeys(self.sizes, UNRELEASED)
        self.members: dict[int, set[Cell]] = {UNRELEASED: set(self.sizes)}
        self.cut: dict[int, frozenset[Cell]] = {}  # atoms split by `splits_alone`: their piece
        self.cut_by: dict[int, frozenset[int]] = {}  # and the sets that split them
        # `means`: the same cells sized for a second figure released with them (a domain's
        # mean, which covers only the responses with a domain score), whose count in every
        # atom must also be 0 or at least k. Only atoms holding a cell that is smaller there
        # (`short_in`) can break that where the sizes above keep it, so only theirs are counted.
        self.means: Mapping[Cell, CellSize] | None = None
        self.short_in: dict[int, set[Cell]] = {}
        if means is not None:
            short = {
                cell
                for cell, info in self.sizes.items()
                if (found := means.get(cell)) is None or found.size < info.size
            }
            if short:
                self.means = means
                self.short_in = {UNRELEASED: short}

    def size_of(self, cells: Iterable[Cell]) -> int:
        return responses_at_least(cells, self.sizes)

    def covers_k(self, cells: Iterable[Cell]) -> bool:
        """Whether these cells cover at least k responses (`size_of(cells) >= k`, but stopping
        as soon as they do)."""
        return counted_up_to(cells, self.sizes, self.k) >= self.k

    def _pieces(self, cells: Collection[Cell]) -> dict[int, set[Cell]]:
        touched: dict[int, set[Cell]] = {}
        atom_of = self.atom_of
        for cell in cells:
            atom = atom_of.get(cell)
            if atom is not None:
                piece = touched.get(atom)
                if piece is None:
                    touched[atom] = {cell}
                else:
                    piece.add(cell)
        return touched

    def means_allow(self, cells: Iterable[Cell]) -> bool:
        """Whether these cells cover no response or at least k by the `means` sizes."""
        if self.means is None:
            return True
        found = counted_up_to(cells, self.means, self.k)
        return found == 0 or found >= self.k

    def _splits_safely(self, pieces: Mapping[int, set[Cell]]) -> bool:
        """Whether releasing a set (its `pieces` of each atom) keeps every atom at 0 or at
        least k responses (by both sizes, where there are `means`)."""
        for atom, inside in pieces.items():
            members = self.members[atom]
            if atom == UNRELEASED:
                if not self.covers_k(inside):
                    return False
                if self.short_in.get(atom) and not self.means_allow(inside):
                    return False
                continue
            if len(inside) == len(members):
                continue
            if atom in self.cut:
                return False
            if not self.covers_k(inside):
                return False
            # The rest of the atom, without building it: an atom may hold most of the
            # organisation's cells and the set only one team's.
            if not self.covers_k(cell for cell in members if cell not in inside):
                return False
            if self.short_in.get(atom) and not (
                self.means_allow(inside)
                and self.means_allow(cell for cell in members if cell not in inside)
            ):
                return False
        return True

    def splits_alone(self, cells: Collection[Cell]) -> bool:
        """Release a set whose pieces of the atoms it splits may be small, when that is safe.

        Such a set may only split released atoms, and an atom split this way keeps the piece
        it was first split into: later sets must cut it along the same line or take it whole.
        Atoms are grouped by the sets that split them; within a group, anything derivable takes
        every inside piece, every outside piece, or whole atoms, so each group's inside pieces
        together, and its outside pieces together, must cover at least k responses. The atoms
        stay as they were, so the invariant above keeps holding for them.
        """
        release = self._alone(cells)
        if release is None:
            return False
        release()
        return True

    def _alone(self, cells: Collection[Cell]) -> Callable[[], None] | None:
        """`splits_alone`'s check: how to release the set, or None where it may not be."""
        label = next(self._ids)
        moving: dict[int, frozenset[int]] = {}
        inside_of: dict[int, frozenset[Cell]] = {}
        for atom, inside in self._pieces(cells).items():
            members = self.members[atom]
            if atom == UNRELEASED:
                return None
            if len(inside) == len(members):
                continue
            piece = frozenset(inside)
            if atom in self.cut and self.cut[atom] != piece:
                return None
            moving[atom] = self.cut_by.get(atom, frozenset()) | {label}
            inside_of[atom] = piece
        if not moving:
            return None
        groups: dict[frozenset[int], set[int]] = defaultdict(set)
        for atom, by in self.cut_by.items():
            groups[moving.get(atom, by)].add(atom)
        for atom, by in moving.items():
            groups[by].add(atom)
        touched = {self.cut_by.get(atom, frozenset()) for atom in moving} | set(moving.values())
        piece_of = {**self.cut, **inside_of}
        for by in touched:
            atoms = groups.get(by, set())
            if not by or not atoms:
                continue
            pieces_in = [c for a in atoms for c in piece_of[a]]
            pieces_out = [c for a in atoms for c in self.members[a] - piece_of[a]]
            if not self.covers_k(pieces_in) or not self.covers_k(pieces_out):
                return None
            if not (self.means_allow(pieces_in) and self.means_allow(pieces_out)):
                return None

        def release() -> None:
            self.cut.update(inside_of)
            self.cut_by.update(moving)

        return release

    def check(self, cells: Collection[Cell], *, alone: bool = False) -> Callable[[], None] | None:
        """`try_add` without releasing: how to release the set if it may be, else None (so a
        set can be released only where several partitions all allow it)."""
        pieces = self._pieces(cells)
        if self._splits_safely(pieces):
            return lambda: self._add_pieces(pieces)
        return self._alone(cells) if alone else None

    def add(self, cells: Collection[Cell]) -> None:
        """Release a set without checking (for decisions already taken on coarser cells)."""
        self._add_pieces(self._pieces(cells))

    def _add_pieces(self, pieces: Mapping[int, set[Cell]]) -> None:
        for atom, inside in pieces.items():
            members = self.members[atom]
            if atom != UNRELEASED and len(inside) == len(members):
                continue
            new = next(self._ids)
            members -= inside
            self.members[new] = inside
            for cell in inside:
                self.atom_of[cell] = new
            short = self.short_in.get(atom)
            if short:
                moved = {cell for cell in short if cell in inside}
                if moved:
                    short -= moved
                    self.short_in[new] = moved

    def try_add(self, cells: Collection[Cell], *, alone: bool = False) -> bool:
        """Release a set if that keeps the invariant (or, with `alone`, if `splits_alone` allows
        it); say whether it was released."""
        pieces = self._pieces(cells)  # worked out once for the check and the release
        if self._splits_safely(pieces):
            self._add_pieces(pieces)
            return True
        return alone and self.splits_alone(cells)

    def refine(self, parts: Iterable[tuple[Cell, Cell, CellSize]]) -> None:
        """Split every cell into finer cells that stay in its atom: `parts` gives (cell, finer
        cell, the finer cell's size). A finer cell's size must never exceed its cell's, and the
        cells of one region must keep one region, so nothing decided so far changes."""
        sizes: dict[Cell, CellSize] = {}
        atom_of: dict[Cell, int] = {}
        members: dict[int, set[Cell]] = {UNRELEASED: set()}
        for cell, finer, size in parts:
            if size.size <= 0:
                continue
            atom = self.atom_of[cell]
            sizes[finer] = size
            atom_of[finer] = atom
            members.setdefault(atom, set()).add(finer)
        self.sizes, self.atom_of, self.members = sizes, atom_of, members
        self.means, self.short_in = None, {}  # finer figures are not the means'

    def atoms(self) -> list[set[Cell]]:
        """The released atoms (not the class of unreleased cells)."""
        return [members for atom, members in self.members.items() if members and atom != UNRELEASED]
