"""Five small organisations that take part in the benchmark beside Northbrook.

Each runs the same two full diagnostics as Northbrook (same dates, so the same benchmark
periods), with its own plausible conditions, through the same response model
(`demo.responses`), so that the benchmark shows on the demo with Northbrook's positions.
Their names never appear on Northbrook's pages: only percentiles do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db import transaction

from benchmarks.models import Benchmark
from benchmarks.rules import period_of
from benchmarks.services import compute_benchmarks
from demo.responses import (
    Conditions,
    DemoCycles,
    TeamModel,
    TeamStory,
    _collect,
    after_closing_day,
    stream,
)
from demo.teardown import delete_organisation_data
from diagnostics.models import Cycle
from diagnostics.selectors import latest_version_for
from diagnostics.services import close_cycle, create_cycle, open_cycle
from organisations.models import Organisation, OrganisationKind, SizeBand
from organisations.selectors import root_of
from organisations.services import add_unit, create_organisation

PEER_SLUG_PREFIX = "demo-peer-"


@dataclass(frozen=True)
class Peer:
    name: str
    slug: str
    kind: str
    service: str
    teams: tuple[str, ...]
    adults: bool
    conditions: Conditions  # the organisation's typical team
    response_rate: float


#                              caseload vacancy agency supervision turnover incidents systems
PEERS = (
    Peer(
        "Eastmere Council",
        "eastmere",
        OrganisationKind.CHILDREN,
        "Children's Social Care",
        (
            "Eastmere Front Door",
            "Eastmere Child Protection",
            "Eastmere Children in Care",
            "Eastmere Care Leavers",
        ),
        adults=False,
        conditions=Conditions(25, 22, 20, 58, 24, 2.8, -0.6),  # stretched, supervision slips
        response_rate=0.7,
    ),
    Peer(
        "Harrowfield Borough Council",
        "harrowfield",
        OrganisationKind.ALL_AGE,
        "Social Work Services",
        (
            "Harrowfield Families",
            "Harrowfield Safeguarding",
            "Harrowfield Adults",
            "Harrowfield Hospital Team",
            "Harrowfield Reablement",
        ),
        adults=False,
        conditions=Conditions(16, 6, 4, 92, 8, 1.2, 0.6),  # stable, well supervised
        response_rate=0.9,
    ),
    Peer(
        "Kingsbridge Council",
        "kingsbridge",
        OrganisationKind.ADULTS,
        "Adult Social Work",
        (
            "Kingsbridge Adults North",
            "Kingsbridge Adults South",
            "Kingsbridge Mental Health",
            "Kingsbridge Learning Disabilities",
        ),
        adults=True,
        conditions=Conditions(23, 12, 10, 78, 13, 1.4, -0.8),  # fair, but old kit
        response_rate=0.8,
    ),
    Peer(
        "Westholm Council",
        "westholm",
        OrganisationKind.CHILDREN,
        "Children's Services",
        (
            "Westholm Assessment",
            "Westholm Family Help",
            "Westholm Fostering",
            "Westholm Disabled Children",
        ),
        adults=False,
        conditions=Conditions(19, 18, 16, 86, 16, 1.8, 0.2),  # vacancies, good supervision
        response_rate=0.75,
    ),
    Peer(
        "Ashcombe Council",
        "ashcombe",
        OrganisationKind.ALL_AGE,
        "People's Services",
        (
            "Ashcombe Children North",
            "Ashcombe Children South",
            "Ashcombe Adults",
            "Ashcombe Transitions",
        ),
        adults=False,
        conditions=Conditions(20, 10, 8, 80, 12, 1.6, 0.1),  # about average
        response_rate=0.8,
    ),
)


def remove_peers() -> None:
    for organisation in Organisation.objects.filter(slug__startswith=PEER_SLUG_PREFIX):
        delete_organisation_data(organisation)


def _team_story(peer: Peer, team: str) -> TeamStory:
    """The organisation's conditions, varied a little per team (its own random stream)."""
    rng = stream("peer", team)
    base = peer.conditions
    conditions = replace(
        base,
        caseload=max(8.0, base.caseload + rng.gauss(0, 2.5)),
        vacancy_rate=max(0.0, base.vacancy_rate + rng.gauss(0, 4)),
        supervision_held=min(100.0, max(20.0, base.supervision_held + rng.gauss(0, 8))),
        turnover=max(2.0, base.turnover + rng.gauss(0, 3)),
        incidents=max(0.0, base.incidents + rng.gauss(0, 0.5)),
    )
    return TeamStory(rng.randint(8, 14), peer.response_rate, conditions)


@transaction.atomic
def _build_peer(peer: Peer, northbrook: DemoCycles) -> Organisation:
    organisation = create_organisation(name=peer.name, slug=PEER_SLUG_PREFIX + peer.slug)
    Organisation.objects.filter(pk=organisation.pk).update(
        benchmark_opt_in=True, kind=peer.kind, size_band=SizeBand.SMALL
    )
    root = root_of(organisation)
    service = add_unit(parent=root, name=peer.service, is_team=False)
    models = []
    for name in peer.teams:
        team = add_unit(parent=service, name=name, is_team=True)
        rng = stream("peer effects", name)
        culture = rng.gauss(0, 0.15)
        effects = {code: culture + rng.gauss(0, 0.2) for code in ("WL", "SUP", "SAF", "SYS")}
        models.append(TeamModel(team, _team_story(peer, name), peer.adults, effects))
    instrument = latest_version_for(organisation)
    for ordinal, template in enumerate((northbrook.spring, northbrook.autumn)):
        cycle = create_cycle(
            unit=root,
            kind=Cycle.Kind.FULL,
            instrument=instrument,
            name=template.name,
            opens_on=template.opens_on,
            closes_on=template.closes_on,
            created_by=None,
        )
        open_cycle(cycle=cycle, today=template.opens_on)
        _collect(
            cycle,
            models,
            ordinal=ordinal,
            progress=float(ordinal),
            rate_factor=1.0,
            submit_by=template.closes_on - timedelta(days=1),
        )
        if template.status == Cycle.Status.CLOSED:
            close_cycle(cycle=cycle, closed_at=after_closing_day(cycle))
    return organisation


def build_peers(northbrook: DemoCycles, *, today: date) -> list[Organisation]:
    """The five organisations, then the benchmark across them and Northbrook. The benchmarks
    of the demo diagnostics' periods are computed afresh: a recreated demo's organisations
    replace those they were computed from."""
    remove_peers()
    built = [_build_peer(peer, northbrook) for peer in PEERS]
    periods = {period_of(c.closes_on) for c in (northbrook.spring, northbrook.autumn)}
    Benchmark.objects.filter(kind=Benchmark.Kind.COMPUTED, period__in=periods).delete()
    compute_benchmarks(today=today)
    return built
