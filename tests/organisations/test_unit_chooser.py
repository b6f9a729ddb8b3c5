"""Choosing a unit in a large organisation: the list holds the top levels and what a search by
name finds, not every unit (a council of 3,000 teams sent 3,300 options with every form)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Cycle
from diagnostics.services import set_unit_thresholds
from diagnostics.structural import FIGURES, Thresholds
from organisations.models import Membership, Role, Unit
from organisations.selectors import units_to_offer

INVITE = reverse("organisations:people_invite")
THRESHOLDS = reverse("diagnostics:thresholds")
NEW_CYCLE = reverse("diagnostics:cycle_create")


@pytest.fixture
def small_lists(monkeypatch):
    """Lists of at most four units, so the world's seven are a large organisation."""
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 4)
    monkeypatch.setattr("organisations.selectors.UNITS_FOUND_MAX", 2)


def options_of(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no list named {name}"
    texts = re.findall(r"<option[^>]*>([^<]*)</option>", select[1])
    return [unescape(text.strip()) for text in texts if text != "---------"]


def invitation(unit: Unit, **more: str) -> dict[str, str]:
    """A complete invitation of a new team manager to `unit`, and anything `more`."""
    return {
        "email": "new.person@example.org",
        "display_name": "New Person",
        "role": Role.TEAM_MANAGER,
        "unit": str(unit.pk),
        **more,
    }


def names(units: list[Unit]) -> list[str]:
    return [unit.name for unit in units]


def active_units(world) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation=world.organisation).active()


def test_it_offers_every_unit_while_there_are_few(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        offer = units_to_offer(candidates=active_units(world), find="team")

    assert len(offer.units) == offer.total == 7
    assert not offer.narrowed
    assert offer.find == ""  # a short list is not searched


def test_it_offers_the_top_levels_of_a_large_organisation(world, small_lists):
    offer = units_to_offer(candidates=active_units(world))

    assert names(offer.units) == [
        "Example Council",
        "Children's Services",
        "Locality North",
        "Locality South",
    ]
    assert offer.total == 7
    assert offer.narrowed


def test_it_offers_the_first_units_of_a_level_too_large_to_list_whole(world, monkeypatch):
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 2)
    teams = Unit.objects.filter(organisation=world.organisation, is_team=True)

    offer = units_to_offer(candidates=teams)

    assert names(offer.units) == ["Team A", "Team B"]
    assert offer.total == 3
    with_chosen = units_to_offer(candidates=teams, chosen=world.team_c.pk)
    assert names(with_chosen.units) == ["Team A", "Team B", "Team C"]


def test_it_finds_units_by_part_of_their_name_in_any_case(world, small_lists):
    offer = units_to_offer(candidates=active_units(world), find="  locality   ")

    assert names(offer.units) == ["Locality North", "Locality South"]
    assert (offer.find, offer.found, offer.found_listed) == ("locality", 2, 2)


def test_it_looks_at_the_first_200_characters_of_a_search(world, small_lists):
    offer = units_to_offer(candidates=active_units(world), find="team" + " " * 196 + "nowhere")

    assert offer.find == "team"
    assert offer.found == 3


def test_it_lists_only_the_first_units_found_and_counts_the_rest(world, small_lists):
    offer = units_to_offer(candidates=active_units(world), find="TEAM")

    assert names(offer.units) == ["Team A", "Team B"]
    assert (offer.found, offer.found_listed) == (3, 2)


def test_it_keeps_the_unit_already_chosen_in_the_list(world, small_lists):
    offer = units_to_offer(candidates=active_units(world), find="locality", chosen=world.team_c.pk)

    assert names(offer.units) == ["Locality North", "Locality South", "Team C"]


def test_it_chooses_the_first_unit_found_unless_the_chosen_one_was_found(world, small_lists):
    candidates = active_units(world)

    elsewhere = units_to_offer(candidates=candidates, find="team", chosen=world.root.pk)
    among = units_to_offer(candidates=candidates, find="team", chosen=world.team_b.pk)
    none = units_to_offer(candidates=candidates, find="nowhere", chosen=world.root.pk)
    no_search = units_to_offer(candidates=candidates, chosen=world.team_c.pk)

    assert elsewhere.selected == world.team_a.pk
    assert among.selected == world.team_b.pk
    assert (none.selected, no_search.selected) == (world.root.pk, world.team_c.pk)


def test_it_does_not_offer_a_chosen_unit_outside_the_candidates(world, small_lists):
    other_team = world.other_units["Other Team"]

    offer = units_to_offer(candidates=active_units(world), find="team", chosen=other_team.pk)

    assert "Other Team" not in names(offer.units)


def test_it_reads_a_fixed_number_of_queries(world, small_lists, django_assert_num_queries):
    with django_assert_num_queries(2):
        units_to_offer(candidates=active_units(world), find="team", chosen=world.root.pk)
    with django_assert_num_queries(2):
        units_to_offer(candidates=active_units(world), chosen=world.team_c.pk)


def test_it_lists_every_unit_on_the_form_of_a_small_organisation(world, client_for):
    html = client_for(world.org_admin).get(INVITE).content.decode()

    assert len(options_of(html, "unit")) == 7
    assert "Find a unit by name" not in html


def test_it_lists_the_top_levels_and_a_search_on_the_form_of_a_large_one(
    world, client_for, small_lists
):
    html = client_for(world.org_admin).get(INVITE).content.decode()

    assert options_of(html, "unit") == [
        "Example Council",
        "Children's Services",
        "Children's Services / Locality North",
        "Children's Services / Locality South",
    ]
    assert "There are 7 units to choose from" in html
    assert 'name="find_units_words"' in html
    (select,) = re.findall(r'<select name="unit"[^>]*>', html)
    assert 'aria-describedby="id_unit_offer"' in select  # the list says it holds part
    assert 'id="id_unit_offer"' in html


def test_it_finds_units_without_losing_or_judging_what_was_typed(world, client_for, small_lists):
    response = client_for(world.org_admin).post(
        INVITE, invitation(world.root, find_units_words="team", find_units="1")
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert options_of(html, "unit") == [
        "Example Council",
        "Children's Services / Locality North / Team A (team)",
        "Children's Services / Locality North / Team B (team)",
    ]
    assert "3 units have “team” in their name: the list holds the first 2." in html
    assert re.search(rf'<option value="{world.team_a.pk}" selected>', html)
    assert 'value="new.person@example.org"' in html
    assert 'value="New Person"' in html
    assert 'value="team"' in html
    assert "invalid-feedback" not in html
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()


def test_it_says_when_no_unit_has_the_words(world, client_for, small_lists):
    html = (
        client_for(world.org_admin)
        .post(INVITE, {"find_units_words": "nowhere", "find_units": "1"})
        .content.decode()
    )

    assert "No unit has “nowhere” in its name" in html


def test_it_accepts_a_unit_in_reach_that_the_list_does_not_show(world, client_for, small_lists):
    response = client_for(world.org_admin).post(INVITE, invitation(world.team_c))

    assert response.status_code == 302
    assert Membership.objects.get(user__email="new.person@example.org").unit == world.team_c


def test_it_refuses_a_unit_of_another_organisation(world, client_for, small_lists):
    response = client_for(world.org_admin).post(INVITE, invitation(world.other_units["Other Team"]))

    assert response.status_code == 404
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()


def test_it_keeps_a_roles_place_listed_when_changing_it(world, client_for, small_lists):
    membership = Membership.objects.get(user=world.team_manager)
    url = reverse("organisations:membership_edit", args=[membership.pk])

    html = client_for(world.org_admin).get(url).content.decode()

    assert options_of(html, "unit") == [
        "Example Council",
        "Children's Services",
        "Children's Services / Locality North",
        "Children's Services / Locality North / Team A (team)",
        "Children's Services / Locality South",
    ]
    assert re.search(rf'<option value="{world.team_a.pk}" selected>', html)


def test_it_finds_a_new_parent_when_moving_a_unit(world, client_for, monkeypatch):
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 2)
    url = reverse("units:move", args=[world.team_c.pk])
    client = client_for(world.org_admin)

    before = options_of(client.get(url).content.decode(), "new_parent")
    found = client.post(url, {"find_units_words": "north", "find_units": "1"})

    assert before == ["Example Council", "Children's Services"]
    assert options_of(found.content.decode(), "new_parent") == [
        "Children's Services / Locality North"
    ]
    world.team_c.refresh_from_db()
    assert world.team_c.path.startswith(world.units["Locality South"].path)


def test_it_finds_a_leaders_units_only_within_their_reach(world, client_for, monkeypatch):
    monkeypatch.setattr("organisations.selectors.UNITS_LISTED_MAX", 2)  # North holds three
    client = client_for(world.leader)

    found = client.post(NEW_CYCLE, {"find_units_words": "team", "find_units": "1"})

    assert options_of(found.content.decode(), "unit") == [
        "Children's Services / Locality North / Team A (team)",
        "Children's Services / Locality North / Team B (team)",
    ]
    assert not Cycle.objects.exists()


def test_it_finds_where_to_set_thresholds(world, client_for, small_lists):
    set_unit_thresholds(
        unit=world.team_b, values={FIGURES[0].code: Thresholds(Decimal(15), Decimal(22))}
    )
    client = client_for(world.org_admin)

    top = client.get(THRESHOLDS).content.decode()
    response = client.get(THRESHOLDS, {"find_units_words": "team b"}, follow=True)
    found = response.content.decode()

    assert options_of(top, "unit")[1:] == [
        "Children's Services",
        "Children's Services / Locality North",
        "Children's Services / Locality South",
    ]
    assert options_of(found, "unit")[1:] == [
        "Children's Services / Locality North / Team B (own thresholds)"
    ]
    # Find goes to the unit found, so the thresholds shown and saved are the one chosen's.
    assert response.redirect_chain == [
        (f"{THRESHOLDS}?unit={world.team_b.pk}&find_units_words=team+b", 302)
    ]
    assert "Thresholds for structural figures: Team B" in found


def test_it_stays_on_the_unit_shown_when_it_is_among_those_found(world, client_for, small_lists):
    response = client_for(world.org_admin).get(
        THRESHOLDS, {"unit": world.team_b.pk, "find_units_words": "team"}
    )

    assert response.status_code == 200
    assert re.search(rf'<option value="{world.team_b.pk}" selected>', response.content.decode())


def test_it_finds_nothing_rather_than_failing_on_a_nul_character(world, client_for, small_lists):
    client = client_for(world.org_admin)

    shown = client.get(THRESHOLDS, {"find_units_words": "team\x00"}, follow=True)
    posted = client.post(INVITE, {"find_units_words": "\x00", "find_units": "1"})

    assert shown.status_code == posted.status_code == 200
    assert "Thresholds for structural figures: Team A" in shown.content.decode()
    assert "There are 7 units to choose from" in posted.content.decode()


def test_it_says_when_the_role_being_changed_is_at_an_archived_unit(world, client_for):
    membership = Membership.objects.get(user=world.team_manager)
    url = reverse("organisations:membership_edit", args=[membership.pk])
    client = client_for(world.org_admin)
    before = client.get(url).content.decode()
    Unit.objects.filter(pk=world.team_a.pk).update(archived_at=timezone.now())

    html = client.get(url).content.decode()

    assert "which is archived" not in before
    assert "Their role is at Team A, which is archived." in unescape(html)
    assert f'value="{world.team_a.pk}"' not in html
