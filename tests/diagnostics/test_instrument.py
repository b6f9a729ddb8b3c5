from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Domain, InstrumentVersion, Statement, StatementText
from diagnostics.services import (
    VersionFrozen,
    add_statement,
    copy_version,
    create_cycle,
    open_cycle,
    remove_statement,
    reword_statement,
)


@pytest.fixture
def built_in(db) -> InstrumentVersion:
    return InstrumentVersion.objects.filter(organisation__isnull=True)[0]


def draft_cycle_on_a_copy(world, built_in, *, name: str):
    """The organisation's own copy of the questionnaire, and a draft cycle for Team A using it."""
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name=name, created_by=None
    )
    cycle = create_cycle(
        unit=world.team_a,
        kind="full",
        instrument=copy,
        name="x",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        created_by=None,
    )
    return copy, cycle


def test_it_loads_nine_domains_with_at_least_four_statements_each(built_in):
    assert list(Domain.objects.conditions().values_list("code", flat=True)) == [
        "WL",
        "SUP",
        "SAF",
        "SYS",
        "SB",
        "APP",
        "LRN",
        "MIS",
        "WB",
    ]
    for domain in Domain.objects.conditions():
        assert built_in.statements.filter(domain=domain).count() >= 4
    assert built_in.statements.count() >= 40


def test_it_flags_negatively_worded_statements_as_reverse_scored(built_in):
    reverse = built_in.statements.filter(reverse_scored=True)
    assert reverse.count() >= 5
    assert reverse.filter(code="WL3", text__icontains="unpaid extra hours").exists()
    assert not built_in.statements.get(code="WL1").reverse_scored


def test_it_gives_every_statement_a_short_stable_code(built_in):
    for statement in built_in.statements.select_related("domain"):
        assert statement.code.startswith(statement.domain.code)
        assert len(statement.code) <= 5


def test_it_copies_a_version_and_edits_the_copy(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="Ours", created_by=None
    )
    assert copy.statements.count() == built_in.statements.count()
    workload = Domain.objects.get(code="WL")
    added = add_statement(
        version=copy, domain=workload, text="Duty weeks are shared fairly.", reverse_scored=False
    )
    assert added.code == "WL6"
    wl1 = copy.statements.get(code="WL1")
    reword_statement(statement=wl1, text="My caseload fits my hours.", reverse_scored=False)
    assert copy.statements.get(code="WL1").text == "My caseload fits my hours."
    assert built_in.statements.get(code="WL1").text != "My caseload fits my hours."
    remove_statement(statement=copy.statements.get(code="WL2"))
    assert not copy.statements.filter(code="WL2").exists()


def test_it_drops_a_translation_the_editor_did_not_see_when_the_english_changes(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="A", created_by=None
    )
    wl1 = copy.statements.get(code="WL1")
    assert wl1.texts.filter(language="cy").exists()  # copied with the built-in Welsh
    reword_statement(statement=wl1, text=wl1.text, reverse_scored=True)  # wording unchanged
    assert wl1.texts.filter(language="cy").exists()
    reword_statement(statement=wl1, text="My caseload fits my hours.", reverse_scored=False)
    assert not wl1.texts.filter(language="cy").exists()  # Welsh was not on the form
    wl2 = copy.statements.get(code="WL2")
    reword_statement(
        statement=wl2,
        text="Duty weeks are shared fairly.",
        reverse_scored=False,
        translations={"cy": "Rhennir wythnosau dyletswydd yn deg."},
    )
    assert wl2.texts.get(language="cy").text == "Rhennir wythnosau dyletswydd yn deg."


def test_it_never_reuses_a_code_for_a_new_statement(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="A", created_by=None
    )
    remove_statement(statement=copy.statements.get(code="WL5"))
    added = add_statement(
        version=copy, domain=Domain.objects.get(code="WL"), text="New.", reverse_scored=False
    )
    assert added.code == "WL6"


def test_it_freezes_a_version_once_a_cycle_using_it_opens(world, built_in):
    copy, cycle = draft_cycle_on_a_copy(world, built_in, name="B")
    reword_statement(
        statement=copy.statements.get(code="WL1"), text="Still editable.", reverse_scored=False
    )
    open_cycle(cycle=cycle)
    statement = copy.statements.get(code="WL1")
    with pytest.raises(VersionFrozen):
        reword_statement(statement=statement, text="Changed after opening.", reverse_scored=False)
    with pytest.raises(VersionFrozen):
        remove_statement(statement=statement)
    with pytest.raises(VersionFrozen):
        add_statement(version=copy, domain=statement.domain, text="x", reverse_scored=False)
    assert Statement.objects.get(pk=statement.pk).text == "Still editable."


def test_it_never_edits_the_built_in_questionnaire(built_in):
    with pytest.raises(ValidationError, match="built-in"):
        reword_statement(statement=built_in.statements.first(), text="x", reverse_scored=False)


def test_it_keeps_at_least_one_statement_per_domain(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="C", created_by=None
    )
    statements = list(copy.statements.filter(domain__code="SAF"))
    for statement in statements[:-1]:
        remove_statement(statement=statement)
    with pytest.raises(ValidationError, match="at least one statement"):
        remove_statement(statement=statements[-1])


def test_it_never_serves_statements_read_while_the_cycle_was_a_draft(world, built_in):
    from diagnostics.models import Cycle
    from diagnostics.selectors import survey_statements

    copy, cycle = draft_cycle_on_a_copy(world, built_in, name="C")
    before = {s.code: s for s in survey_statements(Cycle.objects.get(pk=cycle.pk))}
    assert before["WL1"].reverse_scored is False
    reword_statement(
        statement=copy.statements.get(code="WL1"),
        text="My caseload is too high.",
        reverse_scored=True,
    )
    open_cycle(cycle=cycle)
    after = {s.code: s for s in survey_statements(Cycle.objects.get(pk=cycle.pk))}
    assert after["WL1"].text == "My caseload is too high."
    assert after["WL1"].reverse_scored is True


def test_it_copies_each_statement_s_texts_in_other_languages(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="Ours", created_by=None
    )
    welsh = dict(
        StatementText.objects.filter(statement__version=copy, language="cy").values_list(
            "statement__code", "text"
        )
    )
    assert len(welsh) == 47  # 45 conditions and 2 outcome statements
    assert welsh["WL1"] == "Mae fy llwyth achosion yn hylaw o fewn fy oriau dan gontract."


def test_it_keeps_a_statement_s_welsh_with_it_and_removes_an_emptied_one(world, built_in):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="Ours", created_by=None
    )
    domain = Domain.objects.get(code="WL")
    added = add_statement(
        version=copy,
        domain=domain,
        text="I can plan my week.",
        reverse_scored=False,
        translations={"cy": "  Gallaf   gynllunio fy wythnos. "},
    )
    assert added.texts.get(language="cy").text == "Gallaf gynllunio fy wythnos."
    reword_statement(
        statement=added, text="I can plan my week.", reverse_scored=False, translations={"cy": ""}
    )
    assert not added.texts.exists()
    with pytest.raises(ValidationError, match="not one of the site's languages"):
        reword_statement(
            statement=added, text="x", reverse_scored=False, translations={"fr": "Je peux"}
        )


def test_it_asks_for_a_welsh_text_in_the_editor_only_where_welsh_is_offered(
    world, built_in, client_for
):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="Ours", created_by=None
    )
    statement = copy.statements.get(code="SUP1")
    client = client_for(world.org_admin)
    url = reverse("diagnostics:statement_edit", kwargs={"statement_id": statement.pk})
    assert "Text in Cymraeg" not in client.get(url).content.decode()

    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    page = client.get(url).content.decode()
    assert "Text in Cymraeg" in page
    assert "Rwy’n cael goruchwyliaeth mor aml ag a gytunwyd." in page
    response = client.post(
        url, {"text": statement.text, "text_cy": "Caf oruchwyliaeth mor aml ag a gytunwyd."}
    )
    assert response.status_code == 302
    assert statement.texts.get(language="cy").text == "Caf oruchwyliaeth mor aml ag a gytunwyd."


def test_it_says_which_translation_a_new_english_wording_removed(world, built_in, client_for):
    copy = copy_version(
        version=built_in, organisation_id=world.organisation.pk, name="Ours", created_by=None
    )
    statement = copy.statements.get(code="SUP1")
    url = reverse("diagnostics:statement_edit", kwargs={"statement_id": statement.pk})
    response = client_for(world.org_admin).post(
        url, {"text": "Supervision happens as often as we agreed."}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert "Its text in Cymraeg was removed, since it translated the old wording" in shown[-1]
    assert not statement.texts.exists()
