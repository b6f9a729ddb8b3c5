"""Structural thresholds per part of the organisation (§6): set on a unit, inherited below it,
cleared again; validated and audited; and the ratings they give wherever a figure is rated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from diagnostics.models import StructuralThreshold
from diagnostics.services import clear_unit_thresholds, set_unit_thresholds
from diagnostics.structural import (
    FIGURES_BY_CODE,
    ThresholdInForce,
    Thresholds,
    thresholds_in_force,
)
from diagnostics.structural_data import (
    save_figures,
    set_thresholds,
    threshold_book,
    thresholds_for_unit,
)
from organisations.models import AuditEvent

ORG = Thresholds(Decimal(16), Decimal(23))
SERVICE = Thresholds(Decimal(20), Decimal(28))
LOCALITY = Thresholds(Decimal(22), Decimal(30))


def caseload(unit) -> ThresholdInForce:
    return thresholds_for_unit(unit)["caseload"]


def test_it_resolves_the_nearest_unit_first_then_the_organisation_then_the_defaults():
    by_unit = {"0001": {"caseload": SERVICE}, "00010001": {"caseload": LOCALITY}}
    team = thresholds_in_force(
        "000100010001", steplen=4, by_unit=by_unit, organisation={"turnover": ORG}
    )
    assert team["caseload"] == ThresholdInForce(LOCALITY, "00010001")
    assert team["turnover"] == ThresholdInForce(ORG, "")
    assert team["vacancy_rate"] == ThresholdInForce(Thresholds(Decimal(10), Decimal(20)), None)
    sibling = thresholds_in_force(
        "000100020001", steplen=4, by_unit=by_unit, organisation={"turnover": ORG}
    )
    assert sibling["caseload"] == ThresholdInForce(SERVICE, "0001")
    # A path that merely starts with the same digits is not below the unit.
    other = thresholds_in_force("00020001", steplen=4, by_unit=by_unit, organisation={})
    assert other["caseload"].set_at is None


@pytest.fixture
def layered(world):
    """The organisation, Children's Services and Locality North each set their own caseload."""
    set_thresholds(organisation=world.organisation, values={"caseload": ORG})
    set_unit_thresholds(unit=world.units["Children's Services"], values={"caseload": SERVICE})
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY})
    return world


def test_it_gives_each_team_the_thresholds_of_its_nearest_unit(layered):
    world = layered
    assert caseload(world.team_a).thresholds == LOCALITY  # Locality North's own
    assert caseload(world.team_a).set_at == world.north.path
    assert caseload(world.team_c).thresholds == SERVICE  # South sets none: the service's
    assert caseload(world.root).thresholds == ORG
    assert thresholds_for_unit(world.team_a)["turnover"].set_at is None  # nobody set it
    other_team = world.other_organisation.units.get(is_team=True)
    assert caseload(other_team).thresholds == Thresholds(Decimal(18), Decimal(25))


def test_it_reads_every_threshold_of_the_organisation_in_one_query(
    layered, django_assert_num_queries
):
    with django_assert_num_queries(1):
        book = threshold_book(layered.organisation)
    with django_assert_num_queries(0):
        for team in (layered.team_a, layered.team_b, layered.team_c):
            book.for_unit(team)


def test_it_gives_teams_in_bulk_what_each_has_alone_even_beside_a_sibling_with_its_own(layered):
    world = layered
    own = Thresholds(Decimal(12), Decimal(19))
    set_unit_thresholds(unit=world.team_a, values={"caseload": own})
    book = threshold_book(world.organisation)
    figure = FIGURES_BY_CODE["caseload"]
    for teams in (
        [world.team_a, world.team_b, world.team_c],
        [world.team_b, world.team_a, world.team_c, world.team_b],
    ):
        assert book.for_teams(teams, figure) == [
            book.for_unit(team)["caseload"].thresholds for team in teams
        ]
    assert book.for_teams([world.team_b, world.team_a, world.team_c], figure) == [
        LOCALITY,
        own,
        SERVICE,
    ]


def test_it_inherits_again_once_a_unit_s_own_thresholds_are_cleared(layered):
    world = layered
    assert clear_unit_thresholds(unit=world.north) == [
        "Average caseload per full-time practitioner"
    ]
    assert caseload(world.team_a).thresholds == SERVICE
    clear_unit_thresholds(unit=world.units["Children's Services"])
    assert caseload(world.team_a) == ThresholdInForce(ORG, "")
    assert clear_unit_thresholds(unit=world.north) == []  # nothing left to clear


def test_it_goes_back_to_inheriting_one_figure_given_none(layered):
    world = layered
    set_unit_thresholds(unit=world.north, values={"turnover": Thresholds(Decimal(12), Decimal(22))})
    set_unit_thresholds(unit=world.north, values={"caseload": None})
    assert caseload(world.team_a).thresholds == SERVICE
    assert thresholds_for_unit(world.team_a)["turnover"].set_at == world.north.path


def test_it_refuses_thresholds_that_make_no_sense_and_saves_none_of_them(world):
    with pytest.raises(ValidationError) as error:
        set_unit_thresholds(
            unit=world.north,
            values={
                "vacancy_rate": Thresholds(Decimal(5), Decimal(15)),  # fine on its own
                "caseload": Thresholds(Decimal(30), Decimal(20)),
                "supervision_held": Thresholds(Decimal(60), Decimal(80)),
                "turnover": Thresholds(Decimal(10), Decimal(120)),
                "shoe_size": Thresholds(Decimal(1), Decimal(2)),
            },
        )
    messages = error.value.messages
    assert any(
        m.startswith("Average caseload per full-time practitioner: For this figure lower")
        for m in messages
    )
    assert any("higher is better" in m for m in messages)
    assert any("between 0 and 100" in m for m in messages)
    assert any("“shoe_size” is not a structural figure" in m for m in messages)
    assert not StructuralThreshold.objects.exists()
    with pytest.raises(ValidationError, match="without choosing a unit"):
        set_unit_thresholds(unit=world.root, values={"caseload": LOCALITY})


def test_it_records_each_unit_change_with_where_the_values_come_from(world):
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY}, actor=world.org_admin)
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY})  # no change: no event
    clear_unit_thresholds(unit=world.north, actor=world.org_admin)
    events = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.THRESHOLD_CHANGED).order_by("pk")
    )
    assert len(events) == 2
    set_event, clear_event = events
    assert set_event.scope == "Children's Services / Locality North"
    assert set_event.actor == world.org_admin.email
    assert set_event.old == {"caseload": {"good": 18, "concerning": 25, "set_on": "defaults"}}
    assert set_event.new == {
        "caseload": {
            "good": 22,
            "concerning": 30,
            "set_on": "Children's Services / Locality North",
        }
    }
    assert "good 18 → 22, concerning 25 → 30" in set_event.detail
    assert clear_event.detail.startswith("Cleared this unit's own")
    assert (clear_event.old, clear_event.new) == (set_event.new, set_event.old)


# --- the thresholds page ----------------------------------------------------------------


def thresholds_url(unit=None) -> str:
    return reverse("diagnostics:thresholds") + (f"?unit={unit.pk}" if unit else "")


def test_it_shows_which_values_a_unit_inherits_and_from_where(layered, client_for):
    world = layered
    set_unit_thresholds(unit=world.north, values={"caseload": None})
    html = client_for(world.org_admin).get(thresholds_url(world.team_a)).content.decode()
    assert "good at 20, concerning at 28 (inherited from Children&#x27;s Services)" in html
    assert "good at 10, concerning at 20 (the default)" in html
    organisation_page = client_for(world.org_admin).get(thresholds_url()).content.decode()
    assert "good at 16, concerning at 23 (your organisation&#x27;s own)" in organisation_page
    assert "Set differently below: Children&#x27;s Services." in organisation_page


def test_it_saves_a_unit_s_own_thresholds_from_the_page(world, client_for):
    client = client_for(world.org_admin)
    response = client.post(
        thresholds_url(world.north), {"caseload__good": "22", "caseload__concerning": "30"}
    )
    assert response.status_code == 302
    assert response["Location"] == thresholds_url(world.north)
    assert caseload(world.team_b).thresholds == LOCALITY
    html = client.get(thresholds_url(world.north)).content.decode()
    assert "good at 22, concerning at 30 (set on this unit)" in html
    assert "Locality North (own thresholds)" in html


def test_it_asks_for_both_values_or_neither_and_keeps_what_was_typed(world, client_for):
    response = client_for(world.org_admin).post(
        thresholds_url(world.north), {"caseload__good": "22", "turnover__good": "40"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give both values to set them for this unit, or leave both empty" in html
    assert 'name="turnover__good" id="id_turnover__good" value="40"' in html
    assert not StructuralThreshold.objects.exists()


def test_it_clears_a_unit_s_own_thresholds_only_once_confirmed(world, client_for):
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY})
    client = client_for(world.org_admin)
    url = reverse("diagnostics:thresholds_clear", args=[world.north.pk])
    asked = client.get(url)
    assert "Clear the thresholds set at Locality North?" in asked.content.decode()
    assert StructuralThreshold.objects.filter(unit=world.north).exists()
    done = client.post(url)
    assert done["Location"] == thresholds_url(world.north)
    assert not StructuralThreshold.objects.filter(unit=world.north).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.THRESHOLD_CHANGED, detail__startswith="Cleared"
    ).exists()


def test_it_answers_404_for_another_organisation_s_unit(world, client_for):
    client = client_for(world.outsider)
    assert client.get(thresholds_url(world.north)).status_code == 404
    clear = reverse("diagnostics:thresholds_clear", args=[world.north.pk])
    assert client.get(clear).status_code == 404
    assert client.post(clear).status_code == 404
    assert (
        client_for(world.org_admin)
        .post(reverse("diagnostics:thresholds_clear", args=[world.root.pk]))
        .status_code
        == 404
    )


def test_it_keeps_the_thresholds_pages_for_organisation_admins(world, client_for):
    assert client_for(world.leader).get(thresholds_url(world.north)).status_code == 403
    clear = reverse("diagnostics:thresholds_clear", args=[world.north.pk])
    assert client_for(world.leader).post(clear).status_code == 403


# --- ratings wherever a figure is rated -----------------------------------------------------


def test_it_shows_each_figure_s_rating_and_thresholds_after_saving(world, make_cycle, client_for):
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY})
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    saved = client.post(url, {"caseload": "24", "supervision_held": "65.5"})
    assert saved["Location"] == url
    html = client.get(url).content.decode()
    assert "Saved figures and their ratings" in html
    assert (
        '<span class="small fw-normal">Good at or below 22, concerning at or above 30 '
        "(set for Locality North thresholds)</span></th>\n"
        "<td>24 cases</td>\n"
        '<td><span class="band band-amber">Amber</span></td>'
    ) in html
    assert (
        '<span class="small fw-normal">Good at or above 90, concerning at or below 70 '
        "(the default thresholds)</span></th>\n"
        "<td>65.5 %</td>\n"
        '<td><span class="band band-red">Red</span></td>'
    ) in html
    assert "good at 22, concerning at 30" in html  # the form's help rates against them too


def test_it_rates_a_team_s_figures_on_its_dashboard_against_its_own_thresholds(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.north)
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 5)
    save_figures(cycle=cycle, team=world.team_a, values={"caseload": Decimal(21)}, user=None)
    client = client_for(world.leader)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    assert "Amber</span> Average caseload" in client.get(url).content.decode()  # 18 < 21 < 25
    set_unit_thresholds(unit=world.north, values={"caseload": LOCALITY})
    assert "Green</span> Average caseload" in client.get(url).content.decode()  # 21 ≤ 22
