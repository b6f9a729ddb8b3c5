"""The demo's one service with thresholds of its own (§6: set on a unit, inherited below)."""

from __future__ import annotations

from decimal import Decimal

from diagnostics.services import set_unit_thresholds
from diagnostics.structural import Thresholds
from organisations.models import Unit

ADULTS = "Adult Social Care"
# Adults' practitioners hold more, shorter pieces of work (reviews, assessments, brief
# interventions) than children's social workers, so a caseload that is heavy for a child
# protection team is ordinary for an adults' team: good at 22 rather than 18, concerning at 30.
ADULT_CASELOAD = Thresholds(Decimal(22), Decimal(30))


def build_service_thresholds(units: dict[str, Unit]) -> None:
    """Give Adult Social Care its own caseload thresholds; every other team keeps the defaults."""
    set_unit_thresholds(unit=units[ADULTS], values={"caseload": ADULT_CASELOAD}, actor=None)
