"""The unit finder in Chromium: Enter in its box finds units, Enter elsewhere sends the form."""

from __future__ import annotations

from typing import Any

import pytest

from organisations.models import Membership, Role
from tests.browser.support import Watched, sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def press_and_follow(watched: Watched, selector: str) -> None:
    with watched.page.expect_navigation():
        watched.page.press(selector, "Enter")
    watched.page.wait_for_load_state("load")


def listed(watched: Watched) -> list[str]:
    return [
        text.strip()
        for text in watched.page.eval_on_selector_all(
            "#id_unit option", "options => options.map(o => o.textContent)"
        )
    ]


def start_an_invitation(world, desktop: Watched, monkeypatch) -> Any:
    """An org admin of an organisation too large to list whole, on the invitation form with a
    new team manager's address and name typed in; the page."""
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 4)
    sign_in(desktop, world.org_admin.email, TEST_PASSWORD)
    page = desktop.page
    desktop.go("/organisation/people/invite/")
    page.fill("#id_email", "new.person@example.org")
    page.fill("#id_display_name", "New Person")
    page.get_by_label("Team manager").check()
    return page


def test_it_finds_a_team_with_enter_and_sends_the_invitation_with_enter(
    world, desktop, monkeypatch
):
    page = start_an_invitation(world, desktop, monkeypatch)
    assert "Children's Services / Locality South" in listed(desktop)
    assert not any("Team C" in text for text in listed(desktop))

    page.fill("#id_unit_find", "team c")
    press_and_follow(desktop, "#id_unit_find")

    assert page.input_value("#id_email") == "new.person@example.org"
    assert "Children's Services / Locality South / Team C (team)" in listed(desktop)
    assert "One unit has “team c” in its name: it is chosen in the list." in page.inner_text("main")
    assert page.input_value("#id_unit") == str(world.team_c.pk)
    assert page.evaluate("document.activeElement.id") == "id_unit"  # the units found
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()
    desktop.check("unit-finder-invite")

    press_and_follow(desktop, "#id_display_name")

    membership = Membership.objects.get(user__email="new.person@example.org")
    assert (membership.unit, membership.role) == (world.team_c, Role.TEAM_MANAGER)
    assert page.url.endswith("/organisation/people/")


def test_it_finds_a_unit_to_set_thresholds_for_and_shows_it(world, desktop, monkeypatch):
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 4)
    sign_in(desktop, world.org_admin.email, TEST_PASSWORD)
    page = desktop.page
    desktop.go("/cycles/figure-thresholds/")
    assert not any("Team B" in text for text in listed(desktop))

    page.fill("#id_unit_find", "team b")
    press_and_follow(desktop, "#id_unit_find")

    assert page.input_value("#id_unit") == str(world.team_b.pk)
    assert "Thresholds for structural figures: Team B" in page.inner_text("h1")
    desktop.check("unit-finder-thresholds")


def test_it_finds_rather_than_sends_when_words_were_typed_and_not_looked_for(
    world, desktop, monkeypatch
):
    page = start_an_invitation(world, desktop, monkeypatch)
    page.fill("#id_unit_find", "team c")

    press_and_follow(desktop, "#id_display_name")

    assert not Membership.objects.filter(user__email="new.person@example.org").exists()
    assert page.input_value("#id_unit") == str(world.team_c.pk)
    assert page.input_value("#id_email") == "new.person@example.org"
