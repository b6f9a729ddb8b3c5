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
    # §10's columns first and unchanged; the reason, the statement and the benchmark's after.
    assert header[: len(COLUMNS)] == COLUMNS
    assert header == all_columns()
    assert header[len(COLUMNS) :] == [
        "hidden_reason",
        "statement",
        "benchmark_position",
        "benchmark_period",
        "benchmark_source",
    ]
    rows = rows_of(text)
    assert {r["level"] for r in rows} == {"org", "unit", "team"}
    assert all(r["statement_code"] == "" for r in rows)
    # nine domains and the two outcome statements of the built-in questionnaire, per team
    assert len([r for r in rows if r["level"] == "team"]) == 3 * (9 + 2)


def test_it_lists_the_domains_in_the_same_order_in_both_exports(cycle):
    """From the walk: the export by statement listed its domains by statement code."""

    def domains_in_order(*args: str) -> list[str]:
        found: list[str] = []
        for row in rows_of(command_csv(str(cycle.pk), *args)):
            if row["level"] == "org" and row["domain"] not in found:
                found.append(row["domain"])
        return found

    by_domain = domains_in_order()
    assert by_domain[0] == "Workload and caseloads"
    assert by_domain[-2:] == ["Intending to stay", "Recommending as a place to practise"]
    assert domains_in_order("--by", "statement") == by_domain


def test_it_writes_each_row_of_the_command_before_making_the_next(cycle, monkeypatch):
    """The command streams, so a large organisation's file never sits whole in memory: when a
    row is made, the header and every row before it are already written."""
    from diagnostics.management.commands import export_results

    out = io.StringIO()
    lines_written: list[int] = []
    from diagnostics.exports import export_rows as make_rows

    def watched(request):
        for row in make_rows(request):
            lines_written.append(out.getvalue().count("\n"))
            yield row

    monkeypatch.setattr(export_results, "export_rows", watched)
    call_command("export_results", str(cycle.pk), stdout=out)
    assert len(lines_written) > 3
    assert lines_written == list(range(1, len(lines_written) + 1))
    assert len(rows_of(out.getvalue())) == len(lines_written)


def test_it_leaves_suppressed_rows_empty_and_says_so(cycle):
    rows = rows_of(command_csv(str(cycle.pk), "--level", "team"))
    team_b = [r for r in rows if r["unit_path"].endswith("Team B")]
    assert len(team_b) == 9 + 2
    for row in team_b:
        assert row["suppressed"] == "yes"
        for column in ("responses", "mean", "band", "red_pct", "amber_pct", "green_pct", "urgent"):
            assert row[column] == ""
    # Team A (5) would reveal Team B (2) through Locality North (7): it is hidden as well.
    assert {r["suppressed"] for r in rows if r["unit_path"].endswith("Team A")} == {"yes"}


def test_it_says_why_each_hidden_row_is_hidden_as_the_page_does(world, cycle, client_for):
    """Team B has 2 responses; Team A, with 5, is hidden so that Team B's cannot be worked out
    from Locality North's. The file says which, in the words the dashboard gives its leader."""
    from diagnostics.exports import ExportRequest, export_rows
    from organisations.access import reach_of

    rows = rows_of(command_csv(str(cycle.pk), "--level", "team"))
    reasons = {
        path.rsplit(" / ", 1)[-1]: {r["hidden_reason"] for r in rows if r["unit_path"] == path}
        for path in {r["unit_path"] for r in rows}
    }
    assert reasons == {
        "Team A": {"hidden so that a smaller group cannot be worked out"},
        "Team B": {"fewer than 5 responses"},
        "Team C": {""},
    }
    page = client_for(world.leader).get(reverse("dashboards:profile", args=[world.team_a.pk]))
    assert page.context["page"].group.hidden_words == next(iter(reasons["Team A"]))
    leaders = [
        dict(zip(all_columns(), row, strict=True))
        for row in export_rows(ExportRequest(cycle, levels=("team",)), reach_of(world.leader))
    ]
    assert {r["hidden_reason"] for r in leaders if r["unit_path"].endswith("Team B")} == {
        "fewer than 5 responses"
    }


def test_it_gives_each_statement_row_its_statement(cycle):
    from diagnostics.models import CycleStatement

    asked = dict(
        CycleStatement.objects.filter(cycle=cycle).values_list("statement__code", "statement__text")
    )
    rows = rows_of(command_csv(str(cycle.pk), "--level", "org", "--by", "statement"))
    assert {r["statement_code"]: r["statement"] for r in rows} == asked
    by_domain = rows_of(command_csv(str(cycle.pk), "--level", "org"))
    assert {r["statement"] for r in by_domain} == {""}


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


def test_it_shows_each_xlsx_mean_with_the_decimal_it_was_released_with(cycle, tmp_path):
    target = tmp_path / "out.xlsx"
    command_xlsx(cycle, target)
    sheet = load_workbook(target).active
    header = [cell.value for cell in sheet[1]]
    mean_cells = [row[header.index("mean")] for row in sheet.iter_rows(min_row=2)]
    shown = [cell for cell in mean_cells if cell.value is not None]
    assert shown
    assert {cell.number_format for cell in shown} == {"0.0"}  # 4.0 reads "4.0", not "4"
    responses = [row[header.index("responses")] for row in sheet.iter_rows(min_row=2)]
    assert {cell.number_format for cell in responses if cell.value is not None} == {"General"}


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


def test_it_marks_a_site_download_as_utf8_for_excel_but_not_the_command_s_output(
    world, cycle, client_for
):
    url = reverse("diagnostics:results_export", args=[cycle.pk, "csv"])
    download = client_for(world.org_admin).get(url).content
    assert download.startswith("\ufeffcycle,unit_path".encode())
    assert command_csv(str(cycle.pk)).startswith("cycle,unit_path")


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
    # Each reason in the words its dashboard gives: a statement's few are of those who answered
    # it, and a statement may show its shares without its mean.
    assert {(r["suppressed"], r["hidden_reason"]) for r in rows} == {
        ("no", ""),
        ("no", "mean hidden so that a smaller group cannot be worked out"),
        ("yes", "hidden so that a smaller group cannot be worked out"),
        ("yes", "fewer than 5 people answered it"),
    }
    shares_only = next(r for r in rows if r["hidden_reason"].startswith("mean"))
    assert (shares_only["mean"], shares_only["band"]) == ("", "")
    assert shares_only["green_pct"] != ""
    assert all(int(r["responses"]) >= 5 for r in team_rows.values() if r["suppressed"] == "no")


@pytest.mark.parametrize(
    ("title", "sheet"),
    [("History", "Results"), ("Q1/Q2: [draft]?", "Q1 Q2   draft"), ("", "Results")],
)
def test_it_gives_an_xlsx_sheet_a_title_excel_accepts(title, sheet):
    from diagnostics.exports import sheet_title

    assert sheet_title(title) == sheet


def test_it_exports_outcomes_in_the_contract_columns_as_the_share_who_agree(
    world, make_cycle, respond
):
    cycle = make_cycle(unit=world.team_c)
    # "intending to stay": 6, 6, 5, 4, 2, 1 → 3 of 6 agree (50%); mean 24 / 6 = 4.0
    stay = [6, 6, 5, 4, 2, 1]
    respond(cycle, world.team_c, 6, value=lambda i, code: stay[i] if code == "STAY1" else 4)
    text = command_csv(str(cycle.pk), "--level", "team")
    assert text.splitlines()[0] == ",".join(all_columns())
    rows = rows_of(text)
    assert [r["domain"] for r in rows][-2:] == [
        "Intending to stay",
        "Recommending as a place to practise",
    ]
    row = rows[-2]
    assert (row["responses"], row["mean"], row["green_pct"]) == ("6", "4.0", "50")
    assert (row["red_pct"], row["amber_pct"]) == ("33", "17")
    assert (row["band"], row["urgent"], row["suppressed"]) == ("", "", "no")
    by_statement = rows_of(command_csv(str(cycle.pk), "--level", "team", "--by", "statement"))
    stay_row = next(r for r in by_statement if r["statement_code"] == "STAY1")
    assert stay_row["domain"] == "Intending to stay"
    assert (stay_row["green_pct"], stay_row["band"], stay_row["urgent"]) == ("50", "", "")


def test_it_exports_the_drivers_of_each_outcome_and_refuses_groups_under_30(
    world, make_cycle, respond
):
    from diagnostics.exports import DRIVER_COLUMNS

    cycle = make_cycle(unit=world.units["Children's Services"])

    def answer(i: int, code: str) -> int:
        level = i % 6 + 1
        if code.startswith("SUP") or code == "STAY1":
            return 7 - level if code == "SUP3" else level  # SUP3 is reverse scored
        return 4

    for team in (world.team_a, world.team_b, world.team_c):
        respond(cycle, team, 12, value=answer)
    text = command_csv(str(cycle.pk), "--by", "drivers")
    assert text.splitlines()[0] == ",".join(DRIVER_COLUMNS)
    rows = rows_of(text)
    org = [r for r in rows if r["level"] == "org"]
    stay = [r for r in org if r["outcome"] == "Intending to stay"]
    # Supervision moves with staying exactly (ρ = 1); every other domain is 4 throughout, so
    # cannot be ranked and is left out.
    assert [(r["rank"], r["domain"], r["rho"], r["clear"]) for r in stay] == [
        ("1", "Supervision", "1.00", "yes")
    ]
    assert stay[0]["reading"] == (
        "Staff who report better supervision are more likely to say they intend to stay."
    )
    recommend = [r for r in org if r["outcome"] == "Recommending as a place to practise"]
    assert [r["not_shown"] for r in recommend] == ["the answers do not vary enough to compare"]
    teams = [r for r in rows if r["level"] == "team"]
    assert {r["not_shown"] for r in teams} == {"fewer than 30 responses"}
    assert {r["rho"] for r in teams} == {""}
