"""Texts in other languages exported for a Welsh language officer's review and imported back:
every row checked, all or nothing, frozen versions left alone."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.models import Intervention, InterventionText
from actions.selectors import TRANSLATION_COLUMNS, translation_rows
from actions.services import import_translations
from diagnostics.models import StatementText
from organisations.services import ImportFailed


def export(organisation=None) -> list[dict[str, str]]:
    out = io.StringIO()
    args = ["--organisation", organisation.slug] if organisation is not None else []
    call_command("export_translations", "--language", "cy", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TRANSLATION_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def own_rows(world) -> list[dict[str, str]]:
    ours = world.own_version()
    return [r for r in export(world.organisation) if r["context"] == ours.name]


def test_it_exports_the_built_in_welsh_and_the_organisation_s_own(world):
    world.own_version()
    rows = export(world.organisation)
    assert list(rows[0]) == TRANSLATION_COLUMNS
    wl1 = [r for r in rows if r["kind"] == "statement" and r["code"] == "WL1"]
    # the two built-in versions' (2026, and 2026 with outcomes) and the organisation's copy
    assert len(wl1) == 3
    assert {r["text"] for r in wl1} == {
        "Mae fy llwyth achosion yn hylaw o fewn fy oriau dan gontract."
    }
    interventions = [r for r in rows if r["kind"] == "intervention"]
    assert len(interventions) == 4 * Intervention.objects.filter(organisation=None).count()
    assert {r["field"] for r in interventions} == {"title", "what", "why", "measure"}
    assert not any(r["context"] == "Ours" for r in export())  # no organisation: built-in only


def test_it_reads_only_what_the_organisation_may(world, outsider):
    world.own_version()
    other = outsider.memberships.first().unit.organisation
    rows = translation_rows(language="cy", organisation=other)
    assert not any(r.context == "Ours" for r in rows)


def test_it_imports_a_reviewed_text_into_the_organisation_s_own_version(world):
    rows = own_rows(world)
    wl1 = next(r for r in rows if r["code"] == "WL1")
    wl1["text"] = "Mae modd rheoli fy llwyth achosion o fewn fy oriau dan gontract."
    result = import_translations(content=as_csv(rows), organisation=world.organisation)
    assert result.changed == 1
    assert result.unchanged == len(rows) - 1
    stored = StatementText.objects.get(
        statement__version=world.own_version(), statement__code="WL1", language="cy"
    )
    assert stored.text == wl1["text"]


def own_intervention(world) -> Intervention:
    built_in = Intervention.objects.filter(organisation=None).earliest("pk")
    return Intervention.objects.create(
        organisation=world.organisation,
        domain=built_in.domain,
        kind=built_in.kind,
        lever=built_in.lever,
        title="Our idea",
        what="Do it.",
        why="It helps.",
        measure="We will see.",
    )


def test_it_imports_a_whole_export_back_unchanged(world):
    own_intervention(world)  # not in Welsh yet: its rows are empty
    rows = export(world.organisation)
    result = import_translations(content=as_csv(rows), organisation=world.organisation)
    assert result.changed == 0
    assert result.unchanged == len([r for r in rows if r["text"]])
    assert result.untranslated == len([r for r in rows if not r["text"]]) > 0


def test_it_checks_every_row_and_changes_nothing_when_one_is_wrong(world):
    rows = own_rows(world)
    rows[0]["text"] = "Testun newydd"
    rows[1]["language"] = "fr"
    rows[2]["english"] = "Something else"
    rows[3]["text"] = ""  # not translated yet: left as it is
    rows[4]["id"] = "999999999"
    rows.append(dict(rows[5]))
    before = list(StatementText.objects.values_list("pk", "text"))
    with pytest.raises(ImportFailed) as failed:
        import_translations(content=as_csv(rows), organisation=world.organisation)
    errors = "\n".join(failed.value.errors)
    assert "language “fr” is not one of the site's other languages" in errors
    assert "English has changed since this file was made" in errors
    assert "line 5" not in errors
    assert "no statement with the id “999999999” here" in errors
    assert "the same text is on line 7 too" in errors
    assert list(StatementText.objects.values_list("pk", "text")) == before


def test_it_refuses_to_change_a_frozen_version_or_the_built_in_one(world):
    ours = world.own_version()
    built_in = [r for r in export() if r["kind"] == "statement"]
    built_in[0]["text"] = "Testun newydd"
    with pytest.raises(ImportFailed, match="not yours to change: copy the version"):
        import_translations(content=as_csv(built_in[:1]), organisation=world.organisation)

    rows = own_rows(world)
    cycle = world.cycle_for_team_a()  # open
    cycle.instrument = ours
    cycle.save(update_fields=["instrument"])
    rows[0]["text"] = "Testun newydd"
    with pytest.raises(ImportFailed, match="which is frozen"):
        import_translations(content=as_csv(rows[:1]), organisation=world.organisation)


def test_it_refuses_another_organisation_s_texts_as_unknown(world, outsider):
    rows = own_rows(world)
    other = outsider.memberships.first().unit.organisation
    with pytest.raises(ImportFailed, match="no statement with the id"):
        import_translations(content=as_csv(rows[:1]), organisation=other)


def test_it_imports_an_intervention_only_with_all_four_texts(world):
    own = own_intervention(world)
    rows = [
        r
        for r in export(world.organisation)
        if r["kind"] == "intervention" and r["id"] == str(own.pk)
    ]
    rows[0]["text"] = "Ein syniad"
    with pytest.raises(ImportFailed, match="needs its what, why, measure in cy too"):
        import_translations(content=as_csv(rows[:1]), organisation=world.organisation)
    for row, text in zip(
        rows, ["Ein syniad", "Ei wneud.", "Mae’n helpu.", "Cawn weld."], strict=True
    ):
        row["text"] = text
    import_translations(content=as_csv(rows), organisation=world.organisation)
    words = Intervention.objects.prefetch_related("texts").get(pk=own.pk).wording_in("cy")
    assert (words.title, words.what, words.language) == ("Ein syniad", "Ei wneud.", "cy")
    assert InterventionText.objects.filter(intervention=own).count() == 1


def test_it_reports_bad_lines_from_the_command_and_imports_nothing(world, tmp_path):
    rows = own_rows(world)
    rows[0]["language"] = "de"
    path = tmp_path / "reviewed.csv"
    path.write_text(as_csv(rows), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Nothing was imported(.|\n)*line 2: language “de”"):
        call_command("import_translations", str(path), "--organisation", world.organisation.slug)
    rows[0]["language"] = "cy"
    path.write_text(as_csv(rows), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_translations", str(path), "--organisation", world.organisation.slug, stdout=out
    )
    assert out.getvalue().startswith("0 text(s) changed;")


def test_it_refuses_a_reviewed_file_saved_as_plain_csv_which_loses_welsh_letters(world, tmp_path):
    """Excel's plain CSV (Windows-1252) has no ŵ or ŷ: it writes "?" in their place, which
    the other imports may take, but reviewed Welsh must not."""
    rows = own_rows(world)
    rows[0]["text"] = "Gwaith t?m â'r gwasanaeth"
    path = tmp_path / "reviewed.csv"
    path.write_bytes(as_csv(rows).encode("cp1252"))

    with pytest.raises(CommandError, match="Save it as CSV UTF-8"):
        call_command("import_translations", str(path), "--organisation", world.organisation.slug)


def test_it_shows_the_built_in_library_in_welsh_to_someone_reading_in_welsh(world, client_for):
    assert InterventionText.objects.filter(language="cy").count() == 45
    client = client_for(world.team_manager)
    english = client.get(reverse("actions:library")).content.decode()
    assert "Allocate new cases openly at a weekly meeting" in english
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    welsh = client.get(reverse("actions:library")).content.decode()
    assert "Dyrannu achosion newydd yn agored mewn cyfarfod wythnosol" in welsh
    assert '<div lang="cy">' in welsh
    assert "Allocate new cases openly at a weekly meeting" not in welsh
