"""Answers say who answered by role and unit (never a name on the board), read newest first,
carry coloured statuses with words, and safety issues are flagged for the people who answer."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from organisations.models import Role
from organisations.services import grant_membership
from tests.factories import make_member
from tests.test_colours import contrast
from tests.voice.conftest import board_path
from voice.models import VoiceAnswer, VoiceIssue
from voice.services import answer_issue, answering_role, board_for, escalate_issue

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "sword.css").read_text()


def test_it_says_which_role_and_unit_answered_and_never_the_name(world, board_a, raise_on):
    issue = raise_on(board_a)
    answer_issue(issue=issue, status="heard", answer="We hear you.", answered_by=world.team_manager)
    board = Client().get(board_path(board_a)).content.decode()
    assert "Team manager, Team A" in board
    assert world.team_manager.display_name not in board
    answer = VoiceAnswer.objects.get()
    assert (answer.role, answer.unit, answer.answered_by) == (
        Role.TEAM_MANAGER,
        world.team_a,
        world.team_manager,
    )


def test_it_names_the_role_held_nearest_the_team(world, board_a, raise_on):
    both = make_member(world.root, Role.ORG_ADMIN)
    grant_membership(user=both, unit=world.north, role=Role.LEADER)
    issue = raise_on(board_a)
    role = answering_role(user=both, issue=issue)
    assert role is not None
    assert (role.role, role.unit) == (Role.LEADER, world.north)


def test_it_names_the_unit_an_issue_was_escalated_to_for_a_leader_reached_that_way(world, raise_on):
    south_leader = make_member(world.units["Locality South"], Role.LEADER)
    services = world.units["Children's Services"]
    head = make_member(services, Role.LEADER)
    issue = raise_on(board_for(world.team_c))
    escalate_issue(issue=issue, to=services)
    answer_issue(issue=issue, status="in_progress", answer="Funding asked.", answered_by=head)
    assert VoiceAnswer.objects.get().answered_as == "Leader, Children's Services"
    with translation.override("cy"):  # the team reads it in its language
        assert VoiceAnswer.objects.get().answered_as == "Arweinydd, Children's Services"
    role = answering_role(user=south_leader, issue=issue)
    assert role is not None
    assert role.unit == world.units["Locality South"]


def test_it_keeps_every_answer_and_shows_them_newest_first(world, board_a, raise_on):
    issue = raise_on(board_a)
    answer_issue(issue=issue, status="heard", answer="First: heard.", answered_by=world.leader)
    VoiceAnswer.objects.update(answered_on=timezone.localdate() - timedelta(days=5))
    answer_issue(issue=issue, status="done", answer="Second: done.", answered_by=world.leader)
    board = Client().get(board_path(board_a)).content.decode()
    assert board.index("Second: done.") < board.index("First: heard.")
    assert "Leader, Locality North" in board
    issue.refresh_from_db()
    assert (issue.status, issue.answer) == ("done", "Second: done.")


def test_it_shows_the_answerer_s_name_to_signed_in_leaders_only(
    world, board_a, raise_on, client_for
):
    issue = raise_on(board_a)
    answer_issue(issue=issue, status="heard", answer="Heard.", answered_by=world.team_manager)
    page = client_for(world.leader).get(reverse("voice:issue", args=[issue.pk])).content.decode()
    assert "Team manager, Team A" in page
    assert world.team_manager.display_name in page


def test_it_reads_the_board_s_answers_in_a_fixed_number_of_queries(
    world, board_a, raise_on, django_assert_max_num_queries
):
    for number in range(6):
        issue = raise_on(board_a, text=f"Issue {number}")
        answer_issue(issue=issue, status="heard", answer="Heard.", answered_by=world.leader)
        answer_issue(issue=issue, status="done", answer="Done.", answered_by=world.leader)
    client = Client()
    with django_assert_max_num_queries(6):
        client.get(board_path(board_a))


def _status_colours() -> dict[str, tuple[str, str]]:
    found = re.findall(
        r"\.voice-status-(\w+) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", CSS
    )
    return {status: (background, text) for status, background, text in found}


@pytest.mark.parametrize("status", ["new", "heard", "in_progress", "done", "not_possible"])
def test_it_colours_each_status_with_aa_contrast(status):
    background, text = _status_colours()[status]
    assert contrast(background, text) >= 4.5


def test_it_shows_each_status_in_words_and_a_symbol_as_well_as_a_colour(world, board_a, raise_on):
    issue = raise_on(board_a)
    answer_issue(
        issue=issue,
        status="not_possible",
        answer="No.",
        status_reason="No budget.",
        answered_by=world.leader,
    )
    board = Client().get(board_path(board_a)).content.decode()
    assert re.search(
        r'voice-status-not_possible"><span aria-hidden="true"[^>]*>✕</span> Not possible', board
    )


def test_it_flags_safety_issues_for_the_people_who_answer(world, board_a, raise_on, client_for):
    safety = raise_on(board_a, text="Lone visits with no check-in.", category="safety")
    raise_on(board_a, text="Printer broken.", category="systems")
    client = client_for(world.team_manager)
    listing = client.get(reverse("voice:manage")).content.decode()
    assert "1</strong> safety issue still open" in listing
    assert listing.count("voice-safety-badge") == 1
    # The badge names the category once; the link gives the issue's words.
    assert ">Lone visits with no check-in.</a>" in listing
    assert "Safety: Lone visits" not in listing
    assert ">Systems and equipment: Printer broken.</a>" in listing
    only = client.get(reverse("voice:manage") + "?category=safety").context["rows"]
    assert [row["issue"] for row in only] == [safety]
    page = client.get(reverse("voice:issue", args=[safety.pk])).content.decode()
    assert "Safety issue" in page
    assert world.organisation.safety_contact[:40] in page
    home = client_for(world.leader).get(reverse("home")).content.decode()
    assert "Open safety issues" in home
    assert "Lone visits with no check-in." in home


def test_it_offers_a_new_answer_once_an_issue_is_answered(world, board_a, raise_on, client_for):
    issue = raise_on(board_a, text="Printer broken.", category="systems")
    client = client_for(world.team_manager)
    before = client.get(reverse("voice:issue", args=[issue.pk])).content.decode()
    assert "Answer the team" in before
    assert "Post a new answer" not in before
    answer_issue(
        issue=issue, status="heard", answer="We have asked IT.", answered_by=world.team_manager
    )
    after = client.get(reverse("voice:issue", args=[issue.pk])).content.decode()
    assert "Post a new answer" in after
    assert "The board keeps every answer, newest first" in after


def test_it_stops_flagging_a_safety_issue_once_it_is_done(world, board_a, raise_on, client_for):
    safety = raise_on(board_a, text="Lone visits with no check-in.", category="safety")
    answer_issue(
        issue=safety, status="done", answer="Buddy system in place.", answered_by=world.leader
    )
    listing = client_for(world.leader).get(reverse("voice:manage")).content.decode()
    assert "safety issue still open" not in listing
    assert (
        "Open safety issues" not in client_for(world.leader).get(reverse("home")).content.decode()
    )


def test_it_does_not_say_nothing_waits_beside_an_open_safety_issue(
    world, board_a, raise_on, client_for
):
    safety = raise_on(board_a, text="Lone visits with no check-in.", category="safety")
    answer_issue(issue=safety, status="heard", answer="Looking at it.", answered_by=world.leader)
    home = client_for(world.leader).get(reverse("home")).content.decode()
    assert "Lone visits with no check-in." in home
    assert "No issue raised by staff is waiting for an answer." not in home
    assert "Besides these, no issue raised by staff is waiting for an answer." in home


def test_it_refuses_an_unknown_category_filter(world, client_for):
    assert client_for(world.leader).get(reverse("voice:manage") + "?category=x").status_code == 404


def test_it_turns_each_answer_given_before_answers_were_kept_into_the_first_answer(
    world, board_a, raise_on
):
    migration = importlib.import_module("voice.migrations.0002_answers_with_role")
    answered = raise_on(board_a, text="Answered before.")
    VoiceIssue.objects.filter(pk=answered.pk).update(
        status="done",
        answer="Fixed.",
        answered_by=world.team_manager,
        answered_on=timezone.localdate(),
    )
    raise_on(board_a, text="Never answered.")
    migration.backfill(apps, None)
    (answer,) = VoiceAnswer.objects.all()
    assert (answer.issue_id, answer.status, answer.text, answer.answered_as) == (
        answered.pk,
        "done",
        "Fixed.",
        "Team manager, Team A",
    )


def test_it_shows_the_safety_contact_in_every_language_staff_may_have_read_it_in(
    world, board_a, raise_on, client_for
):
    """From the walk: a safety issue raised by someone reading in Welsh said the raiser was
    shown the English text. Which language they read is never stored, so the page gives each."""
    from html import unescape

    world.organisation.safety_contact = "Ring the Northbrook safety line on 01234 567890."
    world.organisation.safety_contact_in_languages = {"cy": "Ffoniwch linell Northbrook."}
    world.organisation.survey_languages = ["cy"]
    world.organisation.save()
    safety = raise_on(board_a, text="Lone visits with no check-in.", category="safety")

    page = client_for(world.team_manager).get(reverse("voice:issue", args=[safety.pk]))

    text = unescape(page.content.decode())
    assert "in the language they read the board in (which is not recorded)" in text
    assert "English:</span> “Ring the Northbrook safety line on 01234 567890.”" in text
    assert "Cymraeg:</span> “Ffoniwch linell Northbrook.”" in text
    assert "The raiser was shown: “" not in text


def test_it_names_one_safety_contact_where_every_language_shows_the_same(world):
    world.organisation.safety_contact = "Ring the Northbrook safety line."
    world.organisation.survey_languages = ["cy"]
    assert world.organisation.safety_contacts_shown() == [
        ("English / Cymraeg", "Ring the Northbrook safety line.")
    ]
