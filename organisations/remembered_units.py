"""An organisation's units' stored fields, remembered by this process for as long as the
database says no unit has changed.

Every results page reads every unit of the organisation: at 3,300 units the read took a quarter
of the comparison's time (docs/performance.md). Units change seldom (an admin editing the tree),
so each process keeps the fields it read, with the version of the units table they were read
at. The database changes that version on every write to units, whoever makes it (our services,
django-treebeard's raw SQL, bulk updates, a shell), to a random 64-bit number, so that a
version never stands for two different sets of units (organisations/migrations/0012 and 0013):
reading it is one small query, and the units are read again only when it differs.

Only the fields, read-only mappings of plain values, are shared between requests, with a table
worked out from them (`UnitTable`: paths, teams, each unit's children). Each caller makes its own
units from them: units shared across requests would also share what a request caches on them
(their organisation and its threshold, say). The results pages make theirs one at a time, as they
ask for them (`UnitsByPath`), so that a page showing a few units of a council makes only those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL

from organisations.models import Organisation, Unit

_VERSION_SQL = "SELECT version FROM organisations_units_version"
_VERSION_COLUMN = "units_version"

# A unit's stored fields (attribute name: value), as `Model.from_db` would be given them.
UnitFields: TypeAlias = MappingProxyType[str, Any]

Derived = TypeVar("Derived")

# How many values worked out from one table it keeps (`UnitTable.derived`): those of a few dozen
# viewers' families at a time, each a few hundred kB at 3,000 teams; past that it starts afresh.
MOST_DERIVED = 32

# (database alias and name, organisation) -> (version, fields of each unit in tree order); one
# entry per organisation, replaced when the version moves on.
_remembered: dict[tuple[str, str, int], tuple[int, tuple[UnitFields, ...]]] = {}


def attnames() -> list[str]:
    """The stored fields' attribute names, in the model's order."""
    return [field.attname for field in Unit._meta.concrete_fields]


def units_version(*, using: str = "default") -> int | None:
    """The units table's version now (one query); None if the database keeps none."""
    with connections[using].cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def claim_units_version(*, using: str = "default") -> None:
    """Queue for the units table's version, in a transaction about to write units, before it
    takes any other lock. Every write to units moves the version, so a writer holds the
    version's row until it commits: a writer that held it and then waited for a unit another
    writer had locked, while that one waited for the version, would deadlock (an import adding
    units under several parents, beside an admin adding one). Writers that claim it first wait
    holding nothing. PostgreSQL only: SQLite lets one writer in at a time."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL + " FOR UPDATE")


def unit_fields(*, organisation_id: int, using: str = "default") -> tuple[UnitFields, ...]:
    """Each of the organisation's units' stored fields, in tree order: remembered from an
    earlier call if no unit has changed since (one query), otherwise read (two queries)."""
    key = (using, str(connections[using].settings_dict["NAME"]), organisation_id)
    version = units_version(using=using)
    held = _remembered.get(key)
    if held is not None and version is not None and held[0] == version:
        return held[1]
    names = attnames()
    units = Unit.objects.using(using).filter(organisation_id=organisation_id).order_by("path")
    # The units and the version they belong to, from one statement (one snapshot of the data).
    version_then = RawSQL(_VERSION_SQL, ())  # noqa: S611  # nosec B611 (a constant)
    rows = tuple(
        units.annotate(**{_VERSION_COLUMN: version_then}).values_list(*names, _VERSION_COLUMN)
    )
    fields = tuple(MappingProxyType(dict(zip(names, row, strict=False))) for row in rows)
    read_at = rows[0][-1] if rows else version
    if read_at is not None:
        _remembered[key] = (int(read_at), fields)
    return fields


def forget_unit_fields() -> None:
    """Drop everything remembered (for tests that compare a first read with a remembered one)."""
    _remembered.clear()
    _tables.clear()


def load_units(organisation: Organisation) -> list[Unit]:
    """The organisation's units in tree order, made afresh for this caller."""
    units = Unit.objects.filter(organisation=organisation).order_by("path")
    if settings.SPEEDUP_REMEMBERED_UNITS:
        fields = unit_fields(organisation_id=organisation.pk, using=units.db)
        return _make_units(fields, db=units.db)
    if settings.SPEEDUP_UNITS_WITHOUT_INIT:
        return _units_without_init(
            _fields_afresh(organisation_id=organisation.pk, using=units.db), db=units.db
        )
    return list(units)


def _fields_afresh(*, organisation_id: int, using: str) -> tuple[UnitFields, ...]:
    """Each of the organisation's units' stored fields, in tree order, read now."""
    units = Unit.objects.using(using).filter(organisation_id=organisation_id).order_by("path")
    return tuple(MappingProxyType(each) for each in units.values(*attnames()))


def _make_units(fields: Iterable[UnitFields], *, db: str) -> list[Unit]:
    """Units made afresh from their stored fields, as the ORM would make them."""
    if settings.SPEEDUP_UNITS_WITHOUT_INIT:
        return _units_without_init(fields, db=db)
    names = attnames()
    return [Unit.from_db(db, names, [each[name] for name in names]) for each in fields]


@dataclass(frozen=True)
class UnitTable:
    """An organisation's units as plain values, worked out once for each read of their fields
    (so shared by a process's requests for as long as the fields are remembered): what a
    results page needs of every unit without making every one."""

    fields: tuple[UnitFields, ...]  # in tree order
    paths: tuple[str, ...]  # in tree order
    by_path: Mapping[str, UnitFields]
    teams: tuple[tuple[int, str], ...]  # each team's id and path, in tree order
    children: Mapping[str, tuple[str, ...]]  # the paths one level below each unit's
    names: Mapping[str, str]  # each unit's name by path
    has_active_teams: bool  # a team not archived
    # Values worked out from the table alone, kept with it (`derived`).
    _derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Hashable, work: Callable[[], Derived]) -> Derived:
        """What `work` makes of this table, worked out once for each `key` and kept as long as
        the table is (so for as long as no unit changes, when the fields are remembered). `work`
        must depend on nothing but the table and what `key` names, and its value must not be
        changed by its callers: every request given this table shares it."""
        found = self._derived.get(key)
        if found is None:
            found = work()
            if len(self._derived) >= MOST_DERIVED:
                self._derived.clear()
            self._derived[key] = found
        return found

    @classmethod
    def of(cls, fields: tuple[UnitFields, ...]) -> UnitTable:
        paths = tuple(each["path"] for each in fields)
        children: dict[str, list[str]] = defaultdict(list)
        for path in paths:
            if len(path) > Unit.steplen:
                children[path[: -Unit.steplen]].append(path)
        return cls(
            fields=fields,
            paths=paths,
            by_path=MappingProxyType(dict(zip(paths, fields, strict=True))),
            teams=tuple((each["id"], each["path"]) for each in fields if each["is_team"]),
            children=MappingProxyType({path: tuple(below) for path, below in children.items()}),
            names=MappingProxyType({each["path"]: each["name"] for each in fields}),
            has_active_teams=any(each["is_team"] and not each["archived_at"] for each in fields),
        )


# (database alias and name, organisation) -> the table of the fields remembered for it.
_tables: dict[tuple[str, str, int], UnitTable] = {}


def unit_table(*, organisation_id: int, using: str = "default") -> UnitTable:
    """The organisation's units as a table: the one already worked out for the remembered
    fields if no unit has changed since (one query), otherwise worked out afresh."""
    if not settings.SPEEDUP_REMEMBERED_UNITS:
        return UnitTable.of(_fields_afresh(organisation_id=organisation_id, using=using))
    fields = unit_fields(organisation_id=organisation_id, using=using)
    key = (using, str(connections[using].settings_dict["NAME"]), organisation_id)
    held = _tables.get(key)
    if held is None or held.fields is not fields:
        held = _tables[key] = UnitTable.of(fields)
    return held


class UnitsByPath(Mapping[str, Unit]):
    """One request's units by path, in tree order, each made from the table the first time it
    is asked for: a page that shows a few units makes only those (at 3,307 units, making every
    one and collecting after them took 3-4 ms of every results page). Made units are kept, so
    a path always gives this request the same unit, and are never shared with another request
    (a request caches its own organisation, with its threshold, on a unit)."""

    def __init__(self, table: UnitTable, *, db: str) -> None:
        self.table = table
        self._db = db
        self._made: dict[str, Unit] = {}

    def __getitem__(self, path: str) -> Unit:
        unit = self._made.get(path)
        if unit is None:
            (unit,) = _make_units([self.table.by_path[path]], db=self._db)
            self._made[path] = unit
        return unit

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.paths)

    def __len__(self) -> int:
        return len(self.table.paths)

    def __contains__(self, path: object) -> bool:
        return path in self.table.by_path

    def children(self, path: str) -> list[Unit]:
        """The units one level below the unit at `path`, in tree order."""
        return [self[below] for below in self.table.children.get(path, ())]

    def every_unit(self) -> list[Unit]:
        """Every unit, in tree order: those not made yet made together, as `load_units` makes
        them (a page that lists every team)."""
        if len(self._made) < len(self.table.paths):
            missing = [each for each in self.table.fields if each["path"] not in self._made]
            for unit in _make_units(missing, db=self._db):
                self._made[unit.path] = unit
        return [self._made[path] for path in self.table.paths]


def _units_without_init(fields: Iterable[UnitFields], *, db: str) -> list[Unit]:
    """Units from their stored fields, each made as the ORM makes one from a stored row (its
    fields and a `ModelState` of that row) but without `Model.__init__`: a results page loads
    every unit of the organisation, and at 3,300 units `__init__`, its signals and field
    descriptors took 26 of a dashboard's 120 ms. Relies on Django's private `ModelState`, and on
    Unit having no `pre_init` or `post_init` receivers (`SPEEDUP_UNITS_WITHOUT_INIT`,
    docs/performance.md)."""
    made = []
    new = Unit.__new__
    for each in fields:
        unit = new(Unit)
        state = ModelState()
        state.adding = False
        state.db = db
        # A copy of the fields (a dict's own copy: a tenth of `dict(zip(names, row))`), so that
        # units made from remembered fields share nothing.
        attributes = each.copy()
        attributes["_state"] = state
        unit.__dict__ = attributes
        made.append(unit)
    return made
