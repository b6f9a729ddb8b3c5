"""Writes for actions and the interventions library. Each runs in one transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from actions.models import Action, Intervention
from actions.selectors import possible_owners
from diagnostics.models import Cycle, Domain
from organisations.models import Organisation, Unit


def _check_owner(owner: User, unit: Unit, escalated_to: Unit | None) -> None:
    allowed = set(possible_owners(unit, escalated_to).values_list("pk", flat=True))
    if owner.pk not in allowed:
        raise ValidationError(
            f"{owner} has no role where this action sits, so they could not see it."
        )


@transaction.atomic
def create_action(
    *,
    unit: Unit,
    domain: Domain,
    title: str,
    owner: User,
    due_on: date,
    created_by: User,
    cycle: Cycle | None = None,
    intervention: Intervention | None = None,
    description: str = "",
) -> Action:
    title = " ".join(title.split())
    if not title:
        raise ValidationError("Give the action a short title.")
    if cycle is not None and cycle.organisation_id != unit.organisation_id:
        raise ValidationError("That cycle belongs to another organisation.")
    if intervention is not None and intervention.organisation_id not in (
        None,
        unit.organisation_id,
    ):
        raise ValidationError("That intervention belongs to another organisation.")
    _check_owner(owner, unit, None)
    return Action.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        domain=domain,
        cycle=cycle,
        intervention=intervention,
        title=title[:160],
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        created_by=created_by,
    )


@transaction.atomic
def update_action(
    *,
    action: Action,
    status: str,
    owner: User,
    due_on: date,
    notes: str,
    dropped_reason: str = "",
) -> Action:
    if status not in Action.Status.values:
        raise ValidationError("Unknown status.")
    dropped_reason = dropped_reason.strip()
    if status == Action.Status.DROPPED and not dropped_reason:
        raise ValidationError("Say why the action was dropped, so others can learn from it.")
    _check_owner(owner, action.unit, action.escalated_to)
    action.status = status
    action.owner = owner
    action.due_on = due_on
    action.notes = notes.strip()
    action.dropped_reason = dropped_reason if status == Action.Status.DROPPED else ""
    action.save(
        update_fields=["status", "owner", "due_on", "notes", "dropped_reason", "updated_at"]
    )
    return action


@transaction.atomic
def escalate_action(*, action: Action, to: Unit, note: str = "") -> Action:
    """Send an action up to the unit that owns the lever; its leaders then see it."""
    if to.organisation_id != action.organisation_id or to.path not in action.unit.ancestor_paths():
        raise ValidationError("An action can only be escalated to a unit above the one it is for.")
    action.escalated_to = to
    if note.strip():
        action.notes = (
            action.notes + "\n\n" if action.notes else ""
        ) + f"Escalated to {to.name}: {note.strip()}"
    action.save(update_fields=["escalated_to", "notes", "updated_at"])
    return action


@transaction.atomic
def add_intervention(
    *,
    organisation: Organisation,
    domain: Domain,
    kind: str,
    lever: str,
    title: str,
    what: str,
    why: str,
    measure: str,
) -> Intervention:
    return Intervention.objects.create(
        organisation=organisation,
        domain=domain,
        kind=kind,
        lever=lever,
        title=title.strip(),
        what=what.strip(),
        why=why.strip(),
        measure=measure.strip(),
        position=1000,
    )
