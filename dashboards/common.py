"""Pieces the dashboards share: the framing, the default cycle, small helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from diagnostics.models import (
    Cycle,
    Invite,
)
from diagnostics.results import (
    GroupResult,
)
from disclosure.plan import Hidden
from organisations.models import Unit

FRAMING = (
    "These results describe the working conditions your organisation provides: caseloads, "
    "supervision, safety, systems and how staff are supported. They are not a score of any "
    "person. Red means the organisation has work to do."
)


LOW_RESPONSE_RATE = 0.5


DASHBOARD_PULSES = 6


def default_cycle(cycles: Sequence[Cycle], *, unit: Unit, today: date) -> Cycle | None:
    """The newest full diagnostic that has opened across the whole unit (run for it or for a
    unit above it), else the newest that has opened in part of it, else the newest cycle.
    A diagnostic one team ran on its own is not what a service's page should open on."""
    full = [c for c in cycles if c.kind == Cycle.Kind.FULL and c.opens_on <= today]
    whole = [c for c in full if unit.path.startswith(c.unit.path)]
    choices = whole or full or list(cycles)
    return choices[0] if choices else None


def _mean(group: GroupResult | None, code: str) -> float | None:
    if group is None:
        return None
    cell = group.domains.get(code)
    return cell.figures.mean if cell and cell.figures else None


def _response_rate(cycle_ids: frozenset[int], unit: Unit, responses: int | None) -> float | None:
    if responses is None:
        return None
    issued = Invite.objects.filter(cycle_id__in=cycle_ids, team__path__startswith=unit.path).count()
    return responses / issued if issued else None


def breakdown_refusal(reason: Hidden, *, k: int) -> str:
    if reason is Hidden.PROTECTS_OTHERS:
        return (
            f"Showing this breakdown would let someone work out the answers of fewer than {k} "
            "people (by comparing it with other figures), so it cannot be shown."
        )
    return f"This breakdown leaves fewer than {k} responses, so it cannot be shown."
