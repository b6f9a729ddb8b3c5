from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, Intervention
from actions.services import create_action, escalate_action, update_action
from diagnostics.models import Domain
from organisations.models import Role
from tests.factories import make_member


def field_value(pattern: str, html: str) -> str:
    match = re.search(pattern, html)
    assert match is not None, pattern
    return match.group(1)


@pytest.fixture
def domain(db) -> Domain:
    return Domain.objects.get(code="WL")


@pytest.fixture
def team_c_action(world, domain):
    return create_action(
        unit=world.team_c,
        domain=domain,
        title="Share duty fairly",
        owner=world.org_admin,
        due_on=timezone.localdate() + timedelta(days=10),
        created_by=world.org_admin,
    )


def test_it_loads_three_quick_wins_and_two_deeper_strategies_per_domain(db):
    # per working condition: an outcome (intending to stay) is not a lever to act on directly
    for domain in Domain.objects.conditions():
        built_in = Intervention.objects.filter(domain=domain, organisation__isnull=True)
        assert built_in.filter(kind="quick_win").count() >= 3
        assert built_in.filter(kind="deeper").count() >= 2
        for intervention in built_in:
            assert intervention.what
            assert intervention.why
            assert intervention.measure
            assert intervention.lever in {"team", "service", "organisation"}


def test_it_shows_an_escalated_action_to_the_higher_leader_and_not_to_siblings(
    world, team_c_action, client_for
):
    url = reverse("actions:detail", args=[team_c_action.pk])
    head = make_member(world.units["Children's Services"], Role.LEADER)
    south = world.units["Locality South"]
    south_leader = make_member(south, Role.LEADER)
    assert client_for(world.leader).get(url).status_code == 404  # North's leader: a sibling
    escalate_action(action=team_c_action, to=world.units["Children's Services"], note="IT budget")
    assert client_for(head).get(url).status_code == 200
    assert "Share duty fairly" in client_for(head).get(reverse("actions:list")).content.decode()
    assert client_for(world.leader).get(url).status_code == 404
    assert (
        "Share duty fairly"
        not in client_for(world.leader).get(reverse("actions:list")).content.decode()
    )
    assert client_for(south_leader).get(url).status_code == 200


def test_it_only_escalates_upwards(world, team_c_action):
    with pytest.raises(ValidationError, match="above"):
        escalate_action(action=team_c_action, to=world.north)
    with pytest.raises(ValidationError, match="above"):
        escalate_action(action=team_c_action, to=world.team_c)


def test_it_escalates_an_escalated_action_only_further_up(world, team_c_action, client_for):
    services_unit, south = world.units["Children's Services"], world.units["Locality South"]
    escalate_action(action=team_c_action, to=services_unit)
    with pytest.raises(ValidationError, match="further up"):
        escalate_action(action=team_c_action, to=south)  # above Team C, below where it is
    page = client_for(world.org_admin).get(reverse("actions:detail", args=[team_c_action.pk]))
    html = page.content.decode()
    assert f'value="{south.pk}"' not in html
    assert f'<option value="{world.units["root"].pk}">' in html
    assert '<option value="" selected>Choose a unit</option>' in html
    team_c_action.refresh_from_db()
    assert team_c_action.escalated_to == services_unit


def test_it_needs_a_reason_to_drop_an_action(world, team_c_action):
    with pytest.raises(ValidationError, match="why"):
        update_action(
            action=team_c_action,
            status=Action.Status.DROPPED,
            owner=world.org_admin,
            due_on=team_c_action.due_on,
            notes="",
        )


def test_it_only_lets_people_who_can_see_the_action_own_it(world, domain):
    with pytest.raises(ValidationError, match="no role where this action sits"):
        create_action(
            unit=world.team_c,
            domain=domain,
            title="x",
            owner=world.team_manager,  # manages Team A, cannot see Team C
            due_on=timezone.localdate(),
            created_by=world.org_admin,
        )


def test_it_returns_404_for_a_forged_owner(world, client_for):
    url = reverse("actions:new") + f"?unit={world.team_a.pk}"
    response = client_for(world.team_manager).post(
        url,
        {
            "title": "x",
            "domain": Domain.objects.get(code="WL").pk,
            "owner": world.outsider.pk,
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 404
    assert not Action.objects.exists()


def late_action(world, domain):
    """An action of Team A's two days past its due date."""
    return create_action(
        unit=world.team_a,
        domain=domain,
        title="Late one",
        owner=world.team_manager,
        due_on=timezone.localdate() - timedelta(days=2),
        created_by=world.team_manager,
    )


def test_it_highlights_overdue_actions(world, domain, client_for):
    late_action(world, domain)
    html = client_for(world.team_manager).get(reverse("actions:list")).content.decode()
    assert '<tr class="overdue">' in html
    assert "1 action overdue" in html


def many_actions(world, domain, *, late: int, later: int) -> None:
    """Team A's actions: `late` of them past their due date, `later` not yet due."""
    today = timezone.localdate()
    Action.objects.bulk_create(
        Action(
            organisation=world.organisation,
            unit=world.team_a,
            domain=domain,
            title=f"Action {number:03}",
            owner=world.team_manager,
            due_on=today + timedelta(days=number - late if number >= late else number - late - 1),
        )
        for number in range(late + later)
    )


def test_it_lists_actions_a_page_at_a_time_and_counts_every_overdue_one(world, domain, client_for):
    many_actions(world, domain, late=130, later=20)
    client = client_for(world.team_manager)

    first = client.get(reverse("actions:list")).content.decode()
    second = client.get(reverse("actions:list") + "?page=2").content.decode()

    assert first.count('<tr class="overdue">') == 100
    assert "130 actions overdue" in first
    assert "130 actions overdue" in second
    assert "Page 1 of 2" in first
    assert "1 to 100 of 150" in first
    assert second.count('<tr class="overdue">') == 30
    assert second.count("<tr>") - first.count("<tr>") == 20  # the 20 not due, after the late
    assert "Action 149" in second
    assert "Action 149" not in first
    assert '?page=2"' in first
    assert '?page=1"' in second


def test_it_keeps_the_filters_in_the_links_to_other_pages(world, domain, client_for):
    many_actions(world, domain, late=0, later=150)
    html = (
        client_for(world.team_manager)
        .get(reverse("actions:list") + f"?unit={world.team_a.pk}&status=all")
        .content.decode()
    )
    assert f"?unit={world.team_a.pk}&amp;status=all&amp;page=2" in html


def test_it_shows_the_last_page_for_a_page_past_the_end_and_the_first_for_nonsense(
    world, domain, client_for
):
    many_actions(world, domain, late=0, later=150)
    client = client_for(world.team_manager)
    assert "Page 2 of 2" in client.get(reverse("actions:list") + "?page=9").content.decode()
    assert "Page 1 of 2" in client.get(reverse("actions:list") + "?page=x").content.decode()


def _action_between(world, make_cycle, respond, domain, *, before_responses: int):
    """Team C's action on `domain`, prompted by its Spring diagnostic (`before_responses`
    answering 2) and followed by its Autumn one (6 answering 5)."""
    before = make_cycle(unit=world.team_c, name="Spring")
    respond(before, world.team_c, before_responses, value=2)
    later = before.closes_on + timedelta(days=1)
    after = make_cycle(
        unit=world.team_c, name="Autumn", opens_on=later, closes_on=later + timedelta(days=5)
    )
    respond(after, world.team_c, 6, value=5)
    return create_action(
        unit=world.team_c,
        domain=domain,
        cycle=before,
        title="Cap caseloads",
        owner=world.org_admin,
        due_on=timezone.localdate(),
        created_by=world.org_admin,
    )


def test_it_shows_before_and_after_under_the_anonymity_rules(
    world, make_cycle, respond, domain, client_for
):
    # 3 < k: the before figure is suppressed
    action = _action_between(world, make_cycle, respond, domain, before_responses=3)
    html = (
        client_for(world.org_admin)
        .get(reverse("actions:detail", args=[action.pk]))
        .content.decode()
    )
    before_row = html[html.index(">Before<") : html.index(">Since<")]
    assert "fewer than 5 responses" in before_row
    assert "Autumn" in html
    assert "Not comparable" in html
    respond(action.cycle, world.team_c, 3, value=2)  # now 6: both sides shown
    html = (
        client_for(world.org_admin)
        .get(reverse("actions:detail", args=[action.pk]))
        .content.decode()
    )
    assert "Improved by" in html


def test_it_goes_from_a_red_domain_to_an_owned_dated_action_in_three_clicks(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a)
    respond(cycle, world.team_a, 6, value=1)
    client = client_for(world.team_manager)
    profile = client.get(reverse("dashboards:profile", args=[world.team_a.pk])).content.decode()
    assert "What could help" in profile
    plan = re.search(
        r'href="(/actions/new/\?unit=\d+&amp;intervention=\d+&amp;cycle=\d+)"', profile
    )
    assert plan is not None
    url = plan.group(1).replace("&amp;", "&")
    form = client.get(url)  # click 1: "Plan this"
    assert form.status_code == 200
    html = form.content.decode()
    title = field_value(r'name="title"[^>]*value="([^"]+)"', html)
    due = field_value(r'name="due_on"[^>]*value="([^"]+)"', html)
    domain_id = field_value(r'<option value="(\d+)" selected>', html)
    response = client.post(  # click 2: "Create action", with the prefilled owner and date
        url,
        {
            "title": title,
            "domain": domain_id,
            "owner": world.team_manager.pk,
            "due_on": due,
            "cycle": cycle.pk,
        },
    )
    action = Action.objects.get()
    assert response["Location"] == reverse("actions:detail", args=[action.pk])
    assert action.owner == world.team_manager
    assert action.intervention is not None
    assert action.cycle == cycle
    assert action.due_on > timezone.localdate()


def test_it_lets_org_admins_extend_the_library(world, client_for):
    client = client_for(world.org_admin)
    response = client.post(
        reverse("actions:intervention_new"),
        {
            "domain": Domain.objects.get(code="SAF").pk,
            "kind": "quick_win",
            "lever": "team",
            "title": "Buddy system for late visits",
            "what": "Pair workers for visits after 5pm.",
            "why": "Nobody is alone at the riskiest times.",
            "measure": "Lone working statement improves.",
        },
    )
    assert response.status_code == 302
    own = Intervention.objects.get(title="Buddy system for late visits")
    assert own.organisation == world.organisation
    assert client_for(world.leader).get(reverse("actions:intervention_new")).status_code == 403
    built_in = Intervention.objects.filter(organisation__isnull=True).first()
    assert built_in is not None
    assert client.get(reverse("actions:intervention_edit", args=[built_in.pk])).status_code == 403
    assert (
        "Buddy system"
        not in client_for(world.outsider).get(reverse("actions:library")).content.decode()
    )


def test_it_refuses_notes_over_the_limit_and_keeps_what_was_saved(world, team_c_action, client_for):
    from actions.forms import NOTES_MAX_LENGTH

    update_action(
        action=team_c_action,
        status=Action.Status.PLANNED,
        owner=world.org_admin,
        due_on=team_c_action.due_on,
        notes="Rota agreed.",
        dropped_reason="",
    )
    response = client_for(world.org_admin).post(
        reverse("actions:detail", args=[team_c_action.pk]),
        {
            "status": Action.Status.IN_PROGRESS,
            "owner": world.org_admin.pk,
            "due_on": team_c_action.due_on,
            "notes": "x" * (NOTES_MAX_LENGTH + 1),
        },
    )
    assert response.status_code == 200
    assert "at most 10000 characters" in " ".join(response.context["form"].errors["notes"])
    team_c_action.refresh_from_db()
    assert (team_c_action.notes, team_c_action.status) == ("Rota agreed.", Action.Status.PLANNED)


def test_it_compares_with_the_latest_pulse_period_begun_after_the_prompting_results(
    world, make_cycle, respond, domain
):
    from actions.selectors import before_after
    from diagnostics.models import Cycle
    from organisations.access import reach_of

    today = timezone.localdate()  # the organisation's pulse periods start today
    window = world.organisation.pulse_window_days
    full = make_cycle(unit=world.team_c, name="Spring", days=14)
    respond(full, world.team_c, 6, value=2)

    def pulse(opens, name, count):
        cycle = make_cycle(
            unit=world.team_c,
            kind=Cycle.Kind.PULSE,
            name=name,
            opens_on=opens,
            closes_on=opens + timedelta(days=6),
        )
        respond(cycle, world.team_c, count)
        return cycle

    pulse(today + timedelta(days=2), "During", 6)  # its period began before Spring closed
    action = create_action(
        unit=world.team_c,
        domain=domain,
        cycle=full,
        title="Cap caseloads",
        owner=world.org_admin,
        due_on=today,
        created_by=world.org_admin,
    )
    reach = reach_of(world.org_admin)
    assert before_after(action, reach=reach, today=today).after is None
    pulse(today + timedelta(days=window), "Next", 7)
    comparison = before_after(action, reach=reach, today=today)
    assert comparison.after is not None
    assert comparison.after.label.endswith("(pooled over 1 pulse)")
    assert comparison.after.n == 7  # the next period's pulse alone, not "During"
    pulse(today + timedelta(days=2 * window), "Later", 8)
    latest = before_after(action, reach=reach, today=today).after
    assert latest is not None
    assert latest.n == 8  # the latest period since, not the first


def test_it_shows_no_figures_for_an_escalated_action_whose_team_moved_out_of_reach(db):
    """The leader still sees the action escalated to them, but its team now lies outside their
    reach, so its before/after figures are not theirs to see (this used to be a server error)."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from actions.services import create_action, escalate_action
    from diagnostics.models import Cycle, Domain
    from organisations.models import Role
    from organisations.services import move_unit
    from tests.disclosure.test_span_audit import answer, new_organisation, open_new_cycle
    from tests.factories import make_member, make_units

    organisation = new_organisation(5)
    units = make_units(organisation, {"North": ["Team A"], "South": ["Team S"]})
    cycle = open_new_cycle(units["root"], Cycle.Kind.FULL)
    for _ in range(6):
        answer(cycle, units["Team A"])
    leader = make_member(units["North"], Role.LEADER)
    action = create_action(
        unit=units["Team A"],
        domain=Domain.objects.order_by("position")[0],
        title="Protect supervision time",
        owner=leader,
        due_on=timezone.localdate() + timedelta(days=30),
        created_by=leader,
        cycle=cycle,
    )
    escalate_action(action=action, to=units["North"])
    move_unit(unit=units["Team A"], new_parent=units["South"])
    client = Client()
    client.force_login(leader)
    page = client.get(reverse("actions:detail", args=[action.pk]))
    assert page.status_code == 200
    assert "outside your part of the organisation" in page.content.decode()


def test_it_groups_the_count_of_overdue_actions_in_thousands(
    world, domain, client_for, monkeypatch
):
    from django.shortcuts import render as show

    late_action(world, domain)

    def many_overdue(request, template, context):
        return show(request, template, {**context, "overdue_count": 1234})

    monkeypatch.setattr("actions.views.render", many_overdue)
    html = client_for(world.team_manager).get(reverse("actions:list")).content.decode()
    assert "1,234 actions overdue" in html


def test_it_says_when_a_status_filter_hides_the_actions_there_are(world, domain, client_for):
    client = client_for(world.team_manager)
    assert "No actions here yet" in client.get(reverse("actions:list")).content.decode()

    late_action(world, domain)  # planned
    html = client.get(reverse("actions:list") + "?status=done").content.decode()

    assert "No actions here yet" not in html
    assert "No action has this status." in html
    assert 'href="?status=all"' in html
    unit_html = client.get(
        reverse("actions:list") + f"?unit={world.team_a.pk}&status=dropped"
    ).content.decode()
    assert f'href="?unit={world.team_a.pk}&amp;status=all"' in unit_html


def test_it_names_the_bands_before_and_after_in_the_readers_language(
    world, make_cycle, respond, domain, client_for
):
    action = _action_between(world, make_cycle, respond, domain, before_responses=6)
    world.org_admin.language = "cy"
    world.org_admin.save()
    html = (
        client_for(world.org_admin)
        .get(reverse("actions:detail", args=[action.pk]))
        .content.decode()
    )
    bands = re.findall(r'class="band band-\w+">[0-9.]+ (?:<span>)?(\w+)<', html)
    assert len(bands) == 2  # before and after
    assert set(bands) <= {"Coch", "Ambr", "Gwyrdd"}
