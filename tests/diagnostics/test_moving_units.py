"""Moving a unit leaves its part in cycles that have opened where it was
(`diagnostics.services.move_unit`).

What each viewer reads before and after such a move, taken together, is checked by the span
audit (`tests/disclosure/test_span_audit.py`); the export's own case is in `test_results.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import (
    Cycle,
    CycleTeam,
    DomainScore,
    Invite,
    Response,
    StatementTally,
    TeamTally,
)
from diagnostics.services import (
    KEPT_WITH_AN_OPENED_CYCLE,
    close_cycle,
    find_invite,
    issue_invites,
    move_unit,
    submit_response,
)
from organisations.models import AuditEvent, Role, Unit
from organisations.services import (
    add_unit,
    archive_unit,
    delete_unit,
    restore_unit,
    unit_has_data,
)
from tests.diagnostics.conftest import all_answers

# What a team does next goes with it when it moves; its part in an opened cycle does not.
MOVES_WITH_THE_UNIT = {"actions.Action"}


@pytest.fixture
def moved_after_a_closed_cycle(world, make_cycle, respond) -> tuple[Cycle, Unit]:
    """Team A answered a cycle (once), which closed; then it moved to Locality South. The
    cycle, and the place Team A left holding its part in it."""
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 1)
    close_cycle(cycle=cycle)
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])
    return cycle, Unit.objects.get(moved_to=world.team_a)


def _reloaded(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def _tree_problems() -> tuple[list[int], ...]:
    return tuple(Unit.objects.find_problems())


def test_it_leaves_a_moved_team_s_part_in_every_cycle_that_has_opened_where_it_was(
    world, make_cycle, respond
):
    closed = make_cycle(unit=world.root)
    issue_invites(cycle=closed, team=world.team_a, count=4)
    respond(closed, world.team_a, 3)
    close_cycle(cycle=closed)
    still_open = make_cycle(unit=world.root)
    respond(still_open, world.team_a, 2)
    draft = make_cycle(unit=world.root, opened=False)
    old_path = world.team_a.path

    moved = move_unit(unit=world.team_a, new_parent=world.units["Locality South"])

    place = Unit.objects.get(moved_to=world.team_a)
    assert (place.path, place.name, place.is_team, place.is_archived) == (
        old_path,
        "Team A",
        True,
        True,
    )
    assert moved.cycles_left == 2
    assert moved.unit.path.startswith(world.units["Locality South"].path)
    assert not moved.unit.is_archived
    for model in (CycleTeam, Invite, Response, DomainScore, TeamTally, StatementTally):
        assert model.objects.filter(cycle=closed, team=world.team_a).count() == 0, model
        assert model.objects.filter(cycle=closed, team=place).exists(), model
    assert Response.objects.filter(cycle=closed, team=place).count() == 3
    assert Invite.objects.filter(cycle=closed, team=place).count() == 4
    assert Response.objects.filter(cycle=still_open, team=place).count() == 2
    assert CycleTeam.objects.filter(cycle=still_open, team=place).exists()
    # A draft takes the tree as it is when it opens.
    assert CycleTeam.objects.filter(cycle=draft, team=world.team_a).exists()
    assert not CycleTeam.objects.filter(cycle=draft, team=place).exists()
    assert _tree_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("looked_up_before_the_move", [False, True])
def test_it_stores_an_answer_made_with_a_code_given_before_a_move_where_the_code_was_given(
    world, make_cycle, looked_up_before_the_move
):
    """Also for a code looked up just before the move, whose answer is stored just after it:
    the code's team is read again once the cycle is held."""
    cycle = make_cycle(unit=world.root)
    (code,) = issue_invites(cycle=cycle, team=world.team_a, count=1)
    invite = find_invite(code) if looked_up_before_the_move else None

    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])
    submitted = submit_response(code=code, answers=all_answers(cycle), invite=invite)

    place = Unit.objects.get(moved_to=world.team_a)
    assert Response.objects.get(cycle=cycle).team == place
    assert TeamTally.objects.get(cycle=cycle).team == place
    # Whose staff answered: the thanks page links to the team's own board.
    assert (submitted.team.moved_to_id or submitted.team.pk) == world.team_a.pk


def test_it_leaves_the_units_between_and_a_closed_pulse_s_runner_when_a_unit_moves(
    world, make_cycle, respond
):
    """Locality North moves under a new service: its closed pulse and both its teams' part in
    it stay, with North, Team A and Team B left at their old paths."""
    pulse = make_cycle(unit=world.north, kind=Cycle.Kind.PULSE)
    respond(pulse, world.team_a, 6)
    close_cycle(cycle=pulse)
    paths = {name: world.units[name].path for name in ("Locality North", "Team A", "Team B")}
    elsewhere = add_unit(parent=world.root, name="Early Help", is_team=False)

    moved = move_unit(unit=world.north, new_parent=elsewhere)

    left = {unit.moved_to.name: unit for unit in Unit.objects.filter(moved_to__isnull=False)}
    assert {name: unit.path for name, unit in left.items()} == paths
    assert Cycle.objects.get(pk=pulse.pk).unit == left["Locality North"]
    assert set(CycleTeam.objects.filter(cycle=pulse).values_list("team", flat=True)) == {
        left["Team A"].pk,
        left["Team B"].pk,
    }
    assert {unit.name for unit in Unit.objects.within(moved.unit)} == {
        "Locality North",
        "Team A",
        "Team B",
    }
    assert _tree_problems() == ([], [], [], [], [])


def test_it_moves_a_unit_with_no_cycle_opened_as_it_is(world, make_cycle):
    draft = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, opened=False)

    moved = move_unit(unit=world.team_a, new_parent=world.units["Locality South"])

    assert moved.cycles_left == 0
    assert not Unit.objects.filter(moved_to__isnull=False).exists()
    assert Cycle.objects.get(pk=draft.pk).unit == world.team_a
    assert CycleTeam.objects.get(cycle=draft).team == world.team_a


def test_it_keeps_a_former_place_where_it_is(world, moved_after_a_closed_cycle):
    _cycle, place = moved_after_a_closed_cycle

    with pytest.raises(ValidationError, match="stays where it is"):
        move_unit(unit=place, new_parent=world.units["Locality South"])
    with pytest.raises(ValidationError, match="stays archived"):
        restore_unit(unit=place)
    with pytest.raises(ValidationError, match="has data"):
        delete_unit(unit=place)
    archive_unit(unit=world.north)  # archiving around it changes nothing of it
    restore_unit(unit=world.north)
    assert _reloaded(place).is_archived


def test_it_lets_a_team_move_back_beside_the_place_it_left(world, make_cycle, respond):
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 1)
    close_cycle(cycle=cycle)
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])

    back = move_unit(unit=_reloaded(world.team_a), new_parent=world.north)

    assert back.cycles_left == 0  # its part in the closed cycle was left already
    assert back.unit.path != Unit.objects.get(moved_to=world.team_a).path
    assert add_unit(parent=world.north, name="Team D", is_team=True)
    assert _tree_problems() == ([], [], [], [], [])


def test_it_keeps_a_moved_unit_whose_results_were_left_from_being_deleted(
    world, make_cycle, respond
):
    team_d = add_unit(parent=world.north, name="Team D", is_team=True)
    cycle = make_cycle(unit=world.root)
    respond(cycle, team_d, 1)
    close_cycle(cycle=cycle)
    move_unit(unit=team_d, new_parent=world.units["Locality South"])

    assert unit_has_data(_reloaded(team_d))
    with pytest.raises(ValidationError, match="has data"):
        delete_unit(unit=_reloaded(team_d))


def test_it_leaves_every_record_of_a_team_s_part_in_a_cycle():
    """Every model naming a cycle and a unit is either left with a closed cycle or said to move
    with the unit, so that a model added later is decided, not forgotten."""
    kept = {model._meta.label for model in KEPT_WITH_AN_OPENED_CYCLE}
    naming_both = set()
    for model in apps.get_models():
        targets = {
            field.related_model
            for field in model._meta.get_fields()
            if isinstance(field, ForeignKey)
        }
        if Cycle in targets and Unit in targets and model is not Cycle:
            naming_both.add(model._meta.label)
    assert naming_both == kept | MOVES_WITH_THE_UNIT


def test_it_says_on_moving_that_closed_results_stay(client, world, make_cycle, respond):
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 1)
    close_cycle(cycle=cycle)
    client.force_login(world.org_admin)
    url = reverse("units:move", args=[world.team_a.pk])

    page = client.get(url)
    response = client.post(url, {"new_parent": world.units["Locality South"].pk}, follow=True)

    assert "Its part in cycles that have opened stays where it is now" in page.content.decode()
    text = response.content.decode()
    assert "Its part in 1 cycle that had opened stays under “Locality North”" in text
    assert "This is where “Team A” was before it moved." in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNIT_MOVED)
    assert (event.user, event.scope, event.detail) == (
        world.org_admin,
        "Children's Services / Locality South / Team A",
        "moved from Children's Services / Locality North / Team A; its part in cycles that "
        "had opened (1) stays there",
    )


def test_it_sends_a_former_place_s_move_page_back_to_the_structure(
    client, world, moved_after_a_closed_cycle
):
    _cycle, place = moved_after_a_closed_cycle
    client.force_login(world.org_admin)

    response = client.get(reverse("units:move", args=[place.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("organisations:structure")
    assert "holds results from before a move and stays where it is" in response.content.decode()


def test_it_gives_the_outsider_404_on_the_move_page(client, world):
    client.force_login(world.outsider)

    assert client.get(reverse("units:move", args=[world.team_a.pk])).status_code == 404


def test_it_lets_roles_at_a_moved_unit_read_the_place_it_left_and_no_one_else_s(
    world, moved_after_a_closed_cycle, django_assert_num_queries
):
    """Team A's manager reads Team A's closed cycles where they stayed, as before the move;
    Locality South's leader, above Team A only since the move, does not."""
    from organisations.access import forget_reach, reach_of
    from tests.factories import make_member

    south_leader = make_member(world.units["Locality South"], Role.LEADER)
    _cycle, place = moved_after_a_closed_cycle
    for user in (world.team_manager, world.leader, south_leader):
        forget_reach(user)
        user.refresh_from_db()

    manager = reach_of(world.team_manager)
    with django_assert_num_queries(1):  # the places its units moved from, once
        assert [unit.name for unit in manager.top_units] == ["Team A", "Team A"]
    assert manager.role_at(place) == Role.TEAM_MANAGER
    assert reach_of(world.leader).role_at(place) == Role.LEADER  # by where it sits
    assert reach_of(south_leader).role_at(place) is None
    assert reach_of(south_leader).role_at(_reloaded(world.team_a)) == Role.LEADER


def test_it_reads_roles_with_no_query_more_where_no_unit_has_moved(
    world, django_assert_num_queries
):
    from organisations.access import reach_of

    reach = reach_of(world.team_manager)
    with django_assert_num_queries(0):
        assert [unit.name for unit in reach.top_units] == ["Team A"]


def test_it_leaves_a_former_place_where_it_is_when_its_parent_moves(world, make_cycle, respond):
    """Team A leaves North; then North moves. Team A's part in the cycle stays at Team A's
    first place, still standing for Team A, and nothing empty moves along with North."""
    from organisations.access import reach_of

    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 2)
    first_place = world.team_a.path
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])
    elsewhere = add_unit(parent=world.root, name="Early Help", is_team=False)

    moved = move_unit(unit=_reloaded(world.north), new_parent=elsewhere)

    (response_team,) = {response.team for response in Response.objects.filter(cycle=cycle)}
    assert (response_team.path, response_team.moved_to) == (first_place, world.team_a)
    assert not Unit.objects.within(moved.unit).filter(moved_to__isnull=False).exists()
    assert reach_of(world.team_manager).role_at(response_team) == Role.TEAM_MANAGER
    assert _tree_problems() == ([], [], [], [], [])


def test_it_reads_a_path_as_the_cycle_s_team_where_a_move_left_one(world, make_cycle):
    """Figures for an open cycle, given by path after Team A moved: its old path names its part
    in the cycle, left where it was; a new structure line by that path adds a new team."""
    from diagnostics.models import StructuralFigures
    from diagnostics.structural_data import import_figures
    from organisations.services import import_structure

    cycle = make_cycle(unit=world.root)
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])
    place = Unit.objects.get(moved_to=world.team_a)
    old_path = "Children's Services / Locality North / Team A"

    assert import_figures(
        cycle=cycle, content=f"team_path,caseload\n{old_path},19\n", user=None
    ).saved
    assert StructuralFigures.objects.get(cycle=cycle).team == place

    result = import_structure(organisation_slug="example", content=f"path\n{old_path}\n")
    assert result.created_units == 1
    added = Unit.objects.get(
        name="Team A", moved_to__isnull=True, path__startswith=world.north.path
    )
    assert added != place
    assert not added.is_archived


def test_it_plans_an_action_asked_for_at_a_former_place_at_the_unit_as_it_is_now(
    client, world, moved_after_a_closed_cycle
):
    cycle, place = moved_after_a_closed_cycle
    client.force_login(world.team_manager)

    response = client.get(
        reverse("actions:new"), {"unit": place.pk, "cycle": cycle.pk, "domain": "WL"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('actions:new')}?unit={world.team_a.pk}&domain=WL"


def test_it_refuses_to_move_a_unit_under_the_parent_it_has(world, make_cycle, respond):
    """From the review: treebeard leaves a last child where it is, and the place left for it
    would have taken the path it still holds (a 500)."""
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_b, 3)
    close_cycle(cycle=cycle)

    with pytest.raises(ValidationError, match="already under"):
        move_unit(unit=world.team_b, new_parent=world.north)

    assert not Unit.objects.filter(moved_to__isnull=False).exists()
    assert _tree_problems() == ([], [], [], [], [])


def test_it_gives_an_imported_role_at_the_unit_a_path_names_not_at_a_former_place(
    world, make_cycle, respond
):
    """From the review: Team B moves out, and Team A, before it in North, takes its name."""
    from organisations.models import Membership
    from organisations.services import import_users, rename_unit

    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_b, 5)
    close_cycle(cycle=cycle)
    move_unit(unit=world.team_b, new_parent=world.units["Locality South"])
    rename_unit(unit=_reloaded(world.team_a), name="Team B")

    import_users(
        organisation=world.organisation,
        content="email,role,unit_path\nnew.manager@example.org,team_manager,"
        "Children's Services / Locality North / Team B\n",
    )

    assert Membership.objects.get(user__email="new.manager@example.org").unit == world.team_a


def test_it_offers_no_move_under_the_parent_a_unit_has(client, world):
    client.force_login(world.org_admin)

    page = client.get(reverse("units:move", args=[world.team_a.pk])).content.decode()

    assert "Locality South" in page
    assert f'value="{world.north.pk}"' not in page


def test_it_compares_an_action_begun_before_a_move_with_its_results_where_it_was(
    world, make_cycle, respond
):
    """Team A's action, prompted by a diagnostic, keeps its "before" after Team A moves: read
    where Team A then was. Its "after" is Team A's next diagnostic where it is now."""
    from actions.selectors import before_after
    from actions.services import create_action
    from diagnostics.models import Domain
    from organisations.access import reach_of

    first = make_cycle(unit=world.root, name="Spring")
    respond(first, world.team_a, 6, value=2)
    close_cycle(cycle=first)
    action = create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title="Fewer cases",
        description="",
        owner=world.team_manager,
        due_on=timezone.localdate() + timedelta(days=60),
        cycle=first,
        created_by=world.team_manager,
    )
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])
    later = make_cycle(
        unit=world.root,
        name="Autumn",
        opens_on=timezone.localdate() + timedelta(days=1),
    )
    respond(later, _reloaded(world.team_a), 6, value=5)
    close_cycle(cycle=later)
    action.refresh_from_db()

    found = before_after(action, reach=reach_of(world.team_manager), today=timezone.localdate())

    assert found.before is not None
    assert found.after is not None
    assert (found.before.shown, found.after.shown) == (True, True)
    assert found.before.mean is not None
    assert found.after.mean is not None
    assert found.before.mean < found.after.mean


def test_it_shows_a_moved_team_s_home_card_first_and_its_past_after_it(
    world, moved_after_a_closed_cycle, client_for
):
    """The manager's home reads the team as it is now, then the place it left, which says where
    the team went; the team, with no diagnostic since, points to that card."""
    from html import unescape

    _cycle, place = moved_after_a_closed_cycle
    page = client_for(world.team_manager).get(reverse("home"))

    readings = page.context["page"].readings
    assert [(r.unit.pk, r.moved_to_path) for r in readings] == [
        (world.team_a.pk, ""),
        (place.pk, "Children's Services / Locality South / Team A"),
    ]
    text = unescape(page.content.decode())
    now = text.index(f'<h2 class="h4 card-title" id="reading-{world.team_a.pk}">')
    before = text.index(f'<h2 class="h4 card-title" id="reading-{place.pk}">')
    assert now < before
    assert "Its results from before the move are on the next card." in text[now:before]
    assert (
        "Where Team A was before it moved to Children's Services / Locality South / Team A."
        in text[before:]
    )
    assert text[before:].count("Start a diagnostic") == 0


def test_it_takes_a_moved_team_s_manager_from_results_to_the_team_s_dashboard(
    world, moved_after_a_closed_cycle, client_for
):
    _cycle, place = moved_after_a_closed_cycle
    page = client_for(world.team_manager).get(reverse("dashboards:index"))
    assert page.status_code == 302
    assert page.url == reverse("dashboards:profile", args=[world.team_a.pk])
    dashboard = client_for(world.team_manager).get(page.url)
    assert reverse("dashboards:profile", args=[place.pk]) in dashboard.content.decode()


def test_it_orders_former_places_after_the_units_that_left_them():
    from organisations.selectors import former_places_after_their_units

    def unit(pk: int, moved_to: int | None = None) -> Unit:
        return Unit(pk=pk, name=str(pk), moved_to_id=moved_to)

    north_a, north_b, south_a, elsewhere = unit(1, moved_to=3), unit(2), unit(3), unit(4, 9)
    ordered = former_places_after_their_units([north_a, north_b, south_a, elsewhere])
    assert [u.pk for u in ordered] == [2, 3, 1, 4]
