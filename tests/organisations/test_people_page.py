"""The people page of a large organisation: a page of people at a time, and a search."""

from __future__ import annotations

import re

from django.urls import reverse

from organisations.models import Membership, Role
from organisations.services import grant_membership
from tests.factories import make_member

PEOPLE = reverse("organisations:people")


def names_listed(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>([^<]+?)(?: <span|</td>)", html)


def add_managers(world, count: int) -> None:
    for number in range(count):
        make_member(
            world.team_b,
            Role.TEAM_MANAGER,
            display_name=f"Manager {number:02}",
            email=f"manager{number:02}@example.org",
        )


def test_it_lists_people_a_page_at_a_time(world, client_for, monkeypatch):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 10)
    add_managers(world, 12)  # with the world's three: 15
    client = client_for(world.org_admin)

    first = client.get(PEOPLE).content.decode()
    second = client.get(PEOPLE + "?page=2").content.decode()

    assert len(names_listed(first)) == 10
    assert len(names_listed(second)) == 5
    assert set(names_listed(first)).isdisjoint(names_listed(second))
    assert "1 to 10 of 15" in first
    assert "11 to 15 of 15" in second


def test_it_finds_people_by_part_of_their_name_or_e_mail(world, client_for):
    add_managers(world, 12)
    client = client_for(world.org_admin)

    by_name = client.get(PEOPLE + "?q=manager 1").content.decode()
    by_email = client.get(PEOPLE + "?q=MANAGER07@").content.decode()

    assert names_listed(by_name) == [f"Manager {n}" for n in range(10, 12)]
    assert names_listed(by_email) == ["Manager 07"]
    assert "Show all 15 people" in by_name
    assert 'value="manager 1"' in by_name


def test_it_says_when_nobody_matches(world, client_for):
    add_managers(world, 12)
    html = client_for(world.org_admin).get(PEOPLE + "?q=nobody-like-this").content.decode()
    assert "Nobody's name or e-mail contains “nobody-like-this”." in html
    assert names_listed(html) == []


def test_it_offers_the_search_only_to_an_organisation_of_more_than_ten(world, client_for):
    client = client_for(world.org_admin)
    assert 'name="q"' not in client.get(PEOPLE).content.decode()
    add_managers(world, 8)
    assert 'name="q"' in client.get(PEOPLE).content.decode()


def test_it_refuses_a_search_it_cannot_run_and_lists_everyone(world, client_for):
    add_managers(world, 12)
    response = client_for(world.org_admin).get(PEOPLE + "?q=a%00b")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Null characters are not allowed." in html
    assert len(names_listed(html)) == 15


def test_it_counts_people_not_their_roles(world, client_for):
    add_managers(world, 12)
    make_member(world.team_c, Role.TEAM_MANAGER, display_name="Two Roles", email="two@example.org")
    two = Membership.objects.get(user__email="two@example.org").user
    grant_membership(user=two, unit=world.team_a, role=Role.TEAM_MANAGER)
    html = client_for(world.org_admin).get(PEOPLE + "?q=two").content.decode()
    assert names_listed(html) == ["Two Roles", "Two Roles"]
    assert "Show all 16 people" in html


def test_it_pages_people_of_one_name_without_repeating_anyone(world, client_for, monkeypatch):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 4)
    for number in range(9):
        make_member(
            world.team_b, Role.TEAM_MANAGER, display_name="Sam Same", email=f"s{number}@x.org"
        )
    client = client_for(world.org_admin)
    shown = []
    for number in (1, 2, 3):
        html = client.get(f"{PEOPLE}?q=Sam&page={number}").content.decode()
        shown += re.findall(r"<td>(s\d@x\.org)</td>", html)
    assert sorted(shown) == [f"s{n}@x.org" for n in range(9)]


def test_it_says_what_each_empty_field_of_an_invitation_needs(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:people_invite"), {"email": "", "display_name": "", "unit": ""}
    )
    errors = response.context["form"].errors
    assert errors["email"] == ["Give the e-mail address they sign in with."]
    assert errors["display_name"] == ["Give their name, as colleagues will see it."]
    assert errors["role"] == ["Choose the role they will hold."]
    assert errors["unit"] == ["Choose a unit from the list."]
    assert "This field is required." not in response.content.decode()


def test_it_says_what_an_empty_new_unit_needs(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:unit_add", args=[world.north.pk]), {"name": ""}
    )
    errors = response.context["form"].errors
    assert errors["name"] == ["Give the unit a name."]
    assert errors["is_team"] == ["Choose whether it is a team or a unit that contains others."]


def test_it_lets_an_org_admin_give_a_person_their_name_with_their_role(world, client_for):
    """From the walk: accounts from `import_users` are named after their address ("Hello,
    rhian.prys"), and nothing could change that."""
    membership = Membership.objects.get(user=world.team_manager)
    url = reverse("organisations:membership_edit", args=[membership.pk])
    client = client_for(world.org_admin)
    assert client.get(url).context["form"]["display_name"].value() == (
        world.team_manager.display_name
    )

    response = client.post(
        url, {"display_name": "  Rhian   Prys ", "role": Role.TEAM_MANAGER, "unit": world.team_a.pk}
    )

    assert response.status_code == 302
    world.team_manager.refresh_from_db()
    assert world.team_manager.display_name == "Rhian Prys"
    refused = client.post(url, {"display_name": " ", "role": "leader", "unit": world.north.pk})
    assert refused.context["form"].errors["display_name"]
    membership.refresh_from_db()
    assert membership.role == Role.TEAM_MANAGER


def test_it_sends_the_sign_in_link_again_to_someone_who_has_not_signed_in(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    from organisations.services import import_users

    import_users(
        organisation=world.organisation,
        content="email,role,unit_path\nnew.manager@example.org,team_manager,"
        "Children's Services / Locality North / Team B\n",
    )
    membership = Membership.objects.get(user__email="new.manager@example.org")
    client = client_for(world.org_admin)
    listing = client.get(reverse("organisations:people")).content.decode()
    url = reverse("organisations:membership_invite_again", args=[membership.pk])
    assert url in listing
    assert (
        reverse(
            "organisations:membership_invite_again",
            args=[Membership.objects.get(user=world.team_manager).pk],
        )
        not in listing
    )  # has a password already
    assert mailoutbox == []

    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert "We e-mailed new.manager@example.org a link to sign in." in response.content.decode()
    (sent,) = mailoutbox
    assert sent.to == ["new.manager@example.org"]
    assert "/accounts/set-password/" in sent.body


def test_it_limits_how_often_one_person_is_sent_the_sign_in_link_again(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from organisations.services import import_users

    settings.INVITE_AGAIN_RATE = "2/h"
    import_users(
        organisation=world.organisation,
        content="email,role,unit_path\nfirst@example.org,team_manager,"
        "Children's Services / Locality North / Team B\nsecond@example.org,team_manager,"
        "Children's Services / Locality North / Team B\n",
    )
    first, second = (
        reverse("organisations:membership_invite_again", args=[membership.pk])
        for membership in Membership.objects.filter(
            user__email__in=["first@example.org", "second@example.org"]
        ).order_by("user__email")
    )
    client = client_for(world.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            client.post(first)
        refused = client.post(first, follow=True).content.decode()
        client.post(second)

    assert "first@example.org has already been sent several sign-in links recently." in refused
    assert [sent.to for sent in mailoutbox] == [
        ["first@example.org"],
        ["first@example.org"],
        ["second@example.org"],
    ]
