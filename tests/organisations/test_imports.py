from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from organisations.models import Membership, Organisation, Role, Unit
from organisations.selectors import readable_paths

STRUCTURE = """path
Children's Services / Locality North / Team A
Children's Services / Locality North / Team B
Children's Services / Locality South / Team C
Adult Social Care / Team D
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_it_imports_a_structure_and_creates_the_organisation(db, tmp_path, capsys):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    organisation = Organisation.objects.get(slug="county")
    paths = set(readable_paths(organisation).values())
    assert "Children's Services / Locality North / Team A" in paths
    assert "Adult Social Care / Team D" in paths
    assert Unit.objects.filter(organisation=organisation, is_team=True).count() == 4
    assert not Unit.objects.get(organisation=organisation, name="Locality North").is_team
    assert "created 8 unit(s)" in capsys.readouterr().out


def test_it_lists_each_unit_it_creates_after_the_summary(db, tmp_path, capsys):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    capsys.readouterr()
    more = STRUCTURE + "children\u2019s services / Locality West / Team W\n"

    call_command("import_structure", "county", write(tmp_path, "s.csv", more))

    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "  created: Children's Services / Locality West",
        "  created: Children's Services / Locality West / Team W",
    ]


def test_it_warns_of_a_new_unit_named_like_a_sibling_but_for_case_punctuation_or_spacing(
    db, tmp_path, capsys
):
    """From the walk: "Childrens Services" silently made a second directorate."""
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    capsys.readouterr()
    typos = (
        "path\n"
        "Childrens Services / Team X\n"
        "Adult Social Care / Team-D\n"
        "Adult Social Care / Day  Care\n"
        "Adult Social Care / day-care\n"
        "Adult Social Care / Team E\n"
    )

    call_command("import_structure", "county", write(tmp_path, "s.csv", typos))

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Warning: line 2: “Childrens Services” looks like the existing “Children's Services”; "
        "check it is not a typo",
        "Warning: line 3: “Team-D” looks like the existing “Team D”; check it is not a typo",
        "Warning: line 5: “day-care” looks like “Day Care” (line 4); check it is not a typo",
    ]
    assert "created 6 unit(s)" in captured.out
    assert Unit.objects.filter(name="Childrens Services").exists()


def test_it_reads_a_slash_without_spaces_as_a_level_and_says_so_naming_the_line(
    db, tmp_path, capsys
):
    """From the walk: "…Gogledd (North)/Sub" silently made a unit with a team "Sub". Levels are
    joined by " / ", but every command matches a path with any spacing around its slashes (a
    unit name cannot contain "/"), so the line is read so, and the warning names it."""
    content = (
        "path\n"
        "Children's Services / Safeguarding / Team One\n"
        "Children's Services / Safeguarding / Tîm Diogelu Gogledd (North)/Sub\n"
    )

    call_command("import_structure", "county", write(tmp_path, "s.csv", content))

    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "Warning: line 3: a “/” without a space on each side was read as a new level: "
        "“Children's Services” › “Safeguarding” › “Tîm Diogelu Gogledd (North)” › “Sub”. "
        "Levels are joined by “ / ”, and a unit name cannot contain “/”: check this is the "
        "tree you meant."
    ]
    assert captured.out.splitlines()[-1] == (
        "  created: Children's Services / Safeguarding / Tîm Diogelu Gogledd (North) / Sub"
    )


def test_it_warns_that_a_question_mark_in_a_name_may_be_a_letter_the_file_lost(
    db, tmp_path, capsys
):
    """Excel's plain CSV is Windows-1252, which writes ŵ as "?"."""
    windows = tmp_path / "windows.csv"
    windows.write_bytes(
        "path\nLlanŵst Youth Team / Team 1\nLlanŵst Youth Team / Team 2\n".encode(
            "cp1252", errors="replace"
        )
    )

    call_command("import_structure", "county", str(windows))

    assert capsys.readouterr().err.splitlines() == [
        "Warning: line 2: “Llan?st Youth Team” has a “?”. “?” often stands for a letter (ŵ, ŷ) "
        "that the file's encoding could not hold: save it as “CSV UTF-8” and import again."
    ]
    assert Unit.objects.filter(name="Llan?st Youth Team").exists()  # a warning, not a refusal


def test_it_imports_again_without_duplicating(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    assert Unit.objects.filter(organisation__slug="county").count() == 9


def test_it_counts_each_unit_once_however_many_paths_pass_through_it(db, tmp_path, capsys):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    capsys.readouterr()
    more = STRUCTURE + "Adult Social Care / Team E\n"
    call_command("import_structure", "county", write(tmp_path, "s.csv", more))
    out = capsys.readouterr().out
    assert "created 1 unit(s)" in out
    assert "8 already existed" in out


def test_it_matches_existing_units_in_any_case_and_either_apostrophe(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    again = "path\nchildren\u2019s services / LOCALITY NORTH / Team F\n"
    call_command("import_structure", "county", write(tmp_path, "s.csv", again))
    assert Unit.objects.filter(organisation__slug="county", depth=2).count() == 2
    assert "Children's Services / Locality North / Team F" in set(
        readable_paths(Organisation.objects.get(slug="county")).values()
    )


def test_it_reads_a_file_excel_saved_as_plain_csv_and_refuses_unicode_text(db, tmp_path):
    windows = tmp_path / "windows.csv"
    windows.write_bytes("path\nChildren\u2019s Services / Caf\xe9 Team\n".encode("cp1252"))
    unicode_text = tmp_path / "unicode.csv"
    unicode_text.write_bytes(STRUCTURE.encode("utf-16"))

    call_command("import_structure", "county", str(windows))

    assert Unit.objects.filter(name="Café Team").exists()
    with pytest.raises(CommandError, match="not a CSV file's text"):
        call_command("import_structure", "county", str(unicode_text))


def test_it_matches_paths_the_same_way_in_every_command(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    users = (
        "email,role,unit_path\nkim@county.example,leader,children\u2019s services/LOCALITY NORTH\n"
    )
    call_command("import_users", "county", write(tmp_path, "u.csv", users))
    membership = Membership.objects.get(user__email="kim@county.example")
    assert membership.unit.name == "Locality North"
    out = io.StringIO()
    call_command(
        "create_cycle",
        "county",
        "--unit",
        "CHILDREN'S SERVICES / locality north",
        "--kind",
        "full",
        "--opens",
        "2027-03-01",
        "--closes",
        "2027-03-20",
        stdout=out,
    )
    cycle_id = out.getvalue().strip().splitlines()[-1]
    codes = io.StringIO()
    call_command(
        "issue_invites",
        cycle_id,
        "--team",
        "children's services / locality north / team a",
        "--count",
        "1",
        stdout=codes,
    )
    assert codes.getvalue().startswith("code,url")


def test_it_says_on_which_line_a_path_repeats_the_organisation_s_name(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    name = Organisation.objects.get(slug="county").name
    bad = f"path\n{name} / Children's Services / Team G\n"
    with pytest.raises(CommandError, match=r"line 2: paths start below the organisation"):
        call_command("import_structure", "county", write(tmp_path, "s.csv", bad))
    assert not Unit.objects.filter(name="Team G").exists()


def test_it_imports_nothing_from_a_structure_with_one_bad_row(db, tmp_path):
    bad = STRUCTURE + "Children's Services /  / Team E\n"
    with pytest.raises(CommandError) as error:
        call_command("import_structure", "county", write(tmp_path, "s.csv", bad))
    assert "line 6" in str(error.value)
    assert "empty level" in str(error.value)
    assert not Organisation.objects.filter(slug="county").exists()
    assert not Unit.objects.exists()


def test_it_refuses_a_structure_that_puts_units_inside_a_team(db, tmp_path):
    bad = "path\nNorth / Team A\nNorth / Team A / Sub\n"
    with pytest.raises(CommandError, match=r"line 3: “North / Team A” is a team on line 2"):
        call_command("import_structure", "county", write(tmp_path, "s.csv", bad))
    assert not Unit.objects.exists()


def test_it_refuses_a_structure_file_without_a_path_column(db, tmp_path):
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_structure", "county", write(tmp_path, "s.csv", "name\nA\n"))


def test_it_says_when_a_file_is_separated_by_semicolons(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    users = "email;role;unit_path\nkim@county.example;leader;North\n"
    with pytest.raises(CommandError, match="separated by semicolons"):
        call_command("import_users", "county", write(tmp_path, "u.csv", users))


def test_it_says_clearly_when_the_file_is_missing(db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_structure", "county", "/nonexistent/file.csv")


USERS = """email,role,unit_path
Boss@County.example,org_admin,
head@county.example,leader,Children's Services
lead.north@county.example,leader,Children's Services / Locality North
tm@county.example,team_manager,Children's Services / Locality North / Team A
"""


@pytest.fixture
def county(db, tmp_path):
    call_command("import_structure", "county", write(tmp_path, "s.csv", STRUCTURE))
    return Organisation.objects.get(slug="county")


def test_it_imports_users_with_roles(county, tmp_path):
    call_command("import_users", "county", write(tmp_path, "u.csv", USERS))
    boss = Membership.objects.get(user__email="boss@county.example")
    assert boss.role == Role.ORG_ADMIN
    assert boss.unit.depth == 1
    manager = Membership.objects.get(user__email="tm@county.example")
    assert manager.role == Role.TEAM_MANAGER
    assert manager.unit.name == "Team A"
    assert Membership.objects.filter(organisation=county).count() == 4


def test_it_lists_each_role_it_gives_or_changes_and_counts_only_those(county, tmp_path, capsys):
    capsys.readouterr()
    call_command("import_users", "county", write(tmp_path, "u.csv", USERS))
    first = capsys.readouterr().out.splitlines()
    again = USERS.replace("head@county.example,leader", "head@county.example,team_manager")
    again = again.replace(
        "Children's Services\n", "Children's Services / Locality South / Team C\n"
    )
    again += "head@county.example,leader,Children's Services\n"

    call_command("import_users", "county", write(tmp_path, "u.csv", again))

    assert first[0].startswith("County: 4 role(s) given; 4 new account(s).")
    assert first[1:] == [
        "  given: boss@county.example, org_admin at County (new account)",
        "  given: head@county.example, leader at Children's Services (new account)",
        "  given: lead.north@county.example, leader at Children's Services / Locality North "
        "(new account)",
        "  given: tm@county.example, team_manager at Children's Services / Locality North / "
        "Team A (new account)",
    ]
    second = capsys.readouterr().out.splitlines()
    assert second[0].startswith("County: 1 role(s) given; 0 new account(s).")
    assert second[1:] == [
        "0 role(s) changed; 4 already held.",
        "  given: head@county.example, team_manager at Children's Services / Locality South / "
        "Team C",
    ]
    change = (
        "email,role,unit_path\nhead@county.example,org_admin,\nboss@county.example,leader,County\n"
    )
    call_command("import_users", "county", write(tmp_path, "u.csv", change))
    assert capsys.readouterr().out.splitlines()[1:] == [
        "1 role(s) changed; 0 already held.",
        "  given: head@county.example, org_admin at County",
        "  changed: boss@county.example, org_admin → leader at County",
    ]


def test_it_imports_no_users_from_a_file_with_one_bad_row(county, tmp_path):
    bad = USERS + "nobody@county.example,team_manager,Children's Services / Nowhere / Team Z\n"
    bad += "not-an-email,boss,\n"
    with pytest.raises(CommandError) as error:
        call_command("import_users", "county", write(tmp_path, "u.csv", bad))
    message = str(error.value)
    assert "line 6: no unit with the path “Children's Services / Nowhere / Team Z”" in message
    assert "line 7:" in message
    assert "not a valid e-mail address" in message
    assert "unknown role “boss”" in message
    assert not Membership.objects.filter(organisation=county).exists()


def test_it_gives_a_role_repeated_in_a_file_once_and_refuses_two_roles_at_one_unit(
    county, tmp_path, capsys
):
    repeated = (
        USERS + "TM@county.example,team_manager,Children's Services / Locality North / Team A\n"
    )
    call_command("import_users", "county", write(tmp_path, "u.csv", repeated))
    assert Membership.objects.filter(user__email="tm@county.example").count() == 1
    assert "4 role(s) given" in capsys.readouterr().out

    torn = USERS + "boss@county.example,leader,County\n"
    with pytest.raises(CommandError) as error:
        call_command("import_users", "county", write(tmp_path, "u2.csv", torn))
    assert str(error.value).splitlines()[-1].strip() == (
        "line 6: gives boss@county.example a different role at this unit from line 2 "
        "(org_admin): keep only the line with the role they should hold"
    )


def test_it_says_a_question_mark_in_a_unit_path_that_names_no_unit_may_be_a_lost_letter(
    county, tmp_path
):
    bad = "email,role,unit_path\nx@county.example,leader,Adult Social C?re\n"
    with pytest.raises(CommandError) as error:
        call_command("import_users", "county", write(tmp_path, "u.csv", bad))
    assert "line 2: no unit with the path “Adult Social C?re”. “?” often stands for a letter" in (
        str(error.value)
    )


def test_it_refuses_a_role_that_does_not_fit_its_unit(county, tmp_path):
    bad = "email,role,unit_path\nx@county.example,team_manager,Children's Services\n"
    with pytest.raises(CommandError, match="line 2: Team managers hold their role at a team"):
        call_command("import_users", "county", write(tmp_path, "u.csv", bad))


def test_it_refuses_users_for_an_unknown_organisation(db, tmp_path):
    with pytest.raises(CommandError, match="No organisation with the slug"):
        call_command("import_users", "nowhere", write(tmp_path, "u.csv", USERS))


def test_it_names_people_from_an_optional_name_column(county, tmp_path, capsys):
    """From the walk: accounts were named after their address ("Hello, rhian.prys")."""
    from accounts.models import User

    def import_named(*rows: tuple[str, str]) -> str:
        capsys.readouterr()
        lines = "".join(f"{email},leader,Children's Services,{name}\n" for email, name in rows)
        call_command("import_users", "county", write(tmp_path, "u.csv", header + lines))
        return capsys.readouterr().out

    def name_of(email: str) -> str:
        return User.objects.get(email=email).display_name

    header = "email,role,unit_path,name\n"
    import_named(("rhian.prys@county.example", "  Rhian   Prys "), ("no.name@county.example", ""))
    assert name_of("rhian.prys@county.example") == "Rhian Prys"
    assert name_of("no.name@county.example") == "no.name"

    out = import_named(("no.name@county.example", "Dafydd Rees"), ("rhian.prys@county.example", ""))

    assert name_of("no.name@county.example") == "Dafydd Rees"
    assert name_of("rhian.prys@county.example") == "Rhian Prys"
    assert "  renamed: no.name@county.example, now “Dafydd Rees”" in out
