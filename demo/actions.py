"""Demo action plans: one that worked, one that did not, one in progress, one overdue, one
escalated, one dropped."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from actions.models import Action, Intervention
from actions.services import create_action, escalate_action, update_action
from demo.responses import DemoCycles
from diagnostics.models import Domain
from organisations.models import Unit


def _intervention(title: str) -> Intervention | None:
    return Intervention.objects.filter(organisation__isnull=True, title=title).first()


def build_actions(
    *, units: dict[str, Unit], users: dict[str, User], cycles: DemoCycles, today: date
) -> list[Action]:
    domains = {domain.code: domain for domain in Domain.objects.all()}
    admin, leader, north, manager = (
        users["admin"],
        users["leader"],
        users["north"],
        users["manager"],
    )
    made = []

    cap = create_action(
        unit=units["Assessment South"],
        domain=domains["WL"],
        cycle=cycles.spring,
        intervention=_intervention("Set and fund a caseload cap per FTE"),
        title="Cap Assessment South caseloads at 18 per practitioner, with funded cover",
        description=(
            "Two agency practitioners funded until the vacancies are filled; new work is held "
            "at the front door when the team is over the cap."
        ),
        owner=leader,
        due_on=cycles.spring.closes_on + timedelta(days=60),
        created_by=leader,
    )
    update_action(
        action=cap,
        status=Action.Status.DONE,
        owner=leader,
        due_on=cap.due_on,
        notes="Cap in place since the summer; caseloads down from 27 to 18 per FTE.",
    )
    made.append(cap)

    briefings = create_action(
        unit=units["Adults East"],
        domain=domains["MIS"],
        cycle=cycles.spring,
        intervention=_intervention("Explain the reasons behind every change"),
        title="Monthly briefings on the Adult Social Care restructure",
        description="The service manager explains each step of the restructure before it lands.",
        owner=admin,
        due_on=cycles.spring.closes_on + timedelta(days=90),
        created_by=admin,
    )
    update_action(
        action=briefings,
        status=Action.Status.DONE,
        owner=admin,
        due_on=briefings.due_on,
        notes="Six briefings held; staff say the restructure still arrives without a say in it.",
    )
    made.append(briefings)

    supervision = create_action(
        unit=units["Child Protection North"],
        domain=domains["SUP"],
        cycle=cycles.autumn,
        intervention=_intervention("Book supervision ahead and never simply cancel"),
        title="Book supervision six months ahead and rebook within five days",
        owner=manager,
        due_on=today + timedelta(days=21),
        created_by=manager,
    )
    update_action(
        action=supervision,
        status=Action.Status.IN_PROGRESS,
        owner=manager,
        due_on=supervision.due_on,
        notes="Dates in diaries for everyone to March; two cancellations rebooked so far.",
    )
    made.append(supervision)

    made.append(
        create_action(
            unit=units["Child Protection North"],
            domain=domains["WL"],
            cycle=cycles.autumn,
            title="Share the duty rota fairly across the team",
            description="Agree a rota that counts court weeks and complex cases.",
            owner=manager,
            due_on=today - timedelta(days=10),
            created_by=manager,
        )
    )

    laptops = create_action(
        unit=units["Assessment North"],
        domain=domains["SYS"],
        cycle=cycles.autumn,
        title="Replace laptops that fail on home visits",
        description="Half the team's laptops lose the VPN on visits; the fix needs IT funding.",
        owner=north,
        due_on=today + timedelta(days=45),
        created_by=north,
    )
    escalate_action(
        action=laptops,
        to=units["Children's Services"],
        note="Replacing devices is funded by the directorate, not the locality.",
    )
    made.append(laptops)

    breaks = create_action(
        unit=units["Hospital Discharge"],
        domain=domains["WB"],
        cycle=cycles.autumn,
        title="Protected lunch break rota on the ward",
        owner=admin,
        due_on=today + timedelta(days=30),
        created_by=admin,
    )
    update_action(
        action=breaks,
        status=Action.Status.DROPPED,
        owner=admin,
        due_on=breaks.due_on,
        notes="",
        dropped_reason="The hospital's discharge targets changed; replaced by a staffing review.",
    )
    made.append(breaks)
    _began_after_their_results(made, today=today)
    return made


def _began_after_their_results(actions: list[Action], *, today: date) -> None:
    """An action is recorded soon after the results that prompted it; the demo makes them all
    today, so their dates are set back to then (the trends charts mark them on that day)."""
    for action in actions:
        assert action.cycle is not None
        began = min(action.cycle.closes_on + timedelta(days=7), today)
        Action.objects.filter(pk=action.pk).update(
            created_at=timezone.make_aware(datetime.combine(began, time(10)))
        )
