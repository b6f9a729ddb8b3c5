"""The invite form starts from the team's headcount, recorded with its structural figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import StructuralFigures
from diagnostics.selectors import recorded_headcount
from diagnostics.services import issue_invites
from diagnostics.structural_data import save_figures


def _invite_form(client, cycle, team):
    return client.get(reverse("diagnostics:invites_new", args=[cycle.pk, team.pk])).context["form"]


def test_it_defaults_the_invite_count_to_the_recorded_headcount(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.team_a)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 6}, user=None)
    form = _invite_form(client_for(world.team_manager), cycle, world.team_a)
    assert form["count"].value() == 6
    assert "Team A has 6 people" in form.fields["count"].help_text
    assert "structural figures for this cycle" in form.fields["count"].help_text


def test_it_uses_the_latest_earlier_cycle_s_headcount_when_this_one_has_none(
    world, make_cycle, respond, client_for
):
    """The headcount of the latest full diagnostic that closed before this cycle opened and that
    the team answered: the one the disclosure engine bounds the team's responses by
    (`selectors.bounding_headcounts`), not one recorded on a diagnostic nobody has answered."""
    today = timezone.localdate()
    older = make_cycle(
        unit=world.team_a, name="Spring", opens_on=today - timedelta(days=3), closes_on=today
    )
    save_figures(cycle=older, team=world.team_a, values={"headcount": 9}, user=None)
    respond(older, world.team_a, 3)
    later = make_cycle(
        unit=world.team_a, name="Autumn", opens_on=today - timedelta(days=2), closes_on=today
    )
    save_figures(cycle=later, team=world.team_a, values={"headcount": 7}, user=None)
    respond(later, world.team_a, 3)
    unanswered = make_cycle(
        unit=world.team_a, name="Summer", opens_on=today - timedelta(days=1), closes_on=today
    )
    save_figures(cycle=unanswered, team=world.team_a, values={"headcount": 2}, user=None)
    newest = make_cycle(
        unit=world.team_a,
        name="Winter",
        opens_on=today + timedelta(days=1),
        closes_on=today + timedelta(days=9),
    )
    form = _invite_form(client_for(world.team_manager), newest, world.team_a)
    assert form["count"].value() == 7
    assert "“Autumn”" in form.fields["count"].help_text


def test_it_offers_codes_only_for_the_people_still_without_one(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.team_a)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 14}, user=None)
    client = client_for(world.team_manager)
    issue_invites(cycle=cycle, team=world.team_a, count=10)
    page = client.get(reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]))
    assert page.context["form"]["count"].value() == 4
    assert "10 codes have already been made for Team A in this cycle" in page.content.decode()
    issue_invites(cycle=cycle, team=world.team_a, count=4)
    page = client.get(reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]))
    assert page.context["form"]["count"].value() == 0
    assert "at least one for each of its 14 people" in page.content.decode()


def test_it_keeps_the_old_default_when_no_headcount_is_recorded(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.team_a)
    save_figures(cycle=cycle, team=world.team_a, values={"caseload": 12}, user=None)
    assert recorded_headcount(cycle, world.team_a) is None
    form = _invite_form(client_for(world.team_manager), cycle, world.team_a)
    assert form["count"].value() == 20
    assert form["headcount"].value() is None
    assert "record it now" in form.fields["headcount"].help_text


def test_it_records_the_headcount_on_the_figures_form_without_rating_it(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    response = client.post(url, {"headcount": "6", "caseload": "14"})
    assert response.status_code == 302
    row = StructuralFigures.objects.get(cycle=cycle, team=world.team_a)
    assert (row.headcount, row.caseload) == (6, 14)
    assert client.get(url).context["form"]["headcount"].value() == 6
    assert client.post(url, {"headcount": "0"}).context["form"].errors["headcount"]


def test_it_refuses_a_headcount_out_of_range(world, make_cycle):
    cycle = make_cycle(unit=world.team_a)
    with pytest.raises(ValidationError, match="headcount"):
        save_figures(cycle=cycle, team=world.team_a, values={"headcount": 0}, user=None)


def test_it_does_not_count_a_headcount_alone_as_figures_entered(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.team_a)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 6}, user=None)
    page = client_for(world.team_manager).get(reverse("diagnostics:cycle_detail", args=[cycle.pk]))
    assert [row.figures_entered for row in page.context["teams"]] == [False]


def test_it_records_the_headcount_on_the_codes_page_with_the_codes(world, make_cycle, client_for):
    """From the walk: the headcount could be recorded only on the figures page, before the team
    answered; a manager who went straight to the codes never could, and the response rate
    counted spare codes. The codes page asks for it while it may still be recorded."""
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    assert "headcount" in _invite_form(client, cycle, world.team_a).fields

    page = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"headcount": 7, "count": 9},
        follow=True,
    )

    assert "Recorded the headcount of Team A: 7." in page.content.decode()
    found = recorded_headcount(cycle, world.team_a)
    assert found is not None
    assert (found.people, found.this_cycle) == (7, True)
    assert cycle.invites.filter(team=world.team_a).count() == 9
    assert "headcount" not in _invite_form(client, cycle, world.team_a).fields


def test_it_asks_no_headcount_on_the_codes_page_once_the_team_has_answered(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a)
    respond(cycle, world.team_a, 1)
    form = _invite_form(client_for(world.team_manager), cycle, world.team_a)
    assert "headcount" not in form.fields


def test_it_refuses_a_headcount_on_the_codes_page_out_of_range_and_makes_no_codes(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a)
    page = client_for(world.team_manager).post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"headcount": 0, "count": 3},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["headcount"]
    assert not cycle.invites.exists()
    assert recorded_headcount(cycle, world.team_a) is None
