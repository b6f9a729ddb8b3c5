"""The endpoints: the export's rows for the same viewer, the unit tree, cycles and actions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from actions.services import create_action, update_action
from diagnostics.exports import all_columns
from diagnostics.models import Domain

NUMBERS = {"responses", "mean", "red_pct", "amber_pct", "green_pct"}


def export_as_json(text: str) -> list[dict]:
    """The CSV export read as the API promises to give it: numbers as numbers, empty as null."""
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        assert list(row) == all_columns()
        rows.append(
            {
                column: None
                if value == ""
                else (float(value) if "." in value else int(value))
                if column in NUMBERS
                else value
                for column, value in row.items()
            }
        )
    return rows


def export_for(client, cycle, **params) -> list[dict]:
    url = reverse("diagnostics:results_export", kwargs={"cycle_id": cycle.pk, "file_format": "csv"})
    response = client.get(url, params)
    assert response.status_code == 200
    return export_as_json(response.content.decode("utf-8-sig"))  # a download starts with a BOM


def all_pages(api_get, url: str, raw: str, **params) -> list[dict]:
    rows, page = [], 1
    while True:
        response = api_get(url, raw, page=page, **params)
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if body["next"] is None:
            assert body["count"] == len(rows)
            return rows
        page += 1


@pytest.mark.parametrize("role", ["org_admin", "leader", "team_manager"])
@pytest.mark.parametrize("by", ["domain", "statement"])
def test_it_serves_the_exports_rows_to_the_same_viewer(
    role, by, world, results_cycle, make_token, api_get, client_for
):
    user = getattr(world, role)
    _, raw = make_token(user)
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    rows = all_pages(api_get, url, raw, by=by, page_size=7)
    expected = export_for(client_for(user), results_cycle, by=by)
    assert rows == expected
    assert len(rows) > 7  # more than one page was read and joined
    # Team B's two responses are hidden (and Team A with them) wherever North is seen.
    expected_suppressed = {"no"} if role == "team_manager" else {"yes", "no"}
    assert {row["suppressed"] for row in rows} == expected_suppressed


def test_it_shows_figures_and_hides_small_groups_as_the_export_does(
    world, results_cycle, admin_token, api_get
):
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    rows = api_get(url, admin_token, level="team").json()["results"]
    team_c_all = [r for r in rows if r["unit_path"].endswith("Team C")]
    team_b = [r for r in rows if r["unit_path"].endswith("Team B")]
    # Nine domains, then the two outcome statements' rows (no band; green_pct is % agree).
    team_c = [r for r in team_c_all if r["band"]]
    outcomes = [r for r in team_c_all if not r["band"]]
    assert (len(team_c), len(outcomes)) == (9, 2)
    assert all(isinstance(r["green_pct"], int) for r in outcomes)
    assert {r["responses"] for r in team_c} == {6}
    # Means are numbers rounded at release to one decimal, as in the XLSX export.
    assert all(isinstance(r["mean"], float) and round(r["mean"], 1) == r["mean"] for r in team_c)
    assert all(isinstance(r["green_pct"], int) for r in team_c)
    assert {r["suppressed"] for r in team_c} == {"no"}
    for row in team_b:
        assert row["suppressed"] == "yes"
        assert [row[c] for c in ("responses", "mean", "band", "red_pct", "urgent")] == [None] * 5
    assert list(rows[0]) == all_columns()


def test_it_filters_by_level_and_statement_as_the_export_does(
    world, results_cycle, admin_token, api_get, client_for
):
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    rows = all_pages(api_get, url, admin_token, level="unit", by="statement")
    assert {r["level"] for r in rows} == {"unit"}
    assert rows == export_for(
        client_for(world.org_admin), results_cycle, level="unit", by="statement"
    )


def test_it_refuses_an_unknown_level_or_breakdown_with_a_message(
    results_cycle, admin_token, api_get
):
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    response = api_get(url, admin_token, level="county")
    assert response.status_code == 400
    assert "level" in response.json()
    assert api_get(url, admin_token, by="person").status_code == 400


def test_it_reads_a_page_of_results_in_a_fixed_number_of_queries(
    results_cycle, admin_token, api_get, django_assert_max_num_queries
):
    url = reverse("api:cycle_results", kwargs={"cycle_id": results_cycle.pk})
    with django_assert_max_num_queries(20):
        assert api_get(url, admin_token, by="statement").status_code == 200


def test_it_lists_the_unit_tree_in_reach(world, make_token, api_get):
    url = reverse("api:units")
    admin = api_get(url, make_token(world.org_admin)[1]).json()
    assert [u["path"] for u in admin["results"]] == [
        "Example Council",
        "Children's Services",
        "Children's Services / Locality North",
        "Children's Services / Locality North / Team A",
        "Children's Services / Locality North / Team B",
        "Children's Services / Locality South",
        "Children's Services / Locality South / Team C",
    ]
    by_name = {u["name"]: u for u in admin["results"]}
    assert by_name["Team A"]["parent_id"] == world.north.pk
    assert by_name["Team A"]["level"] == "team"
    assert by_name["Example Council"]["level"] == "org"
    assert by_name["Example Council"]["parent_id"] is None

    leader = api_get(url, make_token(world.leader)[1]).json()["results"]
    assert [u["name"] for u in leader] == ["Locality North", "Team A", "Team B"]
    assert leader[0]["parent_id"] is None  # the unit above lies outside the leader's reach


def test_it_lists_the_place_a_unit_moved_from_with_the_unit_that_moved(
    world, make_cycle, make_token, api_get, respond
):
    from diagnostics.services import close_cycle, move_unit

    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 1)
    close_cycle(cycle=cycle)
    move_unit(unit=world.team_a, new_parent=world.units["Locality South"])

    units = api_get(reverse("api:units"), make_token(world.org_admin)[1]).json()["results"]

    by_path = {u["path"]: u for u in units}
    left = by_path["Children's Services / Locality North / Team A"]
    moved = by_path["Children's Services / Locality South / Team A"]
    assert (left["moved_to_id"], left["archived"]) == (moved["id"], True)
    assert (moved["moved_to_id"], moved["archived"]) == (None, False)


def test_it_lists_cycles_in_reach_with_where_to_read_their_results(
    world, make_cycle, make_token, api_get
):
    shared = make_cycle(unit=world.units["Children's Services"], name="Everyone")
    south = make_cycle(unit=world.units["Locality South"], name="South only")
    leader = api_get(reverse("api:cycles"), make_token(world.leader)[1]).json()["results"]
    assert [c["name"] for c in leader] == ["Everyone"]
    assert leader[0]["results_url"].endswith(
        reverse("api:cycle_results", kwargs={"cycle_id": shared.pk})
    )
    assert leader[0]["unit_path"] == "Children's Services"
    admin = api_get(reverse("api:cycles"), make_token(world.org_admin)[1]).json()["results"]
    assert {c["id"] for c in admin} == {shared.pk, south.pk}


def _action(world, unit, title, *, owner, days=7):
    return create_action(
        unit=unit,
        domain=Domain.objects.get(code="WL"),
        title=title,
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=days),
        created_by=owner,
    )


def test_it_lists_actions_in_reach_with_their_status(world, make_token, api_get):
    late = _action(world, world.team_a, "Share duty fairly", owner=world.team_manager, days=-3)
    done = _action(world, world.team_a, "Protect supervision", owner=world.team_manager)
    update_action(
        action=done,
        status=Action.Status.DONE,
        owner=world.team_manager,
        due_on=done.due_on,
        notes="",
    )
    _action(world, world.team_c, "South's own", owner=world.org_admin)

    _, raw = make_token(world.team_manager)
    rows = api_get(reverse("api:actions"), raw).json()["results"]
    assert [(a["title"], a["status"], a["overdue"]) for a in rows] == [
        ("Share duty fairly", "planned", True),
        ("Protect supervision", "done", False),
    ]
    assert rows[0]["unit_path"] == "Children's Services / Locality North / Team A"
    assert rows[0]["domain_code"] == "WL"
    assert rows[0]["owner"] == "Tam Manager"
    assert rows[0]["id"] == late.pk
    only_done = api_get(reverse("api:actions"), raw, status="done").json()["results"]
    assert [a["title"] for a in only_done] == ["Protect supervision"]
    assert api_get(reverse("api:actions"), raw, status="finished").status_code == 400


def test_it_answers_404_for_anything_outside_the_tokens_reach(
    world, make_cycle, make_token, api_get
):
    south = make_cycle(unit=world.units["Locality South"], name="South only")
    action = _action(world, world.team_c, "South's own", owner=world.org_admin)
    _, raw = make_token(world.leader)
    for url in (
        reverse("api:unit", kwargs={"unit_id": world.team_c.pk}),
        reverse("api:cycle", kwargs={"cycle_id": south.pk}),
        reverse("api:cycle_results", kwargs={"cycle_id": south.pk}),
        reverse("api:action", kwargs={"action_id": action.pk}),
        reverse("api:unit", kwargs={"unit_id": world.other_units["Other Team"].pk}),
    ):
        response = api_get(url, raw)
        assert response.status_code == 404, url
        assert "South" not in response.content.decode()
    ok = api_get(reverse("api:unit", kwargs={"unit_id": world.team_a.pk}), raw)
    assert ok.status_code == 200
    assert ok.json()["name"] == "Team A"
