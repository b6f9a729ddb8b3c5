"""The public side of a voice board: raising, supporting, the safety contact, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.voice.conftest import board_path, raise_path, support_path
from voice.browser import COOKIE_MAX_AGE, COOKIE_NAME, support_hash
from voice.models import VoiceAnswer, VoiceBoard, VoiceIssue, VoiceSupport
from voice.services import hide_issue, support_issue

RAISE_LIMIT = 5
SUPPORT_LIMIT = 12


@pytest.fixture(autouse=True)
def _small_limits(settings) -> None:
    settings.VOICE_RAISE_RATE = f"{RAISE_LIMIT}/h"
    settings.VOICE_SUPPORT_RATE = f"{SUPPORT_LIMIT}/h"


def positions(html: str, *texts: str) -> list[int]:
    found = [html.find(text) for text in texts]
    assert -1 not in found, dict(zip(texts, found, strict=True))
    return found


def test_it_raises_an_issue_from_the_voice_link_without_signing_in(board_a):
    staff = Client()
    response = staff.post(
        raise_path(board_a), {"category": "caseloads", "text": "  Caseloads of 25 each.  "}
    )

    issue = VoiceIssue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{board_path(board_a)}#issue-{issue.pk}"
    assert issue.board == board_a
    assert issue.organisation == board_a.team.organisation
    assert issue.category == "caseloads"
    assert issue.text == "Caseloads of 25 each."
    assert issue.raised_on == timezone.localdate()
    assert issue.status == VoiceIssue.Status.NEW
    # Raising counts as the raiser's support, once.
    assert issue.support_count == 1
    board = staff.get(board_path(board_a)).content.decode()
    assert "Caseloads of 25 each." in board
    assert "Waiting for an answer" in board
    assert "You support this" in board


def test_it_warns_not_to_name_people_on_the_raise_form(board_a):
    html = Client().get(raise_path(board_a)).content.decode()
    assert "Describe the issue for the team. Please do not name or describe individual people." in (
        html
    )
    assert '<legend class="h5">What is the issue about?</legend>' in html
    assert html.count('type="radio" name="category"') == len(VoiceIssue.Category.choices)
    assert 'for="id_text"' in html


def test_it_accepts_1000_characters_and_refuses_1001(board_a):
    staff = Client()
    refused = staff.post(raise_path(board_a), {"category": "other", "text": "x" * 1001})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Keep the issue to 1,000 characters or fewer (it has 1001)." in html
    assert 'href="#id_text"' in html  # the error summary links to the field
    assert not VoiceIssue.objects.exists()

    accepted = staff.post(raise_path(board_a), {"category": "other", "text": "x" * 1000})
    assert accepted.status_code == 302
    assert len(VoiceIssue.objects.get().text) == 1000


def test_it_counts_a_line_break_once_as_the_browser_does(board_a):
    text = ("y" * 99 + "\r\n") * 9 + "y" * 100  # 1,000 characters once CR LF counts as one
    response = Client().post(raise_path(board_a), {"category": "other", "text": text})
    assert response.status_code == 302
    assert len(VoiceIssue.objects.get().text) == 1000


def test_it_asks_for_a_category_and_links_the_error_to_the_choices(board_a):
    response = Client().post(raise_path(board_a), {"text": "Printers never work."})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_category_0">Choose what the issue is about.</a>' in html
    assert 'id="id_category_0"' in html
    assert "Printers never work." in html  # nothing typed is lost
    assert not VoiceIssue.objects.exists()


def test_it_shows_the_safety_contact_before_sending_without_javascript(world, board_a):
    world.organisation.safety_contact = "Ring the Northbrook safety line on 01234 567890."
    world.organisation.save()
    staff = Client()
    data = {"category": "safety", "text": "Lone visits after dark with no check-in."}

    first = staff.post(raise_path(board_a), data)

    html = first.content.decode()
    assert first.status_code == 200
    assert not VoiceIssue.objects.exists()
    assert "Ring the Northbrook safety line on 01234 567890." in html
    assert 'id="safety-first"' in html
    assert '<input type="hidden" name="safety_seen" value="1">' in html
    assert "Send the issue" in html
    assert "Lone visits after dark with no check-in." in html

    second = staff.post(raise_path(board_a), {**data, "safety_seen": "1"})
    assert second.status_code == 302
    assert VoiceIssue.objects.get().category == "safety"


def test_it_sends_other_categories_at_once(board_a):
    response = Client().post(raise_path(board_a), {"category": "systems", "text": "No laptops."})
    assert response.status_code == 302
    assert VoiceIssue.objects.count() == 1


def test_it_places_the_safety_contact_under_the_categories_ready_for_javascript(world, board_a):
    world.organisation.safety_contact = "Call the duty manager on 0300 000 0000."
    world.organisation.save()

    html = Client().get(raise_path(board_a)).content.decode()

    fieldset_end, live_region, contact, text_field = positions(
        html,
        "</fieldset>",
        '<div id="safety-contact" aria-live="polite">',
        "Call the duty manager on 0300 000 0000.",
        'id="id_text"',
    )
    assert fieldset_end < live_region < contact < text_field
    block = re.search(r"<div [^>]*data-voice-safety-block[^>]*>", html)
    assert block is not None
    assert " hidden" in block.group(0)  # until Safety is chosen
    assert re.search(r'value="safety"[^>]*data-voice-safety', html)
    assert '<script src="/static/js/voice.js" defer></script>' in html


@pytest.mark.parametrize("page", ["board", "raise"])
def test_it_has_no_inline_script_or_style_for_the_content_security_policy(board_a, page):
    path = board_path(board_a) if page == "board" else raise_path(board_a)
    html = Client().get(path).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_it_shows_the_safety_contact_again_when_the_form_has_errors(world, board_a):
    world.organisation.safety_contact = "Safety line: 01234 000111."
    world.organisation.save()
    html = Client().post(raise_path(board_a), {"category": "safety"}).content.decode()
    block = re.search(r"<div [^>]*data-voice-safety-block[^>]*>", html)
    assert block is not None
    assert " hidden" not in block.group(0)
    assert "Safety line: 01234 000111." in html
    assert '<input type="hidden" name="safety_seen" value="1">' in html


def test_it_orders_the_board_by_support_then_newest(board_a, raise_on):
    few = raise_on(board_a, "Few support this.")
    most = raise_on(board_a, "Most support this.")
    some = raise_on(board_a, "Some support this.")
    older_tie = raise_on(board_a, "Older tie.")
    newer_tie = raise_on(board_a, "Newer tie.")
    VoiceIssue.objects.filter(pk=older_tie.pk).update(
        raised_on=timezone.localdate() - timedelta(days=3)
    )
    for issue, count in [(few, 1), (most, 5), (some, 3), (older_tie, 2), (newer_tie, 2)]:
        for n in range(count):
            support_issue(issue=issue, browser_secret=f"browser-{n}")

    html = Client().get(board_path(board_a)).content.decode()

    found = positions(
        html, "Most support this.", "Some support this.", "Newer tie.", "Older tie.", "Few support"
    )
    assert found == sorted(found)
    assert "5 people support this" in html
    assert "1 person supports this" in html


def test_it_counts_a_duplicate_support_from_one_browser_once(board_a, raise_on):
    issue = raise_on(board_a)
    browser = Client()

    first = browser.post(support_path(issue))
    second = browser.post(support_path(issue))

    assert first.status_code == second.status_code == 302
    issue.refresh_from_db()
    assert issue.support_count == 1
    assert VoiceSupport.objects.filter(issue=issue).count() == 1
    board = browser.get(board_path(board_a)).content.decode()
    assert "You have already supported this issue. It counts once." in board
    assert "You support this" in board
    assert support_path(issue) not in board  # no second Support button


def test_it_counts_supports_from_two_browsers_twice(board_a, raise_on):
    issue = raise_on(board_a)
    Client().post(support_path(issue))
    Client().post(support_path(issue))
    issue.refresh_from_db()
    assert issue.support_count == 2
    assert VoiceSupport.objects.filter(issue=issue).count() == 2


def test_it_refuses_a_second_support_row_for_the_same_browser_in_the_database(board_a, raise_on):
    """A double click whose two requests race still meets the unique constraint."""
    issue = raise_on(board_a)
    VoiceSupport.objects.create(issue=issue, browser_hash=support_hash(issue.pk, "s"))
    with pytest.raises(IntegrityError), transaction.atomic():
        VoiceSupport.objects.create(issue=issue, browser_hash=support_hash(issue.pk, "s"))
    assert support_issue(issue=issue, browser_secret="s") is False
    issue.refresh_from_db()
    assert issue.support_count == 0  # the service counts only its own successful insert


def test_it_keeps_the_browser_secret_in_a_signed_httponly_cookie_only(board_a, raise_on):
    first_issue = raise_on(board_a, "One.")
    second_issue = raise_on(board_a, "Two.")
    browser = Client()

    response = browser.post(support_path(first_issue))
    browser.post(support_path(second_issue))

    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == COOKIE_MAX_AGE == 60 * 60 * 24 * 365
    secret = cookie.value.split(":")[0]  # the signed value starts with the secret itself
    assert len(secret) >= 40
    stored = set(VoiceSupport.objects.values_list("browser_hash", flat=True))
    assert stored == {support_hash(first_issue.pk, secret), support_hash(second_issue.pk, secret)}
    assert len(stored) == 2  # the same browser leaves unlinkable hashes on different issues
    assert all(secret not in value for value in stored)


def test_it_ignores_a_forged_browser_cookie(board_a, raise_on):
    issue = raise_on(board_a)
    browser = Client()
    browser.cookies[COOKIE_NAME] = "chosen-by-hand"
    browser.post(support_path(issue))
    assert not VoiceSupport.objects.filter(browser_hash=support_hash(issue.pk, "chosen-by-hand"))
    assert VoiceSupport.objects.filter(issue=issue).count() == 1


def test_it_stores_nothing_that_identifies_anyone():
    def names(model) -> set[str]:
        return {field.name for field in model._meta.get_fields()}

    assert names(VoiceSupport) == {"id", "issue", "browser_hash"}
    assert names(VoiceIssue) == {
        "id",
        "board",
        "organisation",  # the board's team's, kept for reading an organisation's issues
        "category",
        "text",
        "raised_on",
        "support_count",
        "status",
        "answer",
        "status_reason",
        "answered_by",
        "answered_on",
        "escalated_to",
        "hidden",
        "hidden_reason",
        "hidden_by",
        "supports",
        "answers",
    }
    # Dates only for staff actions: no time of day anywhere on an issue, answer or support.
    for model in (VoiceIssue, VoiceAnswer, VoiceSupport):
        kinds = {field.get_internal_type() for field in model._meta.concrete_fields}
        assert "DateTimeField" not in kinds
    forbidden = re.compile(r"ip|address|agent|session|user|created|time")
    assert not [name for name in names(VoiceSupport) if forbidden.search(name)]
    assert {name for name in names(VoiceBoard)} == {"id", "team", "token", "rotated_at", "issues"}


def test_it_stores_no_session_for_staff(board_a, raise_on):
    from django.contrib.sessions.models import Session

    issue = raise_on(board_a)
    staff = Client()
    staff.post(raise_path(board_a), {"category": "other", "text": "Parking."})
    staff.post(support_path(issue))
    assert not Session.objects.exists()


def test_it_answers_429_with_a_clear_message_when_raising_too_fast(board_a):
    staff = Client()
    for n in range(RAISE_LIMIT):
        response = staff.post(raise_path(board_a), {"category": "other", "text": f"Issue {n}"})
        assert response.status_code == 302

    refused = staff.post(raise_path(board_a), {"category": "other", "text": "One more."})

    assert refused.status_code == 429
    assert "You have raised several issues in a short time. Please wait an hour" in (
        refused.content.decode()
    )
    assert refused["Retry-After"] == "3600"
    assert VoiceIssue.objects.count() == RAISE_LIMIT
    assert not VoiceIssue.objects.filter(text="One more.").exists()


def test_it_does_not_count_the_safety_step_against_the_limit(board_a):
    staff = Client()
    for _ in range(RAISE_LIMIT + 2):
        response = staff.post(raise_path(board_a), {"category": "safety", "text": "Unsafe."})
        assert response.status_code == 200
    sent = staff.post(raise_path(board_a), {"category": "safety", "text": "Ok", "safety_seen": "1"})
    assert sent.status_code == 302


def test_it_answers_429_with_a_clear_message_when_supporting_too_fast(board_a, raise_on):
    issue = raise_on(board_a)
    for _ in range(SUPPORT_LIMIT):
        assert Client().post(support_path(issue)).status_code == 302  # a new browser each time

    refused = Client().post(support_path(issue))

    assert refused.status_code == 429
    assert "You have supported many issues in a short time. Please wait an hour" in (
        refused.content.decode()
    )
    issue.refresh_from_db()
    assert issue.support_count == SUPPORT_LIMIT


def test_it_shows_the_reason_and_not_the_text_of_a_hidden_issue(world, board_a, raise_on):
    issue = raise_on(board_a, "Jo Bloggs never answers the duty phone.")
    hide_issue(issue=issue, reason="It named a colleague.", hidden_by=world.team_manager)

    html = Client().get(board_path(board_a)).content.decode()

    assert "Hidden by the team manager: It named a colleague." in html
    assert "Jo Bloggs" not in html
    assert support_path(issue) not in html


def test_it_refuses_support_for_a_hidden_issue(world, board_a, raise_on):
    issue = raise_on(board_a, "Names someone.")
    hide_issue(issue=issue, reason="It named someone.", hidden_by=world.team_manager)
    Client().post(support_path(issue))
    issue.refresh_from_db()
    assert issue.support_count == 0


def test_it_shows_a_friendly_404_for_an_unknown_link(db):
    for path in ("/voice/b/not-a-real-token/", "/voice/b/not-a-real-token/raise/"):
        response = Client().get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert "Ask your team manager for the new link." in html
        # The heading says the link has changed; the page does not say it twice over.
        assert html.count("This voice link has changed") == 2  # the title and the heading


def test_it_does_not_support_an_issue_of_another_board(world, raise_on):
    from voice.services import board_for

    other = raise_on(board_for(world.team_b))
    mine = board_for(world.team_a)
    path = f"/voice/b/{mine.token}/issues/{other.pk}/support/"
    assert Client().post(path).status_code == 404
    other.refresh_from_db()
    assert other.support_count == 0


def test_it_closes_the_board_of_an_archived_team(world, board_a):
    from organisations.services import archive_unit

    archive_unit(unit=world.team_a)
    assert Client().get(board_path(board_a)).status_code == 404
    Client().post(raise_path(board_a), {"category": "other", "text": "Late."})
    assert not VoiceIssue.objects.exists()


def test_it_raises_and_supports_on_the_board_in_welsh(board_a):
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    form = staff.get(raise_path(board_a)).content.decode()
    assert "Am beth mae’r mater?" in form
    assert "Systemau a chyfarpar" in form
    refused = staff.post(raise_path(board_a), {"text": "Mae’r argraffwyr wedi torri."})
    assert "Dewiswch am beth mae’r mater." in refused.content.decode()
    staff.post(raise_path(board_a), {"category": "systems", "text": "Mae’r argraffwyr wedi torri."})
    board = staff.get(board_path(board_a)).content.decode()
    assert "Mae eich mater ar y bwrdd." in board
    assert "Yn aros am ateb" in board
    assert "1 person yn cefnogi hyn" in board
    assert "Sut mae’r bwrdd yn gweithio" in board
    assert "How the board works" not in board
    support_issue(issue=VoiceIssue.objects.get(), browser_secret="another browser")
    assert "2 berson yn cefnogi hyn" in staff.get(board_path(board_a)).content.decode()


def test_it_names_the_organisation_in_welsh_on_the_board_and_the_team_s_results(world, board_a):
    world.organisation.name_in_languages = {"cy": "Cyngor Enghraifft"}
    world.organisation.save()
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    results = reverse("team_results_for_staff", kwargs={"token": board_a.token})
    for path in (board_path(board_a), results):
        welsh = staff.get(path).content.decode()
        assert '<p class="text-body-secondary mb-1">Cyngor Enghraifft</p>' in welsh
        english = Client().get(path).content.decode()
        assert '<p class="text-body-secondary mb-1">Example Council</p>' in english


def test_it_shows_the_default_safety_contact_in_welsh_and_an_organisations_own_as_written(
    world, board_a
):
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    form = staff.get(raise_path(board_a)).content.decode()
    assert "ffoniwch 999" in form
    assert "call 999" not in form

    world.organisation.safety_contact = "Ring the Northbrook safety line on 01234 567890."
    world.organisation.save()
    form = staff.get(raise_path(board_a)).content.decode()
    assert "Ring the Northbrook safety line on 01234 567890." in form


def test_it_shows_an_organisation_s_own_welsh_safety_contact_to_staff_reading_in_welsh(
    world, board_a
):
    world.organisation.safety_contact = "Ring the Northbrook safety line on 01234 567890."
    world.organisation.safety_contact_in_languages = {
        "cy": "Ffoniwch linell ddiogelwch Northbrook ar 01234 567890."
    }
    world.organisation.save()
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = staff.get(raise_path(board_a)).content.decode()
    assert "Ffoniwch linell ddiogelwch Northbrook ar 01234 567890." in welsh
    assert "Ring the Northbrook safety line" not in welsh
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    english = staff.get(raise_path(board_a)).content.decode()
    assert "Ring the Northbrook safety line on 01234 567890." in english
    assert "Ffoniwch linell" not in english
