"""Deleting a whole organisation, for the demo seeder's “recreate”.

Units are protected from deletion wherever data points at them, so the data goes first, in
dependency order.
"""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from organisations.models import Membership, Organisation, Unit
from organisations.remembered_units import claim_units_version

# Models deleted before the organisation's units, most dependent first. Later features add theirs.
ORGANISATION_DATA: list[tuple[str, str]] = [
    ("actions.Action", "organisation"),
    ("actions.Intervention", "organisation"),
    ("diagnostics.StructuralFigures", "cycle__organisation"),
    ("diagnostics.StructuralThreshold", "organisation"),
    ("diagnostics.Comment", "cycle__organisation"),
    ("diagnostics.DomainScore", "cycle__organisation"),
    ("diagnostics.Answer", "response__cycle__organisation"),
    ("diagnostics.Response", "cycle__organisation"),
    ("diagnostics.SurveyDraft", "cycle__organisation"),
    ("diagnostics.Invite", "cycle__organisation"),
    ("diagnostics.CycleStatement", "cycle__organisation"),
    ("diagnostics.CycleTeam", "cycle__organisation"),
    ("diagnostics.Cycle", "organisation"),
    ("diagnostics.Statement", "version__organisation"),
    ("diagnostics.InstrumentVersion", "organisation"),
]


@transaction.atomic
def delete_organisation_data(organisation: Organisation) -> None:
    claim_units_version()  # it deletes units: before any other lock (see there)
    for label, organisation_lookup in ORGANISATION_DATA:
        model = apps.get_model(label)
        model._default_manager.filter(**{organisation_lookup: organisation}).delete()
    Membership.objects.filter(organisation=organisation).delete()
    Unit.objects.filter(organisation=organisation, depth=1).delete()
    organisation.delete()
