"""The voice board in Chromium on a phone: the safety contact appears at once, with no CSP breach.

Runs with the other browser tests (BROWSER_TESTS=1); skipped otherwise.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.support import Watched, sign_in
from tests.factories import TEST_PASSWORD
from voice.models import VoiceIssue
from voice.services import board_for, raise_issue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("BROWSER_TESTS") != "1",
        reason="browser tests run with BROWSER_TESTS=1 (needs Chromium)",
    ),
]


def test_it_shows_the_safety_contact_as_soon_as_safety_is_chosen_on_a_phone(world, phone: Watched):
    world.organisation.safety_contact = "Ring the safety line on 01234 567890."
    world.organisation.save()
    board = board_for(world.team_a)
    page = phone.page

    phone.go(f"/voice/b/{board.token}/raise/")
    contact = page.get_by_text("Ring the safety line on 01234 567890.")
    assert not contact.is_visible()
    phone.check("voice raise form")

    page.get_by_label("Safety").check()
    assert contact.is_visible()
    page.get_by_label("The issue").fill("Home visits after dark are done alone.")
    phone.check("voice raise form with the safety contact")
    with page.expect_navigation():
        page.get_by_role("button", name="Put it on the board").click()

    # The contact was on screen, so the issue went straight on the board.
    issue = VoiceIssue.objects.get()
    assert issue.category == "safety"
    assert "Home visits after dark are done alone." in page.content()
    assert page.get_by_text("You support this").is_visible()
    phone.check("voice board")


def test_it_hides_the_safety_contact_again_when_another_category_is_chosen(world, phone: Watched):
    board = board_for(world.team_a)
    phone.go(f"/voice/b/{board.token}/raise/")
    page = phone.page
    block = page.locator("[data-voice-safety-block]")
    page.get_by_label("Safety").check()
    assert block.is_visible()
    page.get_by_label("Caseloads").check()
    assert not block.is_visible()
    phone.assert_no_csp_violations()


def test_it_lets_a_team_manager_answer_and_share_the_link_with_accessible_pages(
    world, desktop: Watched
):
    board = board_for(world.team_a)
    issue = raise_issue(board=board, category="systems", text="Laptops take 15 minutes to start.")
    sign_in(desktop, world.team_manager.email, TEST_PASSWORD)
    page = desktop.page

    desktop.go("/voice/")
    desktop.check("voice manage")
    with page.expect_navigation():
        page.get_by_role("link", name="Systems and equipment: Laptops take 15 minutes").click()
    desktop.check("voice issue")
    page.get_by_label("In progress").check()
    page.get_by_label("Answer to the team").fill("Eight new laptops arrive next month.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the answer").click()
    issue.refresh_from_db()
    assert issue.status == "in_progress"

    desktop.go(f"/voice/teams/{world.team_a.pk}/link/")
    desktop.check("voice team link")
    desktop.go(f"/voice/b/{board.token}/")
    assert page.get_by_text("Eight new laptops arrive next month.").is_visible()
    desktop.check("voice board answered")


def test_it_keeps_an_issue_written_without_spaces_inside_the_managers_table(
    world, desktop: Watched
):
    # A pasted link or a long run of characters has no place to wrap: it must not widen the
    # table so far that the status column is scrolled out of sight.
    board = board_for(world.team_a)
    raise_issue(board=board, category="systems", text="https://example.org/" + "x" * 300)
    sign_in(desktop, world.team_manager.email, TEST_PASSWORD)
    desktop.go("/voice/")
    widths = desktop.page.evaluate(
        "() => { const box = document.querySelector('main .table-responsive');"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert widths[0] <= widths[1]
    assert desktop.page.get_by_text("Waiting for an answer").first.is_visible()
