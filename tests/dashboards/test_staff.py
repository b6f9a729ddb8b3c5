"""The team's results for its staff, from the board link: closed results only, the figures a
manager of the team sees (and nothing a link holder's own plan hides), "you said, we did"."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from actions.models import Action
from actions.services import create_action
from dashboards.staff import team_results_for_staff
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import cycle_scope
from diagnostics.results import results_for_scopes
from diagnostics.scoring import display_mean, display_percent
from diagnostics.services import close_cycle
from organisations.access import reach_of
from organisations.models import AuditEvent, Membership
from organisations.services import add_unit
from voice.services import answer_issue, board_for, hide_issue, raise_issue, rotate_link


def results_path(board) -> str:
    return reverse("team_results_for_staff", kwargs={"token": board.token})


def _varied(index: int, code: str) -> int:
    return 2 + (index + len(code)) % 5


def closed_cycle(make_cycle, respond, world, counts, *, unit=None, name="Spring"):
    cycle = make_cycle(unit=unit or world.north, name=name)
    for team, count in counts.items():
        respond(cycle, team, count, value=_varied)
    return close_cycle(cycle=cycle)


def workload_action(world, title: str, **extra) -> Action:
    """Team A's action on its workload, due today, by its manager."""
    return create_action(
        unit=world.team_a,
        domain=Domain.objects.get(code="WL"),
        title=title,
        owner=world.team_manager,
        due_on=timezone.localdate(),
        created_by=world.team_manager,
        **extra,
    )


def test_it_shows_only_closed_results(world, make_cycle, respond):
    cycle = make_cycle(unit=world.team_a)
    respond(cycle, world.team_a, 6, value=_varied)
    board = board_for(world.team_a)
    page = Client().get(results_path(board))
    assert page.status_code == 200
    assert page.context["page"].result is None
    assert "No results to show yet" in page.content.decode()
    close_cycle(cycle=cycle)
    page = Client().get(results_path(board))
    assert page.context["page"].result.shown


def test_it_shows_the_same_figures_as_the_team_manager_sees(world, make_cycle, respond):
    cycle = closed_cycle(make_cycle, respond, world, {world.team_a: 6, world.team_b: 7})
    (manager_view,) = results_for_scopes(
        world.organisation, [cycle_scope(cycle)], reach=reach_of(world.team_manager)
    )
    group = manager_view.group(world.team_a)
    page = team_results_for_staff(board_for(world.team_a), wanted="", today=timezone.localdate())
    result = page.result
    assert result is not None
    assert manager_view.response_count(world.team_a).exact == 6
    assert result.responses == "6"
    assert result.index == group.index is not None
    for row in result.domains:
        figures = group.domains[row.code].figures
        assert figures is not None
        assert (row.mean, row.band, row.urgent) == (
            display_mean(figures.mean),
            figures.band,
            figures.urgent,
        )
        assert (row.red, row.amber, row.green) == (
            display_percent(figures.red_share),
            display_percent(figures.amber_share),
            display_percent(figures.green_share),
        )
    assert len(result.domains) == Domain.objects.conditions().count()


def test_it_hides_what_any_link_holder_s_own_plan_hides(world, make_cycle, respond):
    """North's leader sees North (9), so their plan hides Team A's 6 to protect Team B's 3.
    The leader can open Team A's link: shown there, A's figures would give B's away."""
    closed_cycle(make_cycle, respond, world, {world.team_a: 6, world.team_b: 3})
    board = board_for(world.team_a)
    page = Client().get(results_path(board))
    result = page.context["page"].result
    assert not result.shown
    assert result.responses == "5 or more"
    assert all(not row.shown and not row.mean for row in result.domains)
    html = page.content.decode()
    assert "Hidden so that a smaller group cannot be worked out" in html
    assert "6" not in result.responses

    # With nobody above the team holding a role, a team manager's plan is all there is.
    Membership.objects.exclude(unit=world.team_a).delete()
    result = Client().get(results_path(board)).context["page"].result
    assert result.shown
    assert result.responses == "6"


def test_it_hides_a_team_with_fewer_than_k_responses(world, make_cycle, respond):
    closed_cycle(make_cycle, respond, world, {world.team_a: 3}, unit=world.team_a)
    page = Client().get(results_path(board_for(world.team_a)))
    result = page.context["page"].result
    assert (result.shown, result.responses) == (False, "fewer than 5")
    assert "Fewer than 5 responses" in page.content.decode()


def test_it_answers_a_rotated_or_unknown_link_with_the_link_gone_page(world):
    board = board_for(world.team_a)
    old = results_path(board)
    rotate_link(world.team_a)
    page = Client().get(old)
    assert page.status_code == 404
    assert "This voice link has changed" in page.content.decode()
    assert Client().get(reverse("team_results_for_staff", args=["nope"])).status_code == 404


def test_it_refuses_a_result_that_is_not_one_of_the_team_s_closed_results(
    world, make_cycle, respond
):
    open_cycle = make_cycle(unit=world.team_a)
    respond(open_cycle, world.team_a, 6)
    board = board_for(world.team_a)
    assert Client().get(results_path(board) + f"?result=cycle-{open_cycle.pk}").status_code == 404


def test_it_lets_staff_pick_an_earlier_closed_result(world, make_cycle, respond):
    today = timezone.localdate()
    spring = closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    autumn = make_cycle(unit=world.team_a, name="Autumn", opens_on=today + timedelta(days=1))
    respond(autumn, world.team_a, 5)
    close_cycle(cycle=autumn)
    board = board_for(world.team_a)
    page = Client().get(results_path(board)).context["page"]
    assert page.result.label == "Autumn"
    assert page.others == ((f"cycle-{spring.pk}", "Spring"),)
    earlier = Client().get(results_path(board) + f"?result=cycle-{spring.pk}")
    assert earlier.context["page"].result.label == "Spring"


def test_it_shows_what_was_said_and_done_with_numbers(world, make_cycle, respond):
    today = timezone.localdate()
    spring = closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    autumn = make_cycle(unit=world.team_a, name="Autumn", opens_on=today + timedelta(days=1))
    respond(autumn, world.team_a, 6, value=6)
    close_cycle(cycle=autumn)
    workload = Domain.objects.get(code="WL")
    create_action(
        unit=world.team_a,
        domain=workload,
        title="Protected duty-free days",
        owner=world.team_manager,
        due_on=today,
        created_by=world.team_manager,
        cycle=spring,
    )
    board = board_for(world.team_a)
    issue = raise_issue(board=board, category="caseloads", text="Too many cases each.")
    answer_issue(
        issue=issue,
        status="in_progress",
        answer="Two posts advertised.",
        answered_by=world.team_manager,
    )
    hidden = raise_issue(board=board, category="other", text="Names someone.")
    hide_issue(issue=hidden, reason="It named a colleague.", hidden_by=world.team_manager)
    page = Client().get(results_path(board))
    (action,) = page.context["page"].actions
    assert action.before is not None
    assert action.after is not None
    assert (action.before.label, action.after.label) == ("Spring", "Autumn")
    before_view, after_view = results_for_scopes(
        world.organisation,
        [cycle_scope(spring), cycle_scope(autumn)],
        reach=reach_of(world.team_manager),
    )
    expected = [
        display_mean(view.group(world.team_a).domains["WL"].figures.mean)  # type: ignore[union-attr]
        for view in (before_view, after_view)
    ]
    assert [action.before.mean, action.after.mean] == expected
    assert action.change is not None
    assert action.change.delta is not None
    html = page.content.decode()
    assert "Protected duty-free days" in html
    assert "Two posts advertised." in html
    assert "Team manager, Team A" in html
    assert world.team_manager.display_name not in html
    assert "Names someone." not in html


def test_it_says_when_an_action_is_overdue(world, make_cycle, respond):
    today = timezone.localdate()
    closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    late = workload_action(world, "Share the duty rota fairly")
    finished = workload_action(world, "Protected duty-free days")
    Action.objects.filter(pk__in=[late.pk, finished.pk]).update(due_on=today - timedelta(days=3))
    Action.objects.filter(pk=finished.pk).update(status=Action.Status.DONE)
    page = Client().get(results_path(board_for(world.team_a)))
    overdue = {action.title: action.overdue for action in page.context["page"].actions}
    assert overdue == {"Share the duty rota fairly": True, "Protected duty-free days": False}
    assert page.content.decode().count("overdue</strong>") == 1


def test_it_records_nothing_about_the_reader(world, make_cycle, respond):
    closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    before = AuditEvent.objects.count()
    Client().get(results_path(board_for(world.team_a)))
    assert AuditEvent.objects.count() == before
    assert not Session.objects.exists()


def test_it_limits_how_often_one_address_reads_it(world, settings):
    settings.VOICE_RESULTS_RATE = "2/h"
    board = board_for(world.team_a)
    client = Client()
    assert [client.get(results_path(board)).status_code for _ in range(3)] == [200, 200, 429]


def test_it_is_linked_from_the_board(world):
    board = board_for(world.team_a)
    page = Client().get(reverse("voice:board", kwargs={"token": board.token}))
    assert results_path(board) in page.content.decode()


def test_it_reads_as_many_queries_for_many_teams_as_for_few(world, make_cycle, respond):
    def queries(team_count: int) -> int:
        service = add_unit(parent=world.root, name=f"Service of {team_count}", is_team=False)
        teams = [
            add_unit(parent=service, name=f"Team {n} of {team_count}", is_team=True)
            for n in range(team_count)
        ]
        cycle = make_cycle(unit=service)
        for team in teams[:3]:
            respond(cycle, team, 5)
        close_cycle(cycle=cycle)
        board = board_for(teams[0])
        Client().get(results_path(board))  # warm the process-wide caches
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(results_path(board)).status_code == 200
        return len(captured)

    few, many = queries(4), queries(24)
    assert few == many
    assert many <= 40


def test_it_shows_a_pulse_pool_only_once_its_period_has_ended(world, make_cycle, respond):
    pulse = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)
    respond(pulse, world.team_a, 6)
    close_cycle(cycle=pulse)
    page = Client().get(results_path(board_for(world.team_a))).context["page"]
    assert page.result is None  # the period the pulse pools into has not ended


def test_it_compares_an_action_with_the_latest_later_result_shown(world, make_cycle, respond):
    """As on the action's own page: a newer result too small to show is skipped, and a dropped
    action is not listed as something leaders did."""
    today = timezone.localdate()
    spring = closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    summer = make_cycle(unit=world.team_a, name="Summer", opens_on=today + timedelta(days=1))
    respond(summer, world.team_a, 6, value=6)
    close_cycle(cycle=summer)
    autumn = make_cycle(unit=world.team_a, name="Autumn", opens_on=today + timedelta(days=2))
    respond(autumn, world.team_a, 2, value=1)
    close_cycle(cycle=autumn)
    for title in ("Protected duty-free days", "Dropped idea"):
        action = workload_action(world, title, cycle=spring)
    action.status = action.Status.DROPPED
    action.save()
    (shown,) = Client().get(results_path(board_for(world.team_a))).context["page"].actions
    assert shown.title == "Protected duty-free days"
    assert shown.after is not None
    assert shown.after.label == "Summer"
    assert shown.change is not None


def test_it_shows_the_team_s_results_in_welsh(world, make_cycle, respond):
    closed_cycle(make_cycle, respond, world, {world.team_a: 6, world.team_b: 7})
    board = board_for(world.team_a)
    raise_issue(board=board, category="caseloads", text="Rhy brysur")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    body = client.get(results_path(board)).content.decode()
    assert '<html lang="cy">' in body
    assert f"{world.team_a.name}: canlyniadau eich tîm" in body
    assert "Llwyth gwaith a llwythi achosion" in body  # the domain's name
    assert "Llwythi achosion" in body  # the issue's category
    assert "Yn aros am ateb" in body  # its status
    assert "Dywedoch chi, gwnaethom ni" in body
    assert "Workload and caseloads" not in body


def test_it_gives_the_day_a_cycle_was_closed_early_not_its_planned_date(world, make_cycle, respond):
    cycle = closed_cycle(make_cycle, respond, world, {world.team_a: 6}, unit=world.team_a)
    board = board_for(world.team_a)
    today = timezone.localdate()
    body = Client().get(results_path(board)).content.decode()
    assert f"closed {date_format(today, 'j F Y')}" in body
    assert date_format(cycle.closes_on, "j F Y") not in body
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    body = client.get(results_path(board)).content.decode()
    with translation.override("cy"):
        assert f"caeodd ar {date_format(today, 'j F Y')}" in body
        assert date_format(cycle.closes_on, "j F Y") not in body


def test_it_names_a_full_diagnostic_in_welsh_where_it_has_a_welsh_name(world, make_cycle, respond):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    cycle = make_cycle(
        unit=world.team_a, name="Spring survey", names_in_languages={"cy": "Arolwg y gwanwyn"}
    )
    respond(cycle, world.team_a, 6)
    close_cycle(cycle=cycle)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = client.get(results_path(board_for(world.team_a))).content.decode()
    assert "Arolwg y gwanwyn" in welsh
    assert "Spring survey" not in welsh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    english = client.get(results_path(board_for(world.team_a))).content.decode()
    assert "Spring survey" in english
    assert "Arolwg y gwanwyn" not in english


def test_it_makes_only_the_units_it_shows(world, make_cycle, respond, units_made):
    # Each link holder's plan once made every unit of the organisation (3,307 at ten times the
    # data); once a settled cycle's plans are decided, the page reads the team's figures by
    # path.
    cycle = make_cycle(unit=world.north)
    for team, count in ((world.team_a, 6), (world.team_b, 7)):
        respond(cycle, team, count, value=_varied)
    close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))  # settled
    board = board_for(world.team_a)
    Client().get(results_path(board))  # decides the settled cycle's plans
    units_made.clear()
    page = Client().get(results_path(board))

    assert page.context["page"].result.shown
    assert units_made == []
