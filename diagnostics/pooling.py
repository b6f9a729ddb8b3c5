"""What one result covers (a `Scope`): a single cycle, or a period's pool of pulses.

Pulses are pooled in fixed, consecutive periods of the organisation's window so that small teams
reach k and no two pooled results differ by a small group (PRODUCT §5; README "Pulses are pooled
by fixed periods"). Every page, chart, export and action shows a pulse only through its pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone

from diagnostics.models import Cycle
from organisations.models import Organisation


@dataclass(frozen=True)
class Scope:
    """The cycles whose responses one result covers, and a label for it."""

    key: str
    label: str
    cycle_ids: frozenset[int]
    kind: str = Cycle.Kind.FULL
    starts_on: date | None = None
    ends_on: date | None = None
    pulses_here: int | None = None  # of a pool, the pulses the unit in view took part in
    # of one cycle, its name in other languages, (language code, name) pairs
    labels_in_languages: tuple[tuple[str, str], ...] = ()

    @property
    def pulse_count(self) -> int:
        return self.pulses_here if self.pulses_here is not None else len(self.cycle_ids)

    @property
    def full_label(self) -> str:
        """The label, with how many pulses a pooled scope holds."""
        if self.kind != Cycle.Kind.PULSE:
            return self.label
        count = self.pulse_count
        return f"{self.label} (pooled over {count} pulse{'' if count == 1 else 's'})"


def cycle_scope(cycle: Cycle) -> Scope:
    return Scope(
        key=f"cycle-{cycle.pk}",
        label=cycle.name,
        labels_in_languages=tuple(sorted((cycle.names_in_languages or {}).items())),
        cycle_ids=frozenset({cycle.pk}),
        kind=cycle.kind,
        starts_on=cycle.opens_on,
        ends_on=cycle.last_day,
    )


def pulse_period(opens_on: date, *, window_days: int, periods_from: date) -> tuple[date, date]:
    """The pooling period a pulse opening on `opens_on` belongs to: first and last day."""
    index = (opens_on - periods_from).days // window_days
    start = periods_from + timedelta(days=index * window_days)
    return start, start + timedelta(days=window_days - 1)


def _period_label(start: date, end: date) -> str:
    first = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"Pulses {first} – {end.day} {end:%b %Y}"


def pooled_pulse_scopes(
    pulses: Sequence[Cycle], *, window_days: int, periods_from: date
) -> list[Scope]:
    """The organisation's pulses pooled by period, oldest first: one scope per period of
    `window_days` days that holds a pulse, each pulse in the period in which it opened.

    Pooling lets small teams reach the threshold (§5). The periods follow each other from
    `periods_from` (the day the organisation was set up) without overlapping, and a pulse never
    changes period, so no two pooled results differ by a small group: overlapping windows, one
    ending at each pulse, would (9 responses pooled to October and 10 to November give away
    November's one). Pass every opened pulse of the organisation, so that a period pools the
    same pulses on every page.
    """
    by_period: dict[tuple[date, date], list[Cycle]] = {}
    for pulse in pulses:
        period = pulse_period(pulse.opens_on, window_days=window_days, periods_from=periods_from)
        by_period.setdefault(period, []).append(pulse)
    return [
        Scope(
            key=f"pooled-{start.isoformat()}",
            label=_period_label(start, end),
            cycle_ids=frozenset(p.pk for p in by_period[start, end]),
            kind=Cycle.Kind.PULSE,
            starts_on=start,
            ends_on=end,
        )
        for start, end in sorted(by_period)
    ]


def periods_from(organisation: Organisation) -> date:
    """The first day of the organisation's first pooling period: the day it was set up."""
    return timezone.localdate(organisation.created_at)


def pulse_period_of(organisation: Organisation, opens_on: date) -> tuple[date, date]:
    """The organisation's pooling period holding a pulse that opens on `opens_on`."""
    return pulse_period(
        opens_on,
        window_days=organisation.pulse_window_days,
        periods_from=periods_from(organisation),
    )


def pulse_pools(organisation: Organisation) -> list[Scope]:
    """Every opened pulse of the organisation, pooled by period (one query)."""
    pulses = (
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.PULSE)
        .exclude(status=Cycle.Status.DRAFT)
        .only("pk", "opens_on")
    )
    return pooled_pulse_scopes(
        list(pulses),
        window_days=organisation.pulse_window_days,
        periods_from=periods_from(organisation),
    )


def pools_taking_part(pools: Sequence[Scope], cycles: Sequence[Cycle]) -> list[Scope]:
    """The pools holding at least one of these cycles (a unit's pulses), oldest first."""
    wanted = {c.pk for c in cycles if c.kind == Cycle.Kind.PULSE}
    return [
        replace(scope, pulses_here=len(scope.cycle_ids & wanted))
        for scope in pools
        if scope.cycle_ids & wanted
    ]


def scope_of(cycle: Cycle) -> Scope:
    """What a page or export about one cycle covers: the cycle itself, or for a pulse the pool
    that holds it, so that a pulse is only ever shown pooled (one query for a pulse)."""
    if cycle.kind != Cycle.Kind.PULSE:
        return cycle_scope(cycle)
    return pool_of(cycle, pulse_pools(cycle.organisation))


def cycle_label(cycle: Cycle, scope: Scope) -> str:
    """The cycle's name, and for a pulse the pool shown in its place."""
    if cycle.kind != Cycle.Kind.PULSE:
        return cycle.name
    return f"{cycle.name}: {scope.full_label}"


def pool_of(cycle: Cycle, pooled: Sequence[Scope]) -> Scope:
    """The pooled scope that holds this pulse; a draft, in no pool and with no responses, alone."""
    return next((scope for scope in pooled if cycle.pk in scope.cycle_ids), cycle_scope(cycle))
