"""Results worked out before anyone asks: once a cycle has settled, the clock builds the pages an
organisation admin and each leader open first, so that the disclosure plans they need wait in
the shared cache.

A settled cycle's plans are remembered across requests and workers (`diagnostics.
settled_plans`), but somebody has to be first: in a council of 3,000 teams the first org admin
to open a team's dashboard and trends after a cycle closed waited 17 and 21 seconds while the
engine decided them, and a fresh worker with those plans in the shared cache served the same
pages in 0.6 and 0.25 seconds (docs/performance.md). The job does that first visit instead.

It builds, as one of the organisation's admins, the organisation's dashboard and trends and one
taking-part team's dashboard and trends: a plan depends on the viewer's family, the same for
every org admin, and not on the unit shown, so those four pages decide every scope any org
admin's dashboard, trends or comparison asks for. Then the same for each leader who signed in
in the last `LEADERS_SIGNED_IN_WITHIN` (once per family: leaders of the same units share one),
as that leader: their units' dashboards and trends and one taking-part team's below. At 3,000
teams a directorate leader's first dashboard waited 3.6 s, a service leader's 1.6 s. Team
managers, many more and each a family of their own, still work out theirs on their first
visit; but between the admins and the leaders the job sums every unit above the teams for
each settled cycle (`remember_unit_sums`), from which a manager's plans take the answers of
everything outside their reach instead of reading every other team's rows. Nothing leaves
the job but plans and sums in the cache: no page is sent, no view is audited.

It needs the shared cache (`CACHE_URL`, Redis in production), and does nothing without one:
the plans would stay in the job's own process. Runs that overlap (an organisation of many
thousands of teams can take longer than the ten minutes between runs) claim each organisation
in the cache first, so no two work on the same one. Each part of an organisation's work (the
admins' pages, the units' sums, each family of leaders) is marked once done, and a run stops
starting parts after `WARMING_BUDGET`: the next run goes on from the first part not done, so
a run that is stopped, dies or runs out of time leaves only that, and no run outlives its
claim or the hour after which Celery would hand the job out again.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from dashboards import profile as profile_page
from dashboards import trends as trends_page
from dashboards.common import cycle_standings, default_cycle
from diagnostics import settled_plans
from diagnostics.models import Cycle, CycleTeam
from diagnostics.results import remember_unit_sums
from diagnostics.selectors import cycles_covering
from disclosure.plan import stable_digest
from organisations.access import Reach, reach_of
from organisations.models import Membership, Organisation, Role, Unit
from organisations.selectors import root_of

logger = logging.getLogger(__name__)

WARMED_KEY = "warmed-results:{generation}:{organisation}:{cycle}:{closed_at}"
WARMING_KEY = "warming-results:{organisation}"  # an organisation a run is working on now
# Longer than a run works on an organisation (`WARMING_BUDGET` and the part in hand); a
# crashed run's lapses.
WARMING_CLAIM_SECONDS = 3600
# A run stops starting parts after this long, well inside its claim and the hour after which
# Celery hands an unacknowledged job out again; the next run (ten minutes on) goes on from
# there. At 3,000 teams with all 301 leaders' families an organisation takes about 9 minutes
# (docs/performance.md).
WARMING_BUDGET = timedelta(minutes=20)
# Leaders warmed for: those who signed in this recently (the others may never come back).
LEADERS_SIGNED_IN_WITHIN = timedelta(days=90)


def cache_is_shared() -> bool:
    """Whether the default cache is one every process reads (Redis in production). A process's
    own memory would keep the plans where no web worker finds them, and lose the markers, so
    every run would work everything out again."""
    backend = settings.CACHES["default"]["BACKEND"]
    return not (backend.endswith("LocMemCache") or backend.endswith("DummyCache"))


@dataclass(frozen=True)
class Warmed:
    """What one run did, by organisation id (for the job's log: no names, no figures)."""

    warmed: list[int]
    skipped: list[int]  # newly settled, but with no admin to read as, or the building failed
    # Stopped at the run's time budget: the next run goes on from the first part not done.
    unfinished: list[int] = field(default_factory=list)


@dataclass
class _Budget:
    """A run's time: it stops before a part once it has done one and `WARMING_BUDGET` is spent
    (`clock`, in seconds), so that every run gets on, whatever the budget."""

    deadline: float
    clock: Callable[[], float]
    worked: bool = False

    def over(self) -> bool:
        return self.worked and self.clock() >= self.deadline


def warm_settled_results(*, now: datetime, clock: Callable[[], float] = time.monotonic) -> Warmed:
    """For each organisation whose newest settled cycle (closed `SETTLED_AFTER` ago or more)
    has not been warmed in this generation of settled counts: build its admins' and recent
    leaders' first pages, and sum its units. Idempotent: a marker in the shared cache, keyed
    by the generation, the organisation and that cycle, makes a later run pass over it; it
    lasts as long as the plans it stands for (`SHARED_TIMEOUT`), so a week on the pages are
    warmed again. Each part done (the admins' pages, the units' sums, each family of leaders)
    is marked the same way, and a run stops once it has spent `WARMING_BUDGET` (`clock`, in
    seconds), so a run that stops, is stopped or dies leaves the next run only what it had
    not done."""
    if not cache_is_shared():
        logger.info("Results not warmed: the cache is not shared between processes (CACHE_URL).")
        return Warmed(warmed=[], skipped=[])
    budget = _Budget(deadline=clock() + WARMING_BUDGET.total_seconds(), clock=clock)
    generation = settled_plans.generation()
    settled = (
        Cycle.objects.filter(
            status=Cycle.Status.CLOSED,
            closed_at__lte=now - settled_plans.SETTLED_AFTER,
        )
        .values("organisation_id")
        .annotate(newest=Max("closed_at"))
        .order_by("organisation_id")
    )
    warmed, skipped, unfinished = [], [], []
    for row in settled:
        organisation_id, closed_at = row["organisation_id"], row["newest"]
        cycle = (
            Cycle.objects.filter(organisation_id=organisation_id, closed_at=closed_at)
            .select_related("organisation")
            .order_by("-pk")
            .first()
        )
        if cycle is None:
            continue
        marker = WARMED_KEY.format(
            generation=generation,
            organisation=organisation_id,
            cycle=cycle.pk,
            closed_at=closed_at.isoformat(),
        )
        claim = WARMING_KEY.format(organisation=organisation_id)
        if cache.get(marker):
            continue  # warmed already
        if budget.over():
            unfinished.append(organisation_id)
            continue  # the next run starts here
        if not cache.add(claim, True, timeout=WARMING_CLAIM_SECONDS):
            continue  # another run is warming it now
        try:
            done = _warm(cycle.organisation, cycle, now=now, parts=marker, budget=budget)
        except Exception:
            # One organisation's failure must not keep the others cold; it is tried again on
            # the next run, and its pages work out their plans as they always could.
            logger.exception("Could not warm the results of organisation %s", organisation_id)
            skipped.append(organisation_id)
            continue
        finally:
            cache.delete(claim)
        if done is None:
            skipped.append(organisation_id)
        elif not done:
            unfinished.append(organisation_id)
        else:
            cache.set(marker, True, timeout=settled_plans.SHARED_TIMEOUT)
            warmed.append(organisation_id)
    return Warmed(warmed=warmed, skipped=skipped, unfinished=unfinished)


def _warm(
    organisation: Organisation,
    cycle: Cycle,
    *,
    now: datetime,
    parts: str,
    budget: _Budget,
) -> bool | None:
    """The organisation's parts not yet marked done under `parts` (the organisation's marker),
    in order, each marked once done, until the budget is spent: True once every part is done,
    False if the time ran out first, None if the organisation has no admin to read as."""
    today = timezone.localdate(now)
    admin = (
        Membership.objects.filter(
            organisation=organisation,
            role=Role.ORG_ADMIN,
            unit__depth=1,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if admin is None:
        return None
    root = root_of(organisation)
    admin_reach = reach_of(admin.user)

    def admins() -> None:
        _build_first_pages(admin_reach, [root], cycle, today=today)

    def unit_sums() -> None:
        try:
            remember_unit_sums(organisation, reach=admin_reach)
        except Exception:
            # As for a leader's family: logged, and left to the first visits, which read the
            # teams' rows as they always could; the leaders after it are still warmed.
            logger.exception("Could not sum the units of organisation %s", organisation.pk)

    work: Iterator[tuple[str, Callable[[], None]]] = itertools.chain(
        [("admins", admins), ("unit-sums", unit_sums)],
        _leader_families(
            organisation,
            cycle,
            since=now - LEADERS_SIGNED_IN_WITHIN,
            warmed=(root.path,),
            today=today,
        ),
    )
    for name, build in work:
        part = f"{parts}:{name}"
        if cache.get(part):
            continue
        if budget.over():
            return False
        build()
        cache.set(part, True, timeout=settled_plans.SHARED_TIMEOUT)
        budget.worked = True
    return True


def _leader_families(
    organisation: Organisation,
    cycle: Cycle,
    *,
    since: datetime,
    warmed: tuple[str, ...],
    today: date,
) -> Iterator[tuple[str, Callable[[], None]]]:
    """Each family of the leaders who signed in since `since`, other than the family `warmed`
    (the roots of the org admins' reach), named by its units and built as the first of its
    leaders; a leader whose reach cannot be read, or a family that fails, is logged and left
    to its leaders' first visit."""
    leaders = (
        User.objects.filter(
            is_active=True,
            last_login__gte=since,
            memberships__organisation=organisation,
            memberships__role=Role.LEADER,
        )
        .distinct()
        .order_by("pk")
    )
    families = {warmed}
    for leader in leaders:
        try:
            reach = reach_of(leader)
        except Exception:
            # Passed over rather than failing the organisation's run: every later run would
            # stop at the same leader, and the leaders after them would never be warmed.
            logger.exception("Could not read a leader's reach in organisation %s", organisation.pk)
            continue
        family = tuple(sorted(unit.path for unit in reach.top_units))
        if family in families:
            continue  # warmed already, as another leader or an org admin
        families.add(family)
        units = [unit for unit in reach.top_units if not unit.is_team]

        def build(reach: Reach = reach, units: list[Unit] = units) -> None:
            try:
                _build_first_pages(reach, units, cycle, today=today)
            except Exception:
                logger.exception(
                    "Could not warm a leader's results in organisation %s", organisation.pk
                )

        yield f"leaders:{stable_digest(family)}", build


def _build_first_pages(reach: Reach, units: list[Unit], cycle: Cycle, *, today: date) -> None:
    """As the viewer of `reach`: the dashboard and trends of each unit, and of the first team
    below the first unit that took part in `cycle`."""
    if not units:
        return
    team = (
        Unit.objects.filter(
            pk__in=CycleTeam.objects.filter(cycle=cycle).values("team_id"),
            path__startswith=units[0].path,
            archived_at__isnull=True,
        )
        .order_by("path")
        .first()
    )
    for unit in [*units, team]:
        if unit is None:
            continue
        cycles = cycles_covering(unit)
        standings = cycle_standings(unit, cycles, reach=reach)
        shown = default_cycle(cycles, unit=unit, today=today, shown=standings.shown)
        if shown is not None:
            profile_page.profile(
                reach=reach,
                unit=unit,
                cycle=shown,
                cycles=cycles,
                filters={},
                today=today,
                standings=standings,
            )
        trends_page.trends(reach=reach, unit=unit, cycles=cycles, today=today)
