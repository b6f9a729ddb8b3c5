from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from diagnostics.models import CycleTeam, StructuralFigures
from diagnostics.structural import (
    FIGURES,
    FIGURES_BY_CODE,
    MIN_LENS_TEAMS,
    Thresholds,
    UnclearGroup,
    associate,
    parse_value,
    rate,
    weigh,
)
from diagnostics.structural_data import (
    FiguresImported,
    figures_for,
    import_figures,
    save_figures,
    set_thresholds,
    thresholds_for,
)
from organisations.services import ImportFailed

CASELOAD = FIGURES_BY_CODE["caseload"]
SUPERVISION = FIGURES_BY_CODE["supervision_held"]


def test_it_justifies_every_default_threshold_in_one_line():
    for figure in FIGURES:
        assert figure.why.endswith(".")
        assert figure.good != figure.concerning


def test_it_rates_lower_is_better_figures():
    t = Thresholds(Decimal(18), Decimal(25))
    assert rate(CASELOAD, 18, t) == "green"
    assert rate(CASELOAD, Decimal("18.01"), t) == "amber"
    assert rate(CASELOAD, 25, t) == "red"


def test_it_rates_higher_is_better_figures():
    t = Thresholds(Decimal(90), Decimal(70))
    assert rate(SUPERVISION, 95, t) == "green"
    assert rate(SUPERVISION, 80, t) == "amber"
    assert rate(SUPERVISION, 70, t) == "red"


def test_it_checks_values_against_each_figures_range():
    assert parse_value(CASELOAD, " 21.5 ") == Decimal("21.5")
    assert parse_value(CASELOAD, "21.50") == Decimal("21.5")
    with pytest.raises(ValueError, match="at most two decimal places"):
        parse_value(CASELOAD, "12.345")  # the column keeps two: it would be rounded
    assert parse_value(FIGURES_BY_CODE["vacancy_rate"], "12%") == Decimal(12)
    with pytest.raises(ValueError, match="between 0 and 100"):
        parse_value(FIGURES_BY_CODE["vacancy_rate"], "120")
    with pytest.raises(ValueError, match="not a number"):
        parse_value(CASELOAD, "lots")
    with pytest.raises(ValueError, match="not a number"):
        parse_value(CASELOAD, "NaN")


def test_it_words_a_clear_association_as_association_with_rho_interval_and_teams():
    pairs = [(12, 4.8), (15, 4.1), (19, 3.7), (23, 2.9), (28, 2.2), (30, 2.5)]
    (result,) = weigh([associate(CASELOAD, "WB", "Wellbeing", pairs)])
    assert result.rho == pytest.approx(-0.9428571428571428)
    assert result.clear
    assert result.sentence == (
        "Teams carrying more cases per practitioner report lower wellbeing scores: "
        "ρ = −0.94 across 6 teams (95% interval −1.00 to −0.38). This is a strong association, "
        "not proof that one causes the other."
    )


def test_it_words_a_pair_that_does_not_survive_as_no_clear_association():
    pairs = [(12, 4.8), (15, 4.1), (19, 3.7), (23, 2.9), (28, 2.2), (30, 2.5)]
    strong = associate(CASELOAD, "WB", "Wellbeing", pairs)
    # Among 40 pairs where nothing else is found, p = 1/60 no longer stands out.
    noise = [associate(CASELOAD, "WL", "Workload", [(1, 1), (2, 3), (3, 2), (4, 5), (5, 4)])] * 39
    result, *_ = weigh([strong, *noise])
    assert not result.clear
    assert result.sentence == (
        "No clear association between average caseload per full-time practitioner and "
        "wellbeing across 6 teams (ρ = −0.94; 95% interval −1.00 to −0.38). Once the number "
        "of pairs tested is allowed for, this is within what chance alone could give."
    )


def test_it_groups_the_number_of_teams_in_thousands_in_every_sentence():
    pairs = [(12, 4.8), (15, 4.1), (19, 3.7), (23, 2.9), (28, 2.2), (30, 2.5)]
    (clear,) = weigh([associate(CASELOAD, "WB", "Wellbeing", pairs)])
    many = dataclasses.replace(clear, teams=3000)
    assert "across 3,000 teams (95% interval" in many.sentence
    assert many.numbers.startswith("ρ = −0.94 across 3,000 teams")
    unclear = dataclasses.replace(many, clear=False)
    assert "wellbeing across 3,000 teams (ρ = −0.94" in unclear.sentence
    group = UnclearGroup(teams=1234, domain_names=("Wellbeing",))
    assert group.sentence == "No clear association with wellbeing across 1,234 teams."


def test_it_needs_at_least_five_teams_for_the_lens():
    result = associate(CASELOAD, "WB", "Wellbeing", [(1, 2)] * (MIN_LENS_TEAMS - 1))
    assert result.rho is None
    assert "at least 5 teams" in result.sentence


def test_it_refuses_thresholds_the_wrong_way_round(world):
    with pytest.raises(ValidationError, match="lower is better"):
        set_thresholds(
            organisation=world.organisation,
            values={"caseload": Thresholds(Decimal(30), Decimal(20))},
        )
    set_thresholds(
        organisation=world.organisation, values={"caseload": Thresholds(Decimal(15), Decimal(22))}
    )
    assert thresholds_for(world.organisation)["caseload"] == Thresholds(Decimal(15), Decimal(22))
    assert thresholds_for(world.other_organisation)["caseload"].good == Decimal(18)


GOOD_CSV = """team_path,caseload,vacancy_rate,supervision_held
Children's Services / Locality North / Team A,19,12.5,80
Children's Services / Locality North / Team B,24,20,
"""


def test_it_imports_figures_from_csv(world, make_cycle):
    cycle = make_cycle()
    assert import_figures(cycle=cycle, content=GOOD_CSV, user=None).saved == 2
    row = StructuralFigures.objects.get(team=world.team_a)
    assert (row.caseload, row.vacancy_rate, row.supervision_held) == (19, Decimal("12.5"), 80)
    assert StructuralFigures.objects.get(team=world.team_b).supervision_held is None


def test_it_reads_figures_for_all_teams_or_only_the_teams_asked_for(world, make_cycle):
    cycle = make_cycle()
    import_figures(cycle=cycle, content=GOOD_CSV, user=None)
    everyone = figures_for([cycle.pk])
    assert set(everyone) == {(cycle.pk, world.team_a.pk), (cycle.pk, world.team_b.pk)}
    only_a = figures_for([cycle.pk], team_ids=[world.team_a.pk])
    assert set(only_a) == {(cycle.pk, world.team_a.pk)}
    assert only_a[(cycle.pk, world.team_a.pk)]["caseload"] == 19


def test_it_imports_no_figures_from_a_file_with_one_bad_line(world, make_cycle):
    cycle = make_cycle()
    bad = GOOD_CSV + "Children's Services / Locality South / Team C,999,,\n"
    with pytest.raises(ImportFailed) as error:
        import_figures(cycle=cycle, content=bad, user=None)
    assert any(e.startswith("line 4:") for e in error.value.errors)
    assert not StructuralFigures.objects.exists()


def test_it_names_bad_values_and_unknown_columns(world, make_cycle):
    cycle = make_cycle()
    bad = "team_path,caseload\nChildren's Services / Locality North / Team A,-3\n"
    with pytest.raises(ImportFailed, match=r"line 2: caseload: .*between 0 and 100"):
        import_figures(cycle=cycle, content=bad, user=None)
    with pytest.raises(ImportFailed, match="unknown column"):
        import_figures(cycle=cycle, content="team_path,shoe_size\nx,1\n", user=None)


def test_it_imports_a_headcount_with_the_figures_and_names_every_bad_value_on_a_line(
    world, make_cycle
):
    cycle = make_cycle()
    content = (
        "team_path,headcount,caseload\n"
        "Children's Services / Locality North / Team A,14,19\n"
        "Children's Services / Locality North / Team B,,22\n"
    )

    assert import_figures(cycle=cycle, content=content, user=None).saved == 2

    assert StructuralFigures.objects.get(team=world.team_a).headcount == 14
    assert StructuralFigures.objects.get(team=world.team_b).headcount is None
    bad = "team_path,headcount,caseload\nChildren's Services / Locality North / Team A,0,-3\n"
    with pytest.raises(ImportFailed) as error:
        import_figures(cycle=cycle, content=bad, user=None)
    assert error.value.errors == [
        "line 2: headcount: “0” is not a whole number of people from 1 to 1000; "
        "caseload: Average caseload per full-time practitioner must be between 0 and 100 cases"
    ]


def test_it_takes_figures_from_the_form_and_refuses_out_of_range_values(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    bad = client.post(url, {"caseload": "140"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["caseload"] == [
        "Give a number from 0 to 100 with at most two decimal places."
    ]
    too_precise = client.post(url, {"caseload": "24.123456"})
    assert too_precise.context["form"].errors["caseload"] == [
        "Give a number from 0 to 100 with at most two decimal places."
    ]
    assert not StructuralFigures.objects.exists()
    good = client.post(url, {"caseload": "21", "incidents": "2.5"})
    assert good.status_code == 302
    row = StructuralFigures.objects.get()
    assert (row.caseload, row.incidents, row.updated_by) == (21, Decimal("2.5"), world.team_manager)


def test_it_answers_every_bad_figure_with_its_own_range_and_keeps_what_was_typed(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    response = client.post(
        url, {"caseload": "-3", "vacancy_rate": "twelve", "sickness_days": "400", "turnover": "9"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["caseload"] == ["Give a number from 0 to 100 with at most two decimal places."]
    assert errors["vacancy_rate"] == [
        "Give a number from 0 to 100 with at most two decimal places."
    ]
    assert errors["sickness_days"] == [
        "Give a number from 0 to 365 with at most two decimal places."
    ]
    assert "turnover" not in errors
    page = response.content.decode()
    assert 'value="-3"' in page
    assert 'value="9"' in page
    assert not StructuralFigures.objects.exists()


def test_it_says_when_an_import_is_separated_by_semicolons(world, make_cycle):
    cycle = make_cycle()
    content = "team_path;caseload\nChildren's Services / Locality North / Team A;18\n"
    with pytest.raises(ImportFailed) as error:
        import_figures(cycle=cycle, content=content, user=None)
    assert error.value.errors == [
        "line 1: missing column team_path (the header is separated by semicolons: save the "
        "file as comma-separated CSV)"
    ]
    assert not StructuralFigures.objects.exists()


def test_it_names_the_headcount_among_the_import_columns_it_takes(world, make_cycle, client_for):
    cycle = make_cycle()
    page = client_for(world.leader).get(reverse("diagnostics:figures_import", args=[cycle.pk]))
    help_text = str(page.context["form"].fields["file"].help_text)
    assert help_text.startswith("Columns: team_path and any of headcount, caseload, ")


def test_it_warns_before_an_import_that_an_empty_cell_clears_a_figure(
    world, make_cycle, client_for
):
    cycle = make_cycle()
    page = client_for(world.leader).get(reverse("diagnostics:figures_import", args=[cycle.pk]))
    assert "An empty cell clears what is stored for that team" in page.content.decode()


def test_it_imports_through_the_site_and_reports_each_bad_line(world, make_cycle, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cycle = make_cycle()
    client = client_for(world.leader)
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    bad = client.post(
        url, {"file": SimpleUploadedFile("f.csv", b"team_path,caseload\nNowhere,3\n")}
    )
    assert bad.status_code == 400
    assert "line 2: no team with the path" in bad.content.decode()
    good = client.post(url, {"file": SimpleUploadedFile("f.csv", GOOD_CSV.encode())})
    assert good.status_code == 302
    assert StructuralFigures.objects.count() == 2


def test_it_says_a_question_mark_in_a_path_that_names_no_team_may_be_a_lost_letter(
    world, make_cycle
):
    """Excel's plain CSV is Windows-1252, which writes ŵ as "?": the path then names no team."""
    cycle = make_cycle()
    content = "team_path,caseload\nChildren's Services / Locality North / Team ?,19\nNowhere,3\n"

    with pytest.raises(ImportFailed) as error:
        import_figures(cycle=cycle, content=content, user=None)

    assert error.value.errors == [
        "line 2: no team with the path “Children's Services / Locality North / Team ?”. “?” "
        "often stands for a letter (ŵ, ŷ) that the file's encoding could not hold: save it as "
        "“CSV UTF-8” and import again.",
        "line 3: no team with the path “Nowhere”",
    ]


def test_it_imports_a_file_excel_saved_as_plain_csv_and_refuses_unicode_text(
    world, make_cycle, client_for
):
    """From the walk: Excel on Windows saves "CSV (Comma delimited)" as Windows-1252, where a
    curly apostrophe is one byte that is not UTF-8."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    cycle = make_cycle()
    client = client_for(world.leader)
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    windows = GOOD_CSV.replace("Children's", "Children\u2019s").encode("cp1252")

    imported = client.post(url, {"file": SimpleUploadedFile("f.csv", windows)})
    refused = client.post(url, {"file": SimpleUploadedFile("f.csv", GOOD_CSV.encode("utf-16"))})

    assert imported.status_code == 302
    assert StructuralFigures.objects.get(team=world.team_a).caseload == 19
    assert refused.status_code == 200
    assert "is not a CSV file as a spreadsheet saves one" in refused.content.decode()


def test_it_reports_a_large_import_s_count_in_thousands(world, make_cycle, client_for, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from diagnostics import views

    monkeypatch.setattr(
        views, "import_figures", lambda **kwargs: FiguresImported(saved=3000, cleared=1200)
    )
    cycle = make_cycle()
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    page = client_for(world.leader).post(
        url, {"file": SimpleUploadedFile("f.csv", GOOD_CSV.encode())}, follow=True
    )
    assert (
        "Imported structural figures for 3,000 teams. "
        "Cleared the figures of 1,200 teams, whose rows were empty."
    ) in page.content.decode()


def test_it_counts_only_the_teams_an_import_gave_figures_or_cleared(world, make_cycle):
    """From the walk: the file to fill in, imported with one team's row filled, said it had
    imported figures for every team in it. An empty row clears what was stored (an empty cell
    clears its figure), so it counts as cleared where there was something; where there was
    nothing, it changes nothing and is not counted."""
    from diagnostics.structural_data import import_template

    cycle = make_cycle(unit=world.root)  # Team A, Team B, Team C and more
    a_path = "Children's Services / Locality North / Team A"
    b_path = "Children's Services / Locality North / Team B"
    save_figures(cycle=cycle, team=world.team_b, values={"caseload": Decimal(20)}, user=None)
    header, *rows = import_template(cycle)
    assert len(rows) > 2
    # Team A's row given a caseload; every other row emptied (Team B's had a caseload).
    filled = [
        [a_path, "", "19", *[""] * (len(header) - 3)]
        if row[0] == a_path
        else [row[0], *[""] * (len(header) - 1)]
        for row in rows
    ]
    content = "\n".join(",".join(row) for row in [header, *filled])

    assert import_figures(cycle=cycle, content=content, user=None) == FiguresImported(
        saved=1, cleared=1
    )
    assert StructuralFigures.objects.get(team=world.team_b).caseload is None
    assert StructuralFigures.objects.get(team=world.team_a).caseload == 19
    # The empty rows of teams with nothing stored left nothing behind.
    assert set(StructuralFigures.objects.values_list("team__name", flat=True)) == {
        "Team A",
        "Team B",
    }
    assert import_figures(cycle=cycle, content=f"team_path,caseload\n{b_path},\n", user=None) == (
        FiguresImported(saved=0, cleared=0)
    )


def test_it_says_what_an_import_changed_and_that_an_empty_file_changed_nothing(
    world, make_cycle, client_for
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cycle = make_cycle()
    save_figures(cycle=cycle, team=world.team_b, values={"caseload": Decimal(20)}, user=None)
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    client = client_for(world.leader)
    content = (
        "team_path,caseload\n"
        "Children's Services / Locality North / Team A,19\n"
        "Children's Services / Locality North / Team B,\n"
    )

    page = client.post(url, {"file": SimpleUploadedFile("f.csv", content.encode())}, follow=True)
    again = client.post(url, {"file": SimpleUploadedFile("f.csv", content.encode())}, follow=True)
    emptied = content.replace(",19", ",")
    empty = client.post(url, {"file": SimpleUploadedFile("f.csv", emptied.encode())}, follow=True)

    said = [str(message) for message in page.context["messages"]]
    assert said == [
        "Imported structural figures for 1 team. "
        "Cleared the figures of 1 team, whose row was empty."
    ]
    assert [str(message) for message in again.context["messages"]] == [
        "Imported structural figures for 1 team."
    ]
    assert [str(message) for message in empty.context["messages"]] == [
        "Cleared the figures of 1 team, whose row was empty."
    ]
    nothing = client.post(url, {"file": SimpleUploadedFile("f.csv", emptied.encode())}, follow=True)
    assert [str(message) for message in nothing.context["messages"]] == [
        "Nothing changed: every team's figures in the file were empty."
    ]


def test_it_refuses_an_oversized_upload_before_reading_it(
    world, make_cycle, client_for, settings, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http.multipartparser import MultiPartParser

    from diagnostics.models import StructuralFigures

    def must_not_parse(self, *args, **kwargs):
        raise AssertionError("the oversized body was read")

    monkeypatch.setattr(MultiPartParser, "parse", must_not_parse)
    settings.MAX_REQUEST_BYTES = 10_000
    cycle = make_cycle()
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    big = SimpleUploadedFile("f.csv", b"team_path,caseload\n" + b"x" * 20_000)
    response = client_for(world.leader).post(url, {"file": big})
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()
    assert not StructuralFigures.objects.exists()


def test_it_explains_that_an_import_file_is_over_its_limit(world, make_cycle, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from organisations.forms import MAX_IMPORT_BYTES

    cycle = make_cycle()
    url = reverse("diagnostics:figures_import", args=[cycle.pk])
    big = SimpleUploadedFile("f.csv", b"team_path,caseload\n" + b"x" * MAX_IMPORT_BYTES)
    response = client_for(world.leader).post(url, {"file": big})
    assert response.status_code == 200
    assert "The file is too large: keep it under 1 MB." in response.content.decode()
    assert not StructuralFigures.objects.exists()


def test_it_weighs_each_lens_pair_over_the_teams_that_have_both_of_its_values():
    """A team drops out of a pair when its figure is not recorded or its mean of that domain is
    not shown, and counts in every other pair: the lens equals `associate` of each pair's own
    teams, in team order, weighed together."""
    import random
    from types import SimpleNamespace

    from diagnostics.structural_data import lens

    generator = random.Random(7)
    codes = ["WL", "SV", "WB"]
    domains = [SimpleNamespace(code=code, name=f"Domain {code}") for code in codes]
    teams = [SimpleNamespace(pk=pk) for pk in range(1, 41)]
    figures: dict[tuple[int, int], dict[str, Decimal | None]] = {}
    shown: dict[int, dict[str, float]] = {}
    for team in teams:
        figures[(9, team.pk)] = {
            figure.code: None if generator.random() < 0.2 else Decimal(generator.randint(1, 30))
            for figure in FIGURES
        }
        shown[team.pk] = {
            code: round(generator.uniform(1, 6), 2) for code in codes if generator.random() > 0.25
        }

    def cell(mean: float) -> SimpleNamespace:
        return SimpleNamespace(figures=SimpleNamespace(mean=mean))

    results = SimpleNamespace(
        domains=domains,
        groups=lambda units: [
            SimpleNamespace(domains={code: cell(mean) for code, mean in shown[u.pk].items()})
            for u in units
        ],
    )
    found = lens(results, figures, cycle_id=9, teams=teams)  # type: ignore[arg-type]

    expected = []
    for figure in FIGURES:
        for domain in domains:
            pairs = [
                (float(value), shown[team.pk][domain.code])
                for team in teams
                if (value := figures[(9, team.pk)][figure.code]) is not None
                and domain.code in shown[team.pk]
            ]
            expected.append(associate(figure, domain.code, domain.name, pairs))
    assert [r.association for r in found] == weigh(expected)
    assert any(0 < a.teams < len(teams) for a in weigh(expected))  # teams dropped out of pairs
    assert len({a.teams for a in weigh(expected)}) > 3  # and differently from pair to pair


def test_it_fixes_a_team_s_headcount_once_the_team_has_answered(
    world, make_cycle, respond, client_for
):
    """A headcount bounds the team's responses, so whoever records one could otherwise try
    numbers and watch which change the pages. Before any answer it can change freely."""
    cycle = make_cycle(unit=world.team_a)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 6}, user=None)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 5}, user=None)
    respond(cycle, world.team_a, 3)
    with pytest.raises(ValidationError, match="cannot change once the team has answered"):
        save_figures(cycle=cycle, team=world.team_a, values={"headcount": 4}, user=None)
    with pytest.raises(ValidationError, match="cannot change once the team has answered"):
        save_figures(cycle=cycle, team=world.team_a, values={"headcount": None}, user=None)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 5}, user=None)  # as it was
    save_figures(cycle=cycle, team=world.team_a, values={"caseload": Decimal(18)}, user=None)
    assert CycleTeam.objects.get(cycle=cycle, team=world.team_a).headcount == 5

    client = client_for(world.team_manager)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    form = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="headcount"[^>]*disabled', form)
    assert "cannot change once the team has answered" in form
    client.post(url, {"headcount": "4", "caseload": "17"})
    figures = StructuralFigures.objects.get(cycle=cycle, team=world.team_a)
    assert (figures.headcount, figures.caseload) == (5, 17)

    with pytest.raises(ImportFailed, match="fixed once the team has answered"):
        _import_headcount(cycle, "Team A", 4)


def _import_headcount(cycle, team: str, people: int) -> FiguresImported:
    """Import one headcount for a team of Locality North."""
    content = f"team_path,headcount\nChildren's Services / Locality North / {team},{people}\n"
    return import_figures(cycle=cycle, content=content, user=None)


def test_it_bounds_a_pulse_by_the_headcount_of_the_last_full_diagnostic_its_team_answered(
    world, make_cycle, respond
):
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.models import Cycle
    from diagnostics.selectors import recorded_headcount

    today = timezone.localdate()
    answered = make_cycle(unit=world.team_a, opens_on=today - timedelta(days=9), closes_on=today)
    save_figures(cycle=answered, team=world.team_a, values={"headcount": 7}, user=None)
    respond(answered, world.team_a, 5)
    unanswered = make_cycle(unit=world.team_a, opens_on=today - timedelta(days=2), closes_on=today)
    save_figures(cycle=unanswered, team=world.team_a, values={"headcount": 3}, user=None)
    pulse = make_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.PULSE,
        opens_on=today + timedelta(days=1),
        closes_on=today + timedelta(days=7),
    )
    shown = recorded_headcount(pulse, world.team_a)
    assert shown is not None
    assert (shown.people, shown.cycle_name, shown.this_cycle) == (7, answered.name, False)
    fixed = CycleTeam.objects.get(cycle=pulse, team=world.team_a)
    assert (fixed.headcount, fixed.headcount_from) == (7, answered)
    # A headcount recorded since, on a diagnostic the team has not answered, changes nothing.
    save_figures(cycle=unanswered, team=world.team_a, values={"headcount": 2}, user=None)
    fixed.refresh_from_db()
    assert fixed.headcount == 7


def test_it_takes_back_on_import_the_fixed_headcount_the_figures_form_shows(
    world, make_cycle, respond, client_for
):
    """A pulse's figures form shows the headcount fixed for it (here the last full diagnostic's
    7) once the team has answered: an import that gives that same number back, as its message
    asks ("give the headcount recorded before"), changes nothing and is not refused."""
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.models import Cycle

    today = timezone.localdate()
    full = make_cycle(unit=world.team_a, opens_on=today - timedelta(days=9), closes_on=today)
    save_figures(cycle=full, team=world.team_a, values={"headcount": 7}, user=None)
    respond(full, world.team_a, 5)
    pulse = make_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.PULSE,
        opens_on=today + timedelta(days=1),
        closes_on=today + timedelta(days=7),
    )
    respond(pulse, world.team_a, 3)
    url = reverse("diagnostics:figures_edit", args=[pulse.pk, world.team_a.pk])
    form = client_for(world.team_manager).get(url).context["form"]
    shown = form["headcount"].value()
    assert shown == 7
    assert f"It was recorded with “{full.name}”." in form.fields["headcount"].help_text
    line = "Children's Services / Locality North / Team A"
    assert (
        import_figures(
            cycle=pulse, content=f"team_path,headcount,caseload\n{line},{shown},12\n", user=None
        ).saved
        == 1
    )
    figures = StructuralFigures.objects.get(cycle=pulse, team=world.team_a)
    assert figures.caseload == 12
    fixed = CycleTeam.objects.get(cycle=pulse, team=world.team_a)
    assert (fixed.headcount, fixed.headcount_from) == (7, full)
    with pytest.raises(ImportFailed, match="fixed once the team has answered"):
        import_figures(cycle=pulse, content=f"team_path,headcount\n{line},8\n", user=None)


def test_it_fixes_every_headcount_of_a_cycle_once_it_has_closed(world, make_cycle, respond):
    """Even a team that did not answer: its headcount bounds its part of a pool, and the plans
    of a closed cycle are remembered."""
    from diagnostics.services import close_cycle

    cycle = make_cycle(unit=world.north)
    save_figures(cycle=cycle, team=world.team_b, values={"headcount": 6}, user=None)
    respond(cycle, world.team_a, 5)
    close_cycle(cycle=cycle)
    with pytest.raises(ValidationError, match="or once it has closed"):
        save_figures(cycle=cycle, team=world.team_b, values={"headcount": 4}, user=None)
    save_figures(cycle=cycle, team=world.team_b, values={"caseload": Decimal(12)}, user=None)
    assert CycleTeam.objects.get(cycle=cycle, team=world.team_b).headcount == 6
    with pytest.raises(ImportFailed, match="or once the cycle has closed"):
        _import_headcount(cycle, "Team B", 4)


def test_it_says_nothing_of_a_single_pulse_s_responses_on_its_figures_form(
    world, pulses_a_week_apart, respond, client_for
):
    """North's four weekly pulses pool 5 responses: Team A 1 in each pulse, Team B 1 in the
    third (5 codes each, each pulse). The pool's pages show North's 5, and A and B "fewer than
    5" each: 1 to 4 apiece, which the engine checks. But North's leader opens each team's
    figures form while its pulse is open: A's headcount is fixed in all four (A answered each,
    so A has at least 4), B's only in the third. A is 4, and B 1, who answered in the third
    week: a count a pulse's pages never give, not even as a side of k."""
    from diagnostics.services import close_cycle, issue_invites

    pulses = pulses_a_week_apart(world.north, 4)
    for pulse in pulses:
        issue_invites(cycle=pulse, team=world.team_a, count=5)
        issue_invites(cycle=pulse, team=world.team_b, count=5)
        respond(pulse, world.team_a, 1)
    respond(pulses[2], world.team_b, 1)
    leader = client_for(world.leader)
    fixed: dict[Any, list[bool]] = {world.team_a: [], world.team_b: []}
    for pulse in pulses:  # each read while its pulse is open
        for team, states in fixed.items():
            url = reverse("diagnostics:figures_edit", args=[pulse.pk, team.pk])
            states.append(leader.get(url).context["form"].fields["headcount"].disabled)
    for pulse in pulses:
        close_cycle(cycle=pulse)
    page = leader.get(reverse("diagnostics:cycle_detail", args=[pulses[0].pk]))

    pool = page.context["progress"].unit_responses
    teams = {row.team: row.responses for row in page.context["teams"]}
    assert (pool, teams) == ("5", {world.team_a: "fewer than 5", world.team_b: "fewer than 5"})
    # Read as "answered", the forms leave A at least 4 of North's 5, and B at least 1.
    assert fixed[world.team_a] == fixed[world.team_b], (
        f"A answered {sum(fixed[world.team_a])} pulses and B {sum(fixed[world.team_b])} "
        f"(pulses {fixed[world.team_b]}), so A has 4 and B 1"
    )


def test_it_fixes_a_pulse_s_headcount_from_when_it_opens(world, make_cycle, client_for):
    """Before anyone could answer it, whatever the team's responses: the form says why."""
    from diagnostics.models import Cycle
    from diagnostics.services import open_cycle

    pulse = make_cycle(unit=world.north, kind=Cycle.Kind.PULSE, opened=False)
    save_figures(cycle=pulse, team=world.team_a, values={"headcount": 6}, user=None)
    open_cycle(cycle=pulse)
    with pytest.raises(ValidationError, match="cannot change once this pulse has opened"):
        save_figures(cycle=pulse, team=world.team_a, values={"headcount": 7}, user=None)
    url = reverse("diagnostics:figures_edit", args=[pulse.pk, world.team_a.pk])
    field = client_for(world.leader).get(url).context["form"].fields["headcount"]
    assert field.disabled
    assert "Record it before the pulse opens." in field.help_text
    assert CycleTeam.objects.get(cycle=pulse, team=world.team_a).headcount == 6


def test_it_labels_a_figure_with_its_unit_only_where_the_label_does_not_name_it(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.north)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    fields = client_for(world.leader).get(url).context["form"].fields
    assert fields["sickness_days"].label == "Sickness absence days per FTE (12 months)"
    assert fields["incidents"].label == "Safety incidents per 10 FTE (12 months)"
    assert fields["caseload"].label == "Average caseload per full-time practitioner (cases)"


def test_it_asks_for_a_headcount_in_its_own_words_whatever_is_wrong_with_it(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a, opened=False)
    url = reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_a.pk])
    client = client_for(world.team_manager)
    for typed in ("0", "1001", "twelve", "3.5"):
        page = client.post(url, {"headcount": typed})
        assert page.context["form"].errors["headcount"] == [
            "Give the number of people as a whole number from 1 to 1,000."
        ], typed
        assert f'value="{typed}"' in page.content.decode()


def test_it_gives_a_file_to_fill_in_with_the_cycle_s_teams_that_imports_as_given(
    world, make_cycle, client_for
):
    cycle = make_cycle()  # Locality North: Team A and Team B
    response = client_for(world.org_admin).get(
        reverse("diagnostics:figures_template", args=[cycle.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffteam_path,headcount,caseload,")
    rows = text.lstrip("\ufeff").splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == [
        "Children's Services / Locality North / Team A",
        "Children's Services / Locality North / Team B",
    ]
    filled = "\n".join([rows[0], rows[1].replace(",", ",12", 1), rows[2]])
    # Team B's row is left empty, as given: nothing is stored for it, and it is not counted.
    assert import_figures(cycle=cycle, content=filled, user=None) == FiguresImported(
        saved=1, cleared=0
    )
    assert StructuralFigures.objects.get(team=world.team_a).headcount == 12


def test_it_gives_the_outsider_404_for_the_file_to_fill_in(world, make_cycle, client_for):
    cycle = make_cycle()

    response = client_for(world.outsider).get(
        reverse("diagnostics:figures_template", args=[cycle.pk])
    )

    assert response.status_code == 404


def test_it_fills_the_file_in_as_recorded_so_that_importing_it_unchanged_changes_nothing(
    world, make_cycle
):
    from diagnostics.structural_data import import_template

    cycle = make_cycle()
    import_figures(cycle=cycle, content=GOOD_CSV, user=None)
    before = list(StructuralFigures.objects.order_by("team__path").values())
    rows = import_template(cycle)

    assert rows[1][:5] == [
        "Children's Services / Locality North / Team A",
        "",
        "19.00",
        "12.50",
        "",
    ]
    content = "\n".join(",".join(row) for row in rows)
    assert import_figures(cycle=cycle, content=content, user=None).saved == 2
    after = list(StructuralFigures.objects.order_by("team__path").values())
    assert [{**row, "updated_at": None} for row in after] == [
        {**row, "updated_at": None} for row in before
    ]
