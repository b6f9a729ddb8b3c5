"""Reads about organisations and their trees."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When, Window
from django.utils import timezone

from organisations.models import (
    UNIT_PATH_SEPARATOR,
    AuditEvent,
    Membership,
    Organisation,
    Role,
    Unit,
)
from organisations.remembered_units import load_units, unit_fields, unit_table

if TYPE_CHECKING:
    from organisations.access import Reach


def root_of(organisation: Organisation) -> Unit:
    return Unit.objects.get(organisation=organisation, depth=1)


def unit_names_by_path(
    organisation: Organisation, *, include_archived: bool = True
) -> dict[str, str]:
    """Every unit's tree path mapped to its name: with `SPEEDUP_REMEMBERED_UNITS` from the units
    as `remembered_units` keeps them (one small query while no unit changes), otherwise one
    query."""
    if settings.SPEEDUP_REMEMBERED_UNITS:
        return {
            fields["path"]: fields["name"]
            for fields in unit_fields(organisation_id=organisation.pk)
            if include_archived or fields["archived_at"] is None
        }
    units = Unit.objects.filter(organisation=organisation)
    if not include_archived:
        units = units.active()
    return dict(units.values_list("path", "name"))


def readable_path(unit: Unit, names_by_path: Mapping[str, str]) -> str:
    """A unit's human path below the organisation, e.g. “Children's Services / North / Team A”.

    The organisation's own root unit reads as the organisation's name.
    """
    return _path_words(unit.path, unit.depth, unit.name, names_by_path)


def _path_words(path: str, depth: int, name: str, names_by_path: Mapping[str, str]) -> str:
    if depth == 1:
        return name
    step = Unit.steplen
    parts = [names_by_path[path[:i]] for i in range(2 * step, len(path) + 1, step)]
    return UNIT_PATH_SEPARATOR.join(parts)


def readable_paths(organisation: Organisation, *, using: str = "default") -> Mapping[int, str]:
    """Unit id → readable path for a whole organisation (read-only). With
    `SPEEDUP_REMEMBERED_UNITS`, worked out once from the units as `remembered_units` keeps them
    and again only when a unit has changed, so a page naming a few units reads one small
    version instead of every unit; without it, from the units read afresh (one query)."""
    if not settings.SPEEDUP_REMEMBERED_UNITS:
        units = Unit.objects.using(using).filter(organisation=organisation)
        return _paths_of(list(units.values("id", "path", "depth", "name")))
    table = unit_table(organisation_id=organisation.pk, using=using)
    return table.derived("readable paths", lambda: _paths_of(table.fields))


def _paths_of(units: Sequence[Mapping[str, Any]]) -> Mapping[int, str]:
    names = {unit["path"]: unit["name"] for unit in units}
    return MappingProxyType(
        {
            unit["id"]: _path_words(unit["path"], unit["depth"], unit["name"], names)
            for unit in units
        }
    )


def units_inside(unit: Unit) -> list[str]:
    """The units below `unit`, in tree order, each named by its path from `unit` (“Team A”,
    “North / Team A”)."""
    names = dict(Unit.objects.within(unit).exclude(pk=unit.pk).values_list("path", "name"))
    step = Unit.steplen
    return [
        UNIT_PATH_SEPARATOR.join(
            names[path[:i]] for i in range(len(unit.path) + step, len(path) + 1, step)
        )
        for path in sorted(names)
    ]


def path_key(path: str) -> str:
    """A readable path as files and commands are matched by it: in any case, a curly apostrophe
    as a straight one, and with any spacing around the slashes (unit names are unique among
    their siblings whatever their case)."""
    parts = (" ".join(part.split()) for part in path.split("/"))
    return " / ".join(parts).casefold().replace("\u2019", "'")


class UnitsByPath(Mapping[str, Unit]):
    """Readable path → unit, looked up by `path_key`; iterates the paths as the site writes
    them."""

    def __init__(self, units: dict[str, Unit]) -> None:
        self._units = units
        self._by_key = {path_key(path): unit for path, unit in units.items()}

    def __getitem__(self, path: str) -> Unit:
        return self._by_key[path_key(path)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def by_key(self) -> dict[str, Unit]:
        """`path_key` → unit, a copy to add to (as an import does while creating units)."""
        return dict(self._by_key)


def unit_by_readable_path(
    organisation: Organisation, *, within_cycle: Collection[int] = ()
) -> UnitsByPath:
    """Readable path → unit, for resolving paths given on the command line or in CSV files. A
    place a unit moved from is left out (its path reads as the unit's did, and names no unit
    anyone can give a role at or add to), unless it is one of `within_cycle`, the teams of the
    cycle the paths are given for, which then wins over any unit whose path reads the same."""
    units = list(Unit.objects.filter(organisation=organisation))
    names = {unit.path: unit.name for unit in units}
    found: dict[str, Unit] = {}
    for unit in units:
        if not unit.is_former_place or unit.pk in within_cycle:
            path = readable_path(unit, names)
            if path not in found or unit.pk in within_cycle:
                found[path] = unit
    return UnitsByPath(found)


def parent_of(unit: Unit) -> Unit | None:
    if unit.depth == 1:
        return None
    return Unit.objects.get(path=unit.path[: -unit.steplen])


def units_above(unit: Unit) -> QuerySet[Unit]:
    """The units above this one in its organisation, nearest first (where an issue or an action
    held by it may be escalated)."""
    units: QuerySet[Unit] = Unit.objects.filter(
        organisation_id=unit.organisation_id, path__in=unit.ancestor_paths()
    )
    return units.order_by("-depth")


def breadcrumbs(unit: Unit) -> list[Unit]:
    """The unit's ancestors, root first, then the unit itself (one query)."""
    return [*Unit.objects.filter(path__in=unit.ancestor_paths()).order_by("depth"), unit]


def teams_under(unit: Unit, prefix: str = "") -> Q:
    """Rows of teams at or below `unit` (`prefix` for lookups through a relation), for rows
    that belong to the unit's organisation already (a cycle's codes, tallies or comments, or
    the teams of its cycles): nothing to match for the organisation's root, whose every team is
    below it, so that the database need not join every unit of a council to count them."""
    return Q() if unit.depth == 1 else Q(**{f"{prefix}path__startswith": unit.path})


@dataclass
class TreeNode:
    unit: Unit
    children: list[TreeNode] = field(default_factory=list)


def tree_of(root: Unit, *, include_archived: bool = True) -> TreeNode:
    """The subtree under `root` as nested nodes, siblings sorted by name (from the units a
    process remembers: one small query while no unit has changed)."""
    units = load_units(root.organisation)
    by_id = {unit.pk: unit for unit in units}
    nodes = {
        unit.path: TreeNode(unit)
        for unit in units
        if unit.path.startswith(root.path) and (include_archived or not unit.is_archived)
    }
    for node in nodes.values():
        if node.unit.moved_to_id in by_id:  # named with no query of its own
            node.unit.moved_to = by_id[node.unit.moved_to_id]
    top = nodes.get(root.path, TreeNode(root))
    for path, node in nodes.items():
        if path == root.path:
            continue
        parent = nodes.get(path[: -root.steplen])
        if parent is not None:
            parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: (not child.unit.is_team, child.unit.name.lower()))
    return top


def flatten(node: TreeNode, depth: int = 0) -> list[tuple[int, Unit]]:
    """Depth-first (depth, unit) pairs, for indented lists and select options."""
    return [(at, each.unit) for at, each in flatten_nodes(node, depth)]


@dataclass(frozen=True)
class StructureRow:
    depth: int  # below the unit the page shows the structure of
    unit: Unit
    hidden_below: int  # units under this one that the page leaves to the unit's own page


def structure_rows(top: Unit, *, limit: int) -> list[StructureRow]:
    """The structure under `top`, whole when it holds at most `limit` units, otherwise down to
    the deepest level that keeps it within `limit` (at least `top`'s own children), each unit
    at that level saying how many units it holds below (one query)."""
    sizes: dict[int, int] = {}

    def size_of(node: TreeNode) -> int:
        sizes[id(node)] = 1 + sum(size_of(child) for child in node.children)
        return sizes[id(node)]

    tree = tree_of(top)
    size_of(tree)
    by_depth: dict[int, int] = defaultdict(int)
    nodes = flatten_nodes(tree)
    for depth, _ in nodes:
        by_depth[depth] += 1
    deepest, shown = 1, by_depth[0] + by_depth[1]
    while deepest + 1 in by_depth and shown + by_depth[deepest + 1] <= limit:
        deepest += 1
        shown += by_depth[deepest]
    return [
        StructureRow(depth, node.unit, sizes[id(node)] - 1 if depth == deepest else 0)
        for depth, node in nodes
        if depth <= deepest
    ]


UNITS_LISTED_MAX = 250
UNITS_FOUND_MAX = 50
FIND_WORDS_MAX = 200  # characters of a search looked at (the box takes no more)


@dataclass(frozen=True)
class UnitOffer:
    """The units a chooser lists: every candidate when there are at most `UNITS_LISTED_MAX`;
    otherwise those whose name contains the words searched for, or without a search the top
    levels of the tree, each time with the unit already chosen. A search that finds units
    chooses the first of them, unless the unit chosen before is among them."""

    units: list[Unit]
    total: int  # candidates in all
    selected: int | None  # the unit to show chosen: the one chosen before, or the first found
    find: str = ""  # the words searched for ("" for none)
    found: int = 0  # candidates whose name contains `find` (0 without a search)
    found_listed: int = 0  # of those, how many the list holds

    @property
    def narrowed(self) -> bool:
        return self.total > len(self.units) or bool(self.find)


def units_to_offer(
    *,
    candidates: QuerySet[Unit],
    find: str = "",
    chosen: int | None = None,
) -> UnitOffer:
    """What a unit chooser lists out of `candidates`, in two queries whatever their number: a
    council of 3,000 teams would otherwise send 3,300 options with every form."""
    listed_max, found_max = UNITS_LISTED_MAX, UNITS_FOUND_MAX
    per_depth = sorted(
        candidates.order_by()
        .values_list("depth")
        .annotate(units=Count("id"))
        .values_list("depth", "units")
    )
    total = sum(units for _, units in per_depth)
    by_path = candidates.order_by("path")
    if total <= listed_max:
        return UnitOffer(units=list(by_path), total=total, selected=chosen)
    # The unit chosen before first, so that the limit never cuts it; then in tree order.
    chosen_first = Case(When(pk=chosen or 0, then=Value(0)), default=Value(1))
    # Words as typed, spaced once; a NUL character, which no name holds, the database refuses.
    find = " ".join(find[:FIND_WORDS_MAX].replace("\x00", " ").split())
    if not find:
        deepest, listed = per_depth[0][0], 0
        for depth, units_there in per_depth:
            if listed + units_there > listed_max:
                break
            deepest, listed = depth, listed + units_there
        rows = list(
            candidates.filter(Q(depth__lte=deepest) | Q(pk=chosen or 0)).order_by(
                chosen_first, "path"
            )[: listed_max + 1]
        )
        others = [unit for unit in rows if unit.pk != chosen][:listed_max]
        kept = [unit for unit in rows if unit.pk == chosen]
        units = sorted(others + kept, key=lambda unit: unit.path)
        return UnitOffer(units=units, total=total, selected=chosen)
    matches = Q(name__icontains=find)
    rows = list(
        candidates.filter(matches | Q(pk=chosen or 0))
        .annotate(
            is_match=Case(When(matches, then=Value(1)), default=Value(0)),
            found=Window(Sum("is_match")),
        )
        .order_by(chosen_first, "path")[: found_max + 1]
    )
    found_units = [unit for unit in rows if unit.is_match][:found_max]
    kept = [unit for unit in rows if unit.pk == chosen and not unit.is_match]
    selected = chosen
    if found_units and all(unit.pk != chosen for unit in found_units):
        selected = found_units[0].pk
    return UnitOffer(
        units=sorted(found_units + kept, key=lambda unit: unit.path),
        total=total,
        find=find,
        found=rows[0].found if rows else 0,
        found_listed=len(found_units),
        selected=selected,
    )


def flatten_nodes(node: TreeNode, depth: int = 0) -> list[tuple[int, TreeNode]]:
    """Depth-first (depth, node) pairs."""
    rows = [(depth, node)]
    for child in node.children:
        rows.extend(flatten_nodes(child, depth + 1))
    return rows


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def memberships_matching(*, organisation: Organisation, wanted: str = "") -> QuerySet[Membership]:
    """The organisation's roles, those of people whose name or e-mail contains `wanted` (any
    case) when it is given, by name, then place, in an order without ties (for pages)."""
    memberships = Membership.objects.filter(organisation=organisation)
    if wanted:
        memberships = memberships.filter(
            Q(user__display_name__icontains=wanted) | Q(user__email__icontains=wanted)
        )
    return memberships.select_related("user", "unit").order_by(
        "user__display_name", "unit__path", "pk"
    )


def people_with_a_role(*, organisation: Organisation) -> int:
    """How many people hold at least one role in the organisation (one may hold several)."""
    return Membership.objects.filter(organisation=organisation).values("user").distinct().count()


def audit_events(
    *,
    organisation: Organisation,
    action: str = "",
    who: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first, narrowed by kind, person and days (both
    days included, in the site's time zone)."""
    events = AuditEvent.objects.filter(organisation=organisation)
    if action:
        events = events.filter(action=action)
    if who.strip():
        events = events.filter(actor__icontains=who.strip())
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until and until < date.max:  # the last day there is has no day after it to stop at
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    return events


def left_without_admin(users: Iterable[Any]) -> list[Organisation]:
    """The organisations that would have no organisation admin who can sign in if these people
    had no roles (or could no longer sign in): a deactivated account's role does not count."""
    user_ids = [user.pk for user in users]
    # Only where one of them can sign in: losing a switched-off admin changes nothing.
    held = Membership.objects.filter(
        user_id__in=user_ids, role=Role.ORG_ADMIN, user__is_active=True
    ).values("organisation_id")
    still_held = Membership.objects.filter(role=Role.ORG_ADMIN, user__is_active=True).exclude(
        user_id__in=user_ids
    )
    return list(
        Organisation.objects.filter(pk__in=held)
        .exclude(pk__in=still_held.values("organisation_id"))
        .order_by("name")
    )


def people_running(units: Iterable[Unit]) -> dict[int, list[Any]]:
    """Unit id → the active people who run it: those holding a role at the unit itself, or,
    where nobody does, at the nearest unit above it where somebody does (an escalation to a
    service with no leader of its own reaches the leaders above it). One query for any number
    of units."""
    wanted = list({unit.pk: unit for unit in units}.values())
    if not wanted:
        return {}
    paths = {path for unit in wanted for path in [*unit.ancestor_paths(), unit.path]}
    memberships = (
        Membership.objects.filter(
            organisation_id__in={unit.organisation_id for unit in wanted},
            unit__path__in=paths,
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user__display_name", "pk")
    )
    by_unit: dict[tuple[int, str], list[Any]] = {}
    for membership in memberships:
        held = by_unit.setdefault((membership.organisation_id, membership.unit.path), [])
        if membership.user not in held:
            held.append(membership.user)
    running: dict[int, list[Any]] = {}
    for unit in wanted:
        for path in [unit.path, *reversed(unit.ancestor_paths())]:
            holders = by_unit.get((unit.organisation_id, path))
            if holders:
                running[unit.pk] = holders
                break
        else:
            running[unit.pk] = []
    return running


@dataclass(frozen=True)
class ArchiveConsequences:
    """What archiving a unit leaves as it is, for the question asked first."""

    people_with_roles: int
    open_cycles: list[str]


def archive_consequences(unit: Unit) -> ArchiveConsequences:
    """The people holding a role at or below the unit, and the names of cycles its teams are in
    that are open or yet to open (read through the cycles' link to their teams: two
    queries)."""
    inside = Unit.objects.within(unit)
    people = Membership.objects.filter(unit__in=inside).values("user_id").distinct().count()
    names = (
        inside.filter(cycle_teams__cycle__status__in=["open", "draft"])
        .order_by()
        .values_list("cycle_teams__cycle__name", flat=True)
        .distinct()
    )
    return ArchiveConsequences(people_with_roles=people, open_cycles=sorted(names))


def former_places_after_their_units(units: Sequence[Unit]) -> list[Unit]:
    """`units` in order, except that each former place among them follows the unit that moved
    from it, where that unit is among them too: a moved team's card, then its past."""
    present = {unit.pk for unit in units}

    def follows(unit: Unit) -> bool:
        return unit.is_former_place and unit.moved_to_id in present

    following: dict[int, list[Unit]] = defaultdict(list)
    for unit in units:
        if follows(unit):
            following[unit.moved_to_id].append(unit)
    ordered: list[Unit] = []
    for unit in units:
        if not follows(unit):
            ordered += [unit, *following[unit.pk]]
    return ordered


def places_of_a_move(unit: Unit, *, reach: Reach) -> list[Unit]:
    """The other side of a move in reach: for a unit left where a moved one was, the unit that
    moved; for a unit that moved, the places it was left at. No query in an organisation where
    no unit has been left at a moved one's place."""
    if reach.organisation is None or not reach.organisation.has_former_places:
        return []
    if unit.is_former_place:
        others = [Unit.objects.get(pk=unit.moved_to_id)]
    else:
        others = list(Unit.objects.filter(moved_to=unit).order_by("path"))
    return [other for other in others if reach.reaches(other)]


STRUCTURE_COLUMNS = ["path"]
PEOPLE_COLUMNS = ["email", "role", "unit_path", "name"]


def structure_file_rows(organisation: Organisation) -> list[list[str]]:
    """The structure as its import file gives it: each team's path below the organisation, in
    tree order (archived teams left out). Imported again, it changes nothing."""
    paths = readable_paths(organisation)
    teams = (
        Unit.objects.filter(organisation=organisation)
        .teams()
        .active()
        .order_by("path")
        .values_list("pk", flat=True)
    )
    return [STRUCTURE_COLUMNS, *([paths[pk]] for pk in teams)]


def people_file_rows(organisation: Organisation) -> list[list[str]]:
    """Every role as the people import gives it (e-mail, role, unit path, name), by address.
    Imported again, it changes nothing."""
    paths = readable_paths(organisation)
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email", "unit__path")
    )
    return [
        PEOPLE_COLUMNS,
        *([m.user.email, m.role, paths[m.unit_id], m.user.display_name] for m in memberships),
    ]
