"""The structure page: the whole tree of a small organisation; a large one a few levels at a
time, each unit cut off linking to its own part of the structure."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from organisations.models import Role, Unit
from organisations.selectors import structure_rows
from organisations.services import add_unit, grant_membership

STRUCTURE = reverse("organisations:structure")


def names_listed(html: str) -> list[str]:
    return [unescape(name) for name in re.findall(r"</span>\s*<strong>([^<]+)</strong>", html)]


def test_it_shows_a_small_organisation_whole(world, client_for):
    html = client_for(world.org_admin).get(STRUCTURE).content.decode()
    assert names_listed(html) == [
        "Example Council",
        "Children's Services",
        "Locality North",
        "Team A",
        "Team B",
        "Locality South",
        "Team C",
    ]
    assert "units inside" not in html


def test_it_shows_a_large_one_down_to_the_level_that_fits(world, client_for, monkeypatch):
    monkeypatch.setattr("organisations.views.STRUCTURE_UNITS_SHOWN", 3)
    html = client_for(world.org_admin).get(STRUCTURE).content.decode()
    services = world.units["Children's Services"]

    assert names_listed(html) == ["Example Council", "Children's Services"]
    assert f'href="{STRUCTURE}?unit={services.pk}">Show the 5 units inside' in html


def test_it_shows_one_unit_s_part_of_the_structure_below_the_way_to_it(world, client_for):
    html = client_for(world.org_admin).get(f"{STRUCTURE}?unit={world.north.pk}").content.decode()
    services = world.units["Children's Services"]

    assert names_listed(html) == ["Locality North", "Team A", "Team B"]
    assert f'<a href="{STRUCTURE}">Example Council</a>' in html
    assert f'<a href="{STRUCTURE}?unit={services.pk}">Children&#x27;s Services</a>' in html


def test_it_refuses_a_unit_outside_the_organisation_or_no_unit_at_all(world, client_for):
    client = client_for(world.org_admin)
    outside = Unit.objects.get(organisation=world.outsider.memberships.get().organisation, depth=1)
    assert client.get(f"{STRUCTURE}?unit={outside.pk}").status_code == 404
    assert client.get(f"{STRUCTURE}?unit=nonsense").status_code == 404


def test_it_always_shows_a_unit_s_own_children_however_many(world):
    rows = structure_rows(world.root, limit=1)
    assert [(row.depth, row.unit.name, row.hidden_below) for row in rows] == [
        (0, "Example Council", 0),
        (1, "Children's Services", 5),
    ]
    team = structure_rows(world.team_a, limit=1)
    assert [(row.depth, row.unit.name, row.hidden_below) for row in team] == [(0, "Team A", 0)]


def test_it_shows_a_unit_with_more_children_than_fit_a_page_of_them_at_a_time(
    world, client_for, monkeypatch
):
    monkeypatch.setattr("organisations.views.STRUCTURE_UNITS_SHOWN", 1)
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 1)
    client = client_for(world.org_admin)
    url = f"{STRUCTURE}?unit={world.north.pk}"

    first = client.get(url).content.decode()
    second = client.get(url + "&page=2").content.decode()

    assert names_listed(first) == ["Locality North", "Team A"]
    assert names_listed(second) == ["Locality North", "Team B"]
    assert "Page 1 of 2" in first


def test_it_never_splits_a_structure_that_fits_across_pages(world, client_for, monkeypatch):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 1)
    html = client_for(world.org_admin).get(f"{STRUCTURE}?unit={world.north.pk}").content.decode()
    assert names_listed(html) == ["Locality North", "Team A", "Team B"]
    assert "Page 1 of" not in html


def test_it_says_before_archiving_which_open_cycles_and_roles_the_unit_keeps(
    world, client_for, make_cycle
):
    make_cycle(unit=world.north, name="Autumn check")
    make_cycle(unit=world.team_a, name="Winter check", opened=False)
    grant_membership(user=world.leader, unit=world.team_b, role=Role.TEAM_MANAGER)
    page = client_for(world.org_admin).get(
        reverse("organisations:unit_archive", args=[world.north.pk])
    )
    text = page.content.decode()
    assert "open or yet to open, which go on as they are: Autumn check, Winter check." in text
    # The leader of Locality North (who also manages Team B) and Team A's manager.
    assert "2 people hold roles here and keep them" in text
    quiet = client_for(world.org_admin).get(
        reverse("organisations:unit_archive", args=[world.team_c.pk])
    )
    assert "yet to open" not in quiet.content.decode()
    assert "here and keep" not in quiet.content.decode()


def test_it_says_a_unit_with_data_cannot_be_deleted_and_offers_to_archive_it(world, client_for):
    client = client_for(world.org_admin)
    page = client.get(reverse("organisations:unit_delete", args=[world.north.pk])).content
    text = page.decode()
    assert "Locality North cannot be deleted</h1>" in text
    assert "so it cannot be deleted. You can archive it instead." in text
    archive = reverse("organisations:unit_archive", args=[world.north.pk])
    assert f'href="{archive}">Archive it instead</a>' in text
    assert "btn-danger" not in text


def test_it_asks_before_deleting_a_unit_that_never_held_data(world, client_for):
    client = client_for(world.org_admin)
    empty = add_unit(parent=world.north, name="Never used", is_team=True)
    text = client.get(reverse("organisations:unit_delete", args=[empty.pk])).content.decode()
    assert "Delete Never used?</h1>" in text
    assert "Deleting it removes it for good.</p>" in text
    assert "<ul>" not in text
    assert "Archive it instead" not in text
    assert '<button type="submit" class="btn btn-danger">Delete</button>' in text


def test_it_names_every_empty_unit_that_goes_with_a_deleted_one(world, client_for):
    empty = add_unit(parent=world.north, name="Never used", is_team=False)
    below = add_unit(parent=empty, name="Service X", is_team=False)
    add_unit(parent=below, name="Team X1", is_team=True)
    add_unit(parent=empty, name="Team Y", is_team=True)

    text = (
        client_for(world.org_admin)
        .get(reverse("organisations:unit_delete", args=[empty.pk]))
        .content.decode()
    )

    assert "removes it and the 3 empty units inside it for good:</p>" in text
    assert "<ul><li>Service X</li><li>Service X / Team X1</li><li>Team Y</li></ul>" in text
