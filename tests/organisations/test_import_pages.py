"""The structure and people imports on the web: a file is checked and what it would do shown,
with nothing changed, then imported when the admin confirms; the downloads give the file as it
is, which imported again changes nothing."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from organisations.models import Membership, Role, Unit
from organisations.services import add_unit

NEW_TEAMS = (
    "path\n"
    "Children's Services / Locality North / Team D\n"
    "Children's Services / Locality East / Team E\n"
    "Children's Services / Locality North / Team A\n"
)


def new_roles(world) -> str:
    """A new team manager, and Team A's manager made Locality South's leader as well."""
    return (
        "email,role,unit_path,name\n"
        "new.manager@example.org,team_manager,Children's Services / Locality North / Team B,"
        "Nia Newydd\n"
        f"{world.team_manager.email},leader,Children's Services / Locality South,\n"
    )


def upload(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_it_shows_what_a_structure_file_would_add_and_adds_nothing_until_confirmed(
    world, client_for
):
    client = client_for(world.org_admin)
    url = reverse("organisations:structure_import")
    before = Unit.objects.filter(organisation=world.organisation).count()

    checked = client.post(url, {"file": upload(NEW_TEAMS)})

    text = checked.content.decode()
    assert checked.status_code == 200
    assert "Add 3 units:" in text
    assert "<li>Children&#x27;s Services / Locality North / Team D</li>" in text
    assert "<li>Children&#x27;s Services / Locality East</li>" in text
    assert "<li>Children&#x27;s Services / Locality East / Team E</li>" in text
    assert "3 units the file names are already there" in text  # Services, North, Team A
    assert Unit.objects.filter(organisation=world.organisation).count() == before

    confirmed = client.post(url, {"content": checked.context["confirm"]["content"].value()})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("organisations:structure")
    assert Unit.objects.filter(organisation=world.organisation).count() == before + 3
    team_e = Unit.objects.get(organisation=world.organisation, name="Team E")
    assert team_e.is_team
    page = client.get(reverse("organisations:structure")).content.decode()
    assert "Added 3 units." in page


def test_it_lists_every_bad_line_of_a_structure_file_and_changes_nothing(world, client_for):
    client = client_for(world.org_admin)
    url = reverse("organisations:structure_import")
    bad = "path\nChildren's Services / Locality North / Team A / Inside\n / Locality X\n"
    before = Unit.objects.filter(organisation=world.organisation).count()

    response = client.post(url, {"file": upload(bad)})

    text = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in text
    assert "line 2: “Children&#x27;s Services / Locality North / Team A” is already a team" in text
    assert "line 3: the path is empty or has an empty level" in text
    assert "Check the file</button>" in text
    assert 'name="content"' not in text
    assert Unit.objects.filter(organisation=world.organisation).count() == before


def test_it_refuses_a_file_that_is_not_a_spreadsheet_s_text(world, client_for):
    client = client_for(world.org_admin)
    response = client.post(
        reverse("organisations:structure_import"),
        {"file": SimpleUploadedFile("team.xlsx", b"PK\x03\x04\x00\xff\xfe binary")},
    )
    assert response.status_code == 400
    assert "The file is not a CSV file as a spreadsheet saves one." in response.content.decode()


def test_it_imports_nothing_when_the_structure_changed_between_check_and_import(world, client_for):
    client = client_for(world.org_admin)
    url = reverse("organisations:structure_import")
    checked = client.post(url, {"file": upload("path\nChildren's Services / Locality West\n")})
    content = checked.context["confirm"]["content"].value()
    add_unit(parent=world.units["Children's Services"], name="Locality West", is_team=False)

    response = client.post(url, {"content": content})

    assert response.status_code == 400
    assert "already exists as a unit, not a team" in response.content.decode()
    assert not Unit.objects.filter(name="Locality West", is_team=True).exists()


def test_it_downloads_the_structure_that_imported_again_changes_nothing(world, client_for):
    client = client_for(world.org_admin)
    download = client.get(reverse("organisations:structure_file"))
    assert download["Content-Disposition"] == 'attachment; filename="structure-example.csv"'
    rows = rows_of(download)
    assert rows == [
        ["path"],
        ["Children's Services / Locality North / Team A"],
        ["Children's Services / Locality North / Team B"],
        ["Children's Services / Locality South / Team C"],
    ]
    as_downloaded = SimpleUploadedFile("structure.csv", download.content)
    checked = client.post(reverse("organisations:structure_import"), {"file": as_downloaded})
    assert "Add nothing: every unit in the file is already there." in checked.content.decode()


def test_it_shows_the_roles_a_people_file_would_give_and_gives_them_when_confirmed(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.org_admin)
    url = reverse("organisations:people_import")

    checked = client.post(url, {"file": upload(new_roles(world))})

    text = checked.content.decode()
    assert checked.status_code == 200
    assert "given: new.manager@example.org, team_manager at Children&#x27;s Services" in text
    assert "(new account)" in text
    assert (
        f"given: {world.team_manager.email}, leader at Children&#x27;s Services / Locality South<"
        in text
    )
    assert "1 new account." in text
    assert not User.objects.filter(email="new.manager@example.org").exists()
    assert mailoutbox == []
    assert checked.context["confirm"]["send_links"].value() is True

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            url, {"content": checked.context["confirm"]["content"].value(), "send_links": "on"}
        )

    assert confirmed.status_code == 302
    new = Membership.objects.get(user__email="new.manager@example.org")
    assert (new.role, new.unit.name, new.user.display_name) == (
        Role.TEAM_MANAGER,
        "Team B",
        "Nia Newydd",
    )
    assert Membership.objects.get(user=world.team_manager, unit__name="Locality South").role == (
        Role.LEADER
    )
    assert sorted(sent.to[0] for sent in mailoutbox) == sorted(
        ["new.manager@example.org", world.team_manager.email]
    )
    (to_new,) = (sent for sent in mailoutbox if sent.to == ["new.manager@example.org"])
    assert "/accounts/set-password/" in to_new.body
    page = client.get(reverse("organisations:people")).content.decode()
    assert "Gave or changed 2 roles. Each person given one was e-mailed it." in page


def test_it_gives_roles_without_e_mailing_anyone_when_asked_not_to(
    world, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(world.org_admin)
    url = reverse("organisations:people_import")
    checked = client.post(url, {"file": upload(new_roles(world))})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"content": checked.context["confirm"]["content"].value()})

    assert Membership.objects.filter(user__email="new.manager@example.org").exists()
    assert mailoutbox == []


def test_it_lists_every_bad_line_of_a_people_file_and_gives_no_role(world, client_for):
    client = client_for(world.org_admin)
    bad = (
        "email,role,unit_path\n"
        "someone@example.org,team_manager,Children's Services / Locality North / Team A\n"
        "not-an-address,leader,Children's Services / Locality North\n"
        "otto@example.org,team_manager,Nowhere\n"
    )
    response = client.post(reverse("organisations:people_import"), {"file": upload(bad)})

    text = response.content.decode()
    assert response.status_code == 400
    assert "line 3: “not-an-address” is not a valid e-mail address" in text
    assert "line 4: no unit with the path “Nowhere”" in text
    assert not User.objects.filter(email="someone@example.org").exists()


def test_it_downloads_every_role_that_imported_again_changes_nothing(world, client_for):
    client = client_for(world.org_admin)
    download = client.get(reverse("organisations:people_file"))
    rows = rows_of(download)
    assert rows[0] == ["email", "role", "unit_path", "name"]
    assert [
        world.team_manager.email,
        "team_manager",
        "Children's Services / Locality North / Team A",
        "Tam Manager",
    ] in rows
    assert [world.org_admin.email, "org_admin", "Example Council", "Ada Admin"] in rows
    assert world.outsider.email not in download.content.decode()
    as_downloaded = SimpleUploadedFile("people.csv", download.content)

    checked = client.post(reverse("organisations:people_import"), {"file": as_downloaded})

    assert checked.context["preview"].changes == []
    assert checked.context["preview"].unchanged == len(rows) - 1


def test_it_sends_back_to_the_check_a_confirmation_that_lost_its_file(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:people_import"), {"content": ""}
    )
    assert response.status_code == 400
    assert "The checked file did not come back whole. Check it again." in response.content.decode()


def test_it_says_a_file_that_only_renamed_people_gave_no_role(world, client_for):
    client = client_for(world.org_admin)
    url = reverse("organisations:people_import")
    team_a = "Children's Services / Locality North / Team A"
    renamed = (
        f"email,role,unit_path,name\n{world.team_manager.email},team_manager,{team_a},Tamsin\n"
    )
    checked = client.post(url, {"file": upload(renamed)})
    assert f"renamed: {world.team_manager.email}, now “Tamsin”" in checked.content.decode()

    client.post(url, {"content": checked.context["confirm"]["content"].value()})

    world.team_manager.refresh_from_db()
    assert world.team_manager.display_name == "Tamsin"
    page = client.get(reverse("organisations:people")).content.decode()
    assert "Everyone in the file already had that role; the names are updated." in page
