"""Builds the demo organisation: a council with two directorates, five services, 13 teams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.actions import build_actions
from demo.peers import build_peers
from demo.responses import build_cycles
from demo.thresholds import build_service_thresholds
from demo.voice import build_voice
from organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SizeBand,
    Unit,
)
from organisations.selectors import root_of
from organisations.services import add_unit, create_organisation, grant_membership

DEMO_SLUG = "northbrook"
DEMO_NAME = "Northbrook Council"
# The published demo sign-in, printed by seed_demo; demo data only.
DEMO_PASSWORD = "sword-demo-2026"  # noqa: S105  # nosec B105

STRUCTURE: dict[str, dict[str, list[str]]] = {
    "Children's Services": {
        "Locality North": ["Assessment North", "Child Protection North", "Family Support North"],
        "Locality South": ["Assessment South", "Child Protection South"],
        "Children in Care": ["Looked After Children", "Care Leavers", "Fostering"],
    },
    "Adult Social Care": {
        "Hospital and Reablement": ["Hospital Discharge", "Reablement"],
        "Community Adults": ["Adults East", "Adults West", "Learning Disabilities"],
    },
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str
    unit_name: str


ACCOUNTS = [
    DemoAccount("admin@northbrook.example", "Priya Shah", Role.ORG_ADMIN, DEMO_NAME),
    DemoAccount("leader@northbrook.example", "Morgan Ellis", Role.LEADER, "Children's Services"),
    DemoAccount("north@northbrook.example", "Alex Byrne", Role.LEADER, "Locality North"),
    DemoAccount(
        "manager@northbrook.example", "Sam Okafor", Role.TEAM_MANAGER, "Child Protection North"
    ),
]


USER_KEYS = ("admin", "leader", "north", "manager")


def remove_demo_organisation() -> None:
    """Delete the demo organisation and everything in it (only ever the demo's own slug)."""
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if organisation is None:
        return
    from demo.teardown import delete_organisation_data

    delete_organisation_data(organisation)


@transaction.atomic
def build_structure() -> tuple[Organisation, dict[str, Unit]]:
    organisation = create_organisation(name=DEMO_NAME, slug=DEMO_SLUG)
    # Northbrook takes part in the benchmark beside five smaller councils (demo.peers).
    organisation.benchmark_opt_in = True
    organisation.kind = OrganisationKind.ALL_AGE
    organisation.size_band = SizeBand.MEDIUM
    organisation.save(update_fields=["benchmark_opt_in", "kind", "size_band"])
    root = root_of(organisation)
    units: dict[str, Unit] = {DEMO_NAME: root}
    for directorate, services in STRUCTURE.items():
        directorate_unit = add_unit(parent=root, name=directorate, is_team=False)
        units[directorate] = directorate_unit
        for service, teams in services.items():
            service_unit = add_unit(parent=directorate_unit, name=service, is_team=False)
            units[service] = service_unit
            for team in teams:
                units[team] = add_unit(parent=service_unit, name=team, is_team=True)
    return organisation, units


@transaction.atomic
def build_accounts(units: dict[str, Unit]) -> list[DemoAccount]:
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                email=account.email, password=DEMO_PASSWORD, display_name=account.display_name
            )
        else:
            Membership.objects.filter(user=user).delete()
            user.set_password(DEMO_PASSWORD)
            user.display_name = account.display_name
            user.save()
        grant_membership(user=user, unit=units[account.unit_name], role=account.role)
    return ACCOUNTS


def seed(*, today: date | None = None) -> tuple[Organisation, list[DemoAccount]]:
    today = today or timezone.localdate()
    remove_demo_organisation()
    organisation, units = build_structure()
    accounts = build_accounts(units)
    build_service_thresholds(units)
    cycles = build_cycles(organisation, units[DEMO_NAME], today=today)
    users = {key: User.objects.get(email=f"{key}@northbrook.example") for key in USER_KEYS}
    build_actions(units=units, users=users, cycles=cycles, today=today)
    build_voice(units=units, answerer=users["leader"])
    build_peers(cycles, today=today)
    return organisation, accounts
