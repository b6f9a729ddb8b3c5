from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from diagnostics.exports import COLUMNS, all_columns


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 5, value=lambda i, code: 5 if i < 3 else 2)
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 6, value=4)
    return cycle


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def command_xlsx(cycle, target) -> None:
    call_command(
        "export_results",
        str(cycle.pk),
        "--format",
        "xlsx",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )


def command_csv(*args: str) -> str:
    out = io.StringIO()
    call_command("export_results", *args, stdout=out)
    return out.getvalue()


def test_it_exports_the_contract_columns_for_every_level(cycle):
    text = command_csv(str(cycle.pk))
    header = text.splitlines()[0].split(",")
    # §10's columns first and unchanged; the benchmark's are appended after them.
    assert header[: len(COLUMNS)] == COLUMNS
    assert header == all_columns()
    assert header[len(COLUMNS) :] == ["benchmark_position", "benchmark_period", "benchmark_source"]
    rows = rows_of(text)
    assert {r["level"] for r in rows} == {"org", "unit", "team"}
    assert all(r["statement_code"] == "" for r in rows)
    assert len([r for r in rows if r["level"] == "team"]) == 3 * 9


def test_it_leaves_suppressed_rows_empty_and_says_so(cycle):
    rows = rows_of(command_csv(str(cycle.pk), "--level", "team"))
    team_b = [r for r in rows if r["unit_path"].endswith("Team B")]
    assert len(team_b) == 9
    for row in team_b:
        assert row["suppressed"] == "yes"
        for column in ("responses", "mean", "band", "red_pct", "amber_pct", "green_pct", "urgent"):
            assert row[column] == ""
    # Team A (5) would reveal Team B (2) through Locality North (7): it is hidden as well.
    assert {r["suppressed"] for r in rows if r["unit_path"].endswith("Team A")} == {"yes"}


def test_it_exports_figures_a_person_can_recompute_from_the_raw_answers(cycle):
    rows = rows_of(command_csv(str(cycle.pk), "--level", "org", "--by", "statement"))
    wl1 = next(r for r in rows if r["statement_code"] == "WL1")
    # 13 answers: Team A 5,5,5,2,2; Team B 4,4; Team C six 4s -> (15+4+8+24)/13 = 51/13 = 3.92
    assert wl1["responses"] == "13"
    assert wl1["mean"] == "3.9"
    assert wl1["band"] == "amber"
    assert (wl1["red_pct"], wl1["amber_pct"], wl1["green_pct"]) == ("15", "62", "23")
    assert wl1["urgent"] == "no"
    assert wl1["domain"] == "Workload and caseloads"


def test_it_writes_the_same_rows_to_xlsx(cycle, tmp_path):
    target = tmp_path / "out.xlsx"
    command_xlsx(cycle, target)
    sheet = load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == all_columns()
    csv_rows = rows_of(command_csv(str(cycle.pk)))
    assert len(values) - 1 == len(csv_rows)
    first = dict(zip(all_columns(), values[1], strict=True))
    assert str(first["responses"]) == csv_rows[0]["responses"]
    assert f"{first['mean']:.1f}" == csv_rows[0]["mean"]


def test_it_limits_a_site_download_to_the_viewers_reach(world, cycle, client_for):
    url = reverse("diagnostics:results_export", args=[cycle.pk, "csv"])
    manager_rows = rows_of(client_for(world.team_manager).get(url).content.decode())
    assert {r["unit_path"] for r in manager_rows} == {
        "Children's Services / Locality North / Team A"
    }
    # The manager's own team is shown to them (5 responses) even though leaders see it hidden.
    assert {r["suppressed"] for r in manager_rows} == {"no"}
    leader_rows = rows_of(client_for(world.leader).get(url).content.decode())
    assert {r["unit_path"].split(" / ")[-1] for r in leader_rows} == {
        "Locality North",
        "Team A",
        "Team B",
    }
    admin_rows = rows_of(client_for(world.org_admin).get(url).content.decode())
    assert len(admin_rows) == len(rows_of(command_csv(str(cycle.pk))))
    assert client_for(world.outsider).get(url).status_code == 404


def test_it_refuses_an_unknown_export_format(world, cycle, client_for):
    url = reverse("diagnostics:results_export", args=[cycle.pk, "pdf"])
    assert client_for(world.org_admin).get(url).status_code == 404


def test_it_exports_a_pulse_through_its_pool(weekly_pulses):
    pulses = weekly_pulses(4, 4)
    rows = rows_of(command_csv(str(pulses[-1].pk)))
    team_rows = [r for r in rows if r["level"] == "team"]
    assert {r["responses"] for r in team_rows} == {"8"}  # 4 alone would be hidden
    assert team_rows[0]["cycle"].startswith("Pulse 2: Pulses ")
    assert team_rows[0]["cycle"].endswith("(pooled over 2 pulses)")
    from organisations.models import AuditEvent

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.detail.startswith("Pulse 2 (Pulses ")
    assert "(pooled over 2 pulses)): CSV by domain" in event.detail


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(1)"])
def test_it_keeps_a_name_that_looks_like_a_formula_as_text_in_csv(world, make_cycle, name):
    cycle = make_cycle(unit=world.units["Children's Services"], name=name)
    rows = rows_of(command_csv(str(cycle.pk)))
    assert {r["cycle"] for r in rows} == {"'" + name}


def test_it_keeps_a_name_that_looks_like_a_formula_as_text_in_xlsx(world, make_cycle, tmp_path):
    cycle = make_cycle(unit=world.units["Children's Services"], name="=1+1 [Q1/Q2]")
    target = tmp_path / "out.xlsx"
    command_xlsx(cycle, target)
    sheet = load_workbook(target).worksheets[0]
    assert sheet.title == "=1+1  Q1 Q2"
    first = sheet.cell(row=2, column=1)
    assert (first.value, first.data_type) == ("=1+1 [Q1/Q2]", "s")


def test_it_exports_a_pooled_statement_only_when_no_pulse_s_few_people_can_be_singled_out(
    weekly_pulses,
):
    """Pulses rotate statements, so one statement's figures in a pool can come from one pulse
    only; the engine shows them only where nothing small can be worked out from them."""
    pulses = weekly_pulses(6, 2)
    asked = {
        pulse.pk: set(pulse.cycle_statements.values_list("statement__code", flat=True))
        for pulse in pulses
    }
    only_second = asked[pulses[1].pk] - asked[pulses[0].pk]
    assert only_second, "the fixture's pulses should rotate their statements"
    rows = rows_of(command_csv(str(pulses[-1].pk), "--by", "statement"))
    team_rows = {r["statement_code"]: r for r in rows if r["level"] == "team"}
    assert all(team_rows[code]["suppressed"] == "yes" for code in only_second)
    assert all(int(r["responses"]) >= 5 for r in team_rows.values() if r["suppressed"] == "no")


@pytest.mark.parametrize(
    ("title", "sheet"),
    [("History", "Results"), ("Q1/Q2: [draft]?", "Q1 Q2   draft"), ("", "Results")],
)
def test_it_gives_an_xlsx_sheet_a_title_excel_accepts(title, sheet):
    from diagnostics.exports import sheet_title

    assert sheet_title(title) == sheet
