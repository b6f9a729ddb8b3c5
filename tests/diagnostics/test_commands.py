from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from diagnostics.models import Cycle, Domain, Invite
from diagnostics.selectors import survey_statements
from diagnostics.services import add_statement


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_creates_and_opens_a_cycle_for_every_team_under_a_path(world):
    out = run(
        "create_cycle",
        "example",
        "--unit",
        "Children's Services / Locality North",
        "--kind",
        "full",
        "--opens",
        "2026-01-05",
        "--closes",
        "2099-01-30",
        "--name",
        "Winter",
    )
    cycle = Cycle.objects.get(pk=int(out.strip()))
    assert cycle.status == Cycle.Status.OPEN
    assert cycle.name == "Winter"
    assert set(cycle.cycle_teams.values_list("team__name", flat=True)) == {"Team A", "Team B"}


def test_it_creates_a_cycle_for_the_whole_organisation_by_its_name(world):
    out = run(
        "create_cycle",
        "example",
        "--unit",
        "Example Council",
        "--kind",
        "pulse",
        "--opens",
        timezone.localdate().isoformat(),
        "--closes",
        "2099-01-30",
    )
    assert Cycle.objects.get(pk=int(out)).cycle_teams.count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--unit",
                "Nowhere",
                "--kind",
                "full",
                "--opens",
                "2026-01-01",
                "--closes",
                "2026-02-01",
            ],
            "No unit",
        ),
        (
            [
                "--unit",
                "Example Council",
                "--kind",
                "full",
                "--opens",
                "2026-13-01",
                "--closes",
                "2026-02-01",
            ],
            "not a date",
        ),
        (
            [
                "--unit",
                "Example Council",
                "--kind",
                "full",
                "--opens",
                "2026-03-01",
                "--closes",
                "2026-02-01",
            ],
            "closing date",
        ),
    ],
)
def test_it_refuses_bad_cycle_arguments_and_changes_nothing(world, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_cycle", "example", *args)
    assert not Cycle.objects.exists()


def test_it_prints_new_codes_as_csv(world, full_cycle):
    out = run(
        "issue_invites",
        str(full_cycle.pk),
        "--team",
        "Children's Services / Locality North / Team A",
        "--count",
        "4",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["code", "url"]
    assert len(rows) == 5
    assert all(url.endswith(f"/survey/c/{code}/") for code, url in rows[1:])
    assert Invite.objects.filter(cycle=full_cycle, team=world.team_a).count() == 4


def test_it_refuses_codes_for_a_team_outside_the_cycle(world, full_cycle):
    with pytest.raises(CommandError, match="not taking part"):
        run(
            "issue_invites",
            str(full_cycle.pk),
            "--team",
            "Children's Services / Locality South / Team C",
            "--count",
            "2",
        )
    with pytest.raises(CommandError, match="No cycle"):
        run("issue_invites", "999999", "--team", "x", "--count", "2")
    with pytest.raises(CommandError, match="between 1 and"):
        run(
            "issue_invites",
            str(full_cycle.pk),
            "--team",
            "Children's Services / Locality North / Team A",
            "--count",
            "0",
        )
    assert not Invite.objects.exists()


def test_it_exports_the_questionnaire_in_the_order_staff_see_it(world, full_cycle):
    out = run("export_instrument", str(full_cycle.pk))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == ["code", "domain", "statement", "reverse_scored"]
    assert [r["code"] for r in rows] == [s.code for s in survey_statements(full_cycle)]
    assert rows[0]["domain"] == "Workload and caseloads"
    assert {r["reverse_scored"] for r in rows} == {"yes", "no"}


def test_it_exports_a_statement_that_starts_like_a_formula_as_text(world, make_cycle):
    formula = '=HYPERLINK("https://evil.example","Open")'
    add_statement(
        version=world.own_version(),
        domain=Domain.objects.get(code="WL"),
        text=formula,
        reverse_scored=False,
    )
    cycle = make_cycle(unit=world.team_a)
    rows = list(csv.DictReader(io.StringIO(run("export_instrument", str(cycle.pk)))))
    statements = [r["statement"] for r in rows]
    assert "'" + formula in statements
    assert formula not in statements
