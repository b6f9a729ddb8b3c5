"""Recording the audit log (§5): who viewed or exported results, role and threshold changes."""

from __future__ import annotations

from typing import Any

from organisations.models import AuditEvent, Organisation, Unit
from organisations.selectors import readable_path, unit_names_by_path

COMMAND_LINE = "command line"


def record(
    *,
    organisation: Organisation | int,
    user: Any,
    action: str,
    scope: str,
    detail: str = "",
) -> AuditEvent:
    """Add one event. `user` is the signed-in person, or None for the command line."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        organisation_id=organisation_id,
        user=user if signed_in else None,
        actor=user.email if signed_in else COMMAND_LINE,
        action=action,
        scope=scope[:500],
        detail=detail[:500],
    )


def unit_scope(unit: Unit) -> str:
    return readable_path(unit, unit_names_by_path(unit.organisation))
