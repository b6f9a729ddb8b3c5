"""The signed-in side: answering, escalating, hiding, the team's link, and reach."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations.models import Role, Unit
from tests.factories import make_member
from tests.postgres_locks import second_waits_for_first
from tests.voice.conftest import board_path, raise_path
from voice.models import VoiceBoard, VoiceIssue
from voice.selectors import board_path_for_team
from voice.services import answer_issue, board_for, escalate_issue, hide_issue


def issue_path(issue: VoiceIssue, name: str = "voice:issue") -> str:
    return reverse(name, kwargs={"issue_id": issue.pk})


def answer(client: Client, issue: VoiceIssue, **data: str):
    return client.post(issue_path(issue), data)


def test_it_lets_staff_raise_an_issue_and_later_read_the_leaders_answer(world, board_a, client_for):
    staff = Client()
    staff.post(raise_path(board_a), {"category": "supervision", "text": "Supervision cancelled."})
    issue = VoiceIssue.objects.get()

    # The leader finds it in their list and answers it publicly.
    listing = client_for(world.leader).get(reverse("voice:manage")).content.decode()
    assert "Supervision cancelled." in listing
    response = answer(
        client_for(world.leader),
        issue,
        status="in_progress",
        answer="Supervision is now booked six months ahead.",
    )
    assert response.status_code == 302

    board = staff.get(board_path(board_a)).content.decode()
    assert "Supervision is now booked six months ahead." in board
    assert "In progress" in board
    issue.refresh_from_db()
    assert issue.answered_by == world.leader
    assert issue.answered_on is not None


def test_it_requires_a_reason_for_not_possible(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    manager = client_for(world.team_manager)

    refused = answer(manager, issue, status="not_possible", answer="We looked at it.")

    assert refused.status_code == 200
    assert "Say why it is not possible" in refused.content.decode()
    issue.refresh_from_db()
    assert issue.status == VoiceIssue.Status.NEW
    with pytest.raises(ValidationError):
        answer_issue(
            issue=issue, status="not_possible", answer="No.", answered_by=world.team_manager
        )

    answer(
        manager,
        issue,
        status="not_possible",
        answer="We looked at it.",
        status_reason="The budget for next year is already fixed.",
    )
    board = Client().get(board_path(board_a)).content.decode()
    assert "Not possible" in board
    assert "Why it is not possible:</strong> The budget for next year is already fixed." in board


def test_it_requires_a_public_answer_and_a_real_status(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    manager = client_for(world.team_manager)
    assert answer(manager, issue, status="heard", answer="  ").status_code == 200
    assert answer(manager, issue, status="new", answer="Back to new.").status_code == 200
    issue.refresh_from_db()
    assert issue.status == VoiceIssue.Status.NEW
    assert issue.answer == ""


def test_it_drops_the_reason_when_the_status_changes_from_not_possible(world, board_a, raise_on):
    issue = raise_on(board_a)
    answer_issue(
        issue=issue,
        status="not_possible",
        answer="No.",
        status_reason="Budget.",
        answered_by=world.leader,
    )
    answer_issue(issue=issue, status="done", answer="Found the money.", answered_by=world.leader)
    issue.refresh_from_db()
    assert issue.status_reason == ""


def test_it_shows_an_escalation_on_the_board_and_to_the_leader_of_that_unit(
    world, board_a, raise_on, client_for
):
    services_unit = world.units["Children's Services"]
    head = make_member(services_unit, Role.LEADER)
    issue = raise_on(board_a, "Caseload policy ignores complexity.")
    escalated_list = reverse("voice:manage") + "?view=escalated"
    assert "Caseload policy ignores complexity." not in (
        client_for(head).get(escalated_list).content.decode()
    )

    response = client_for(world.team_manager).post(
        issue_path(issue, "voice:escalate"), {"to": services_unit.pk}
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.escalated_to == services_unit
    assert "Escalated to Children&#x27;s Services" in (
        Client().get(board_path(board_a)).content.decode()
    )
    head_client = client_for(head)
    assert "Caseload policy ignores complexity." in head_client.get(escalated_list).content.decode()
    assert head_client.get(issue_path(issue)).status_code == 200
    # North's leader sees the issue (their team) but it was not escalated to them.
    assert "Caseload policy ignores complexity." not in (
        client_for(world.leader).get(escalated_list).content.decode()
    )


def test_it_escalates_only_to_units_above_the_team(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    manager = client_for(world.team_manager)
    # Team B and Locality South are not above Team A: not offered, so a forged id is a 404.
    for unit in (world.team_b, world.units["Locality South"], world.other_units["root"]):
        assert manager.post(issue_path(issue, "voice:escalate"), {"to": unit.pk}).status_code == 404
    with pytest.raises(ValidationError):
        escalate_issue(issue=issue, to=world.team_b)
    issue.refresh_from_db()
    assert issue.escalated_to is None
    page = manager.get(issue_path(issue)).content.decode()
    assert f'<option value="{world.north.pk}">Locality North</option>' in page
    assert f'value="{world.team_b.pk}"' not in page


def test_it_escalates_only_further_up_from_the_unit_that_has_the_issue(
    world, board_a, raise_on, client_for
):
    services_unit = world.units["Children's Services"]
    root = world.units["root"]
    issue = raise_on(board_a)
    manager = client_for(world.team_manager)
    escalate_issue(issue=issue, to=services_unit)
    page = manager.get(issue_path(issue)).content.decode()
    # Locality North sits below Children's Services: sending it there is not escalating.
    assert f'value="{world.north.pk}"' not in page
    assert f'<option value="{root.pk}">' in page
    assert '<option value="" selected>Choose a unit</option>' in page
    assert manager.post(
        issue_path(issue, "voice:escalate"), {"to": world.north.pk}
    ).status_code == (404)
    with pytest.raises(ValidationError, match="further up"):
        escalate_issue(issue=issue, to=world.north)
    issue.refresh_from_db()
    assert issue.escalated_to == services_unit


def test_it_asks_which_unit_before_escalating(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    response = client_for(world.team_manager).post(issue_path(issue, "voice:escalate"), {})
    assert response.status_code == 200
    assert "Choose the unit to escalate the issue to." in response.content.decode()
    issue.refresh_from_db()
    assert issue.escalated_to is None


def test_it_does_not_publish_the_same_answer_twice(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    leader = client_for(world.leader)
    assert answer(leader, issue, status="heard", answer="We are looking at it.").status_code == 302
    again = answer(leader, issue, status="heard", answer=" We are looking at it. ")
    assert again.status_code == 200
    assert "This is the answer the team already reads." in again.content.decode()
    assert issue.answers.count() == 1
    assert answer(
        leader, issue, status="in_progress", answer="We are looking at it."
    ).status_code == (302)
    assert issue.answers.count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_publishes_a_double_clicked_answer_once(world, board_a, raise_on):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks")
    issue = raise_on(board_a)

    def publish() -> None:
        answer_issue(
            issue=VoiceIssue.objects.get(pk=issue.pk),
            status="heard",
            answer="We are looking at it.",
            answered_by=world.leader,
        )

    outcomes = second_waits_for_first(publish, publish)

    assert outcomes == {"first": "done", "second": "ValidationError"}
    assert issue.answers.count() == 1


def test_it_lets_a_leader_who_sees_it_only_through_escalation_answer_but_not_hide(
    world, board_a, raise_on, client_for
):
    south = world.units["Locality South"]
    south_leader = make_member(south, Role.LEADER)
    issue = raise_on(board_a)
    south_client = client_for(south_leader)
    assert south_client.get(issue_path(issue)).status_code == 404  # not theirs yet
    # Not reachable through the service (South is not above Team A): stands in for an
    # escalation to a unit the leader reaches without reaching the team itself.
    VoiceIssue.objects.filter(pk=issue.pk).update(escalated_to=south)

    assert south_client.get(issue_path(issue)).status_code == 200
    assert answer(south_client, issue, status="heard", answer="Heard.").status_code == 302
    hide = south_client.post(issue_path(issue, "voice:hide"), {"reason": "Names someone."})
    assert hide.status_code == 403
    assert south_client.post(issue_path(issue, "voice:unhide")).status_code == 403
    assert south_client.get(reverse("voice:team_link", args=[world.team_a.pk])).status_code == 404
    escalate_up = south_client.post(
        issue_path(issue, "voice:escalate"), {"to": world.units["Children's Services"].pk}
    )
    assert escalate_up.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "heard"
    assert not issue.hidden


def test_it_hides_an_issue_with_a_reason_and_shows_it_again(world, board_a, raise_on, client_for):
    issue = raise_on(board_a, "Jo Bloggs is never on time for duty.")
    manager = client_for(world.team_manager)

    refused = manager.post(issue_path(issue, "voice:hide"), {"reason": " "})
    assert refused.status_code == 200
    assert "Give the reason the team will see" in refused.content.decode()
    issue.refresh_from_db()
    assert not issue.hidden

    manager.post(issue_path(issue, "voice:hide"), {"reason": "It named a colleague."})
    board = Client().get(board_path(board_a)).content.decode()
    assert "Hidden by the team manager: It named a colleague." in board
    assert "Jo Bloggs" not in board

    manager.post(issue_path(issue, "voice:unhide"))
    board = Client().get(board_path(board_a)).content.decode()
    assert "Jo Bloggs is never on time for duty." in board
    assert "Hidden by the team manager" not in board


def test_it_does_not_mark_a_hidden_issue_as_waiting_in_the_list(
    world, board_a, raise_on, client_for
):
    raise_on(board_a, "Printer broken.")
    hidden = raise_on(board_a, "Jo Bloggs is never on time for duty.")
    hide_issue(issue=hidden, reason="It named a colleague.", hidden_by=world.team_manager)
    page = client_for(world.team_manager).get(reverse("voice:manage"))
    html = page.content.decode()
    assert page.context["waiting_count"] == 1
    assert html.count("voice-status-new") == 1
    assert "Hidden, so not waiting" in html


def test_it_refuses_to_hide_without_a_reason_in_the_service(world, board_a, raise_on):
    with pytest.raises(ValidationError):
        hide_issue(issue=raise_on(board_a), reason="", hidden_by=world.team_manager)


def test_it_shows_the_board_link_and_qr_code_to_the_team_manager(world, client_for):
    response = client_for(world.team_manager).get(
        reverse("voice:team_link", args=[world.team_a.pk])
    )
    board = VoiceBoard.objects.get(team=world.team_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="http://testserver/voice/b/{board.token}/"' in html
    assert '<svg viewBox="' in html
    assert "style=" not in html
    assert len(board.token) >= 24


def test_it_refuses_a_team_link_for_a_unit_that_is_not_a_team(world, client_for):
    response = client_for(world.org_admin).get(reverse("voice:team_link", args=[world.north.pk]))
    assert response.status_code == 404


def test_it_makes_the_old_link_a_404_after_rotation(world, board_a, raise_on, client_for):
    raise_on(board_a, "Still here after the change.")
    old_path = board_path(board_a)
    manager = client_for(world.team_manager)
    rotate = reverse("voice:rotate", args=[world.team_a.pk])

    asked = manager.post(rotate)
    assert asked.status_code == 200
    assert "Change the voice link for Team A?" in asked.content.decode()
    assert Client().get(old_path).status_code == 200  # nothing changed without confirmation

    done = manager.post(rotate, {"confirm": "yes"})

    assert done.status_code == 302
    board_a.refresh_from_db()
    assert board_a.rotated_at is not None
    gone = Client().get(old_path)
    assert gone.status_code == 404
    assert "Ask your team manager for the new link." in gone.content.decode()
    assert "Still here after the change." in Client().get(board_path(board_a)).content.decode()
    assert manager.get(rotate).status_code == 405  # a change only ever comes from a form


def test_it_gives_the_board_url_for_a_team_for_the_thank_you_page(world, django_assert_num_queries):
    url = board_path_for_team(world.team_a.pk)
    board = VoiceBoard.objects.get(team=world.team_a)
    assert url == f"/voice/b/{board.token}/"  # on the host the survey was answered on
    with django_assert_num_queries(1):
        assert board_path_for_team(world.team_a.pk) == url  # stable: made once
    assert board_path_for_team(world.north.pk) is None
    assert board_path_for_team(987654) is None


def test_it_gives_no_board_url_for_an_archived_team_even_with_a_board(world):
    board_for(world.team_b)
    Unit.objects.filter(pk=world.team_b.pk).update(archived_at=timezone.now())

    assert board_path_for_team(world.team_b.pk) is None


def test_it_refuses_a_board_for_a_unit_that_is_not_a_team(world):
    with pytest.raises(ValidationError):
        board_for(world.north)


# --- reach -------------------------------------------------------------------------------


def test_it_answers_404_to_the_outsider_for_every_voice_page(world, board_a, raise_on, client_for):
    issue = raise_on(board_a)
    outsider = client_for(world.outsider)
    team = world.team_a.pk
    assert outsider.get(issue_path(issue)).status_code == 404
    assert outsider.post(issue_path(issue), {"status": "heard", "answer": "x"}).status_code == 404
    for name in ("voice:escalate", "voice:hide", "voice:unhide"):
        assert outsider.post(issue_path(issue, name), {"reason": "x"}).status_code == 404
    assert outsider.get(reverse("voice:team_link", args=[team])).status_code == 404
    assert outsider.post(reverse("voice:rotate", args=[team]), {"confirm": "yes"}).status_code == (
        404
    )
    listing = outsider.get(reverse("voice:manage")).content.decode()
    assert issue.text not in listing
    assert "Team A" not in listing
    issue.refresh_from_db()
    assert issue.status == VoiceIssue.Status.NEW


def test_it_keeps_team_b_issues_from_team_a_manager(world, raise_on, client_for):
    issue_b = raise_on(board_for(world.team_b), "Team B's printer is broken.")
    issue_a = raise_on(board_for(world.team_a), "Team A's cars are never free.")
    manager = client_for(world.team_manager)

    assert manager.get(issue_path(issue_b)).status_code == 404
    assert manager.post(issue_path(issue_b), {"status": "heard", "answer": "x"}).status_code == 404
    assert manager.get(reverse("voice:team_link", args=[world.team_b.pk])).status_code == 404
    listing = manager.get(reverse("voice:manage")).content.decode()
    assert issue_a.text.replace("'", "&#x27;") in listing
    assert "printer" not in listing
    assert reverse("voice:team_link", args=[world.team_b.pk]) not in listing


def test_it_keeps_locality_south_from_north_leader(world, raise_on, client_for):
    issue_c = raise_on(board_for(world.team_c), "Team C has no duty cover.")
    leader = client_for(world.leader)
    assert leader.get(issue_path(issue_c)).status_code == 404
    assert "Team C has no duty cover." not in leader.get(reverse("voice:manage")).content.decode()


def test_it_filters_the_list_by_status(world, board_a, raise_on, client_for):
    waiting = raise_on(board_a, "Waiting one.")
    done = raise_on(board_a, "Done one.")
    answer_issue(issue=done, status="done", answer="Fixed.", answered_by=world.leader)
    leader = client_for(world.leader)

    html = leader.get(reverse("voice:manage") + "?status=done").content.decode()

    assert done.text in html
    assert waiting.text not in html
    assert leader.get(reverse("voice:manage") + "?status=nonsense").status_code == 404


def test_it_lists_issues_in_a_fixed_number_of_queries(
    world, raise_on, client_for, django_assert_max_num_queries
):
    for team in (world.team_a, world.team_b, world.team_c):
        board = board_for(team)
        for n in range(4):
            issue = raise_on(board, f"Issue {n} for {team.name}")
            escalate_issue(issue=issue, to=world.north if team != world.team_c else world.root)
    admin = client_for(world.org_admin)
    admin.get(reverse("voice:manage"))  # warm up the session
    with django_assert_max_num_queries(12):
        response = admin.get(reverse("voice:manage"))
    assert response.content.decode().count("Issue 0 for") == 3


def test_it_groups_the_manager_s_counts_in_thousands(world, client_for, monkeypatch):
    from django.shortcuts import render as show

    def many(request, template, context):
        if template == "voice/manage.html":
            context = {
                **context,
                "safety_open": 1001,
                "waiting_count": 2345,
                "escalated_count": 1200,
            }
        return show(request, template, context)

    monkeypatch.setattr("voice.views.render", many)
    html = client_for(world.leader).get(reverse("voice:manage")).content.decode()
    assert "<strong>1,001</strong> safety issues still open" in html
    assert "<strong>2,345</strong> waiting for an answer" in html
    assert "<strong>1,200</strong> escalated to you" in html


def test_it_lists_issues_and_voice_links_a_page_at_a_time(world, raise_on, client_for, monkeypatch):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 2)
    for team in (world.team_a, world.team_b, world.team_c):
        raise_on(board_for(team), f"Issue for {team.name}")
    admin = client_for(world.org_admin)

    first = admin.get(reverse("voice:manage")).content.decode()
    second = admin.get(reverse("voice:manage") + "?page=2&links=2").content.decode()

    assert first.count("Issue for Team") == 2
    assert second.count("Issue for Team") == 1
    assert "3 waiting for an answer" in first.replace("<strong>", "").replace("</strong>", "")
    links = [
        f'href="{reverse("voice:team_link", args=[t.pk])}"'
        for t in (world.team_a, world.team_b, world.team_c)
    ]
    assert [link in first for link in links] == [True, True, False]
    assert [link in second for link in links] == [False, False, True]
    assert '?links=2#voice-links"' in first
    assert '?page=2"' in first
    assert '?page=2&amp;links=1#voice-links"' in second
