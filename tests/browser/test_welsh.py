"""A staff member answers a whole survey in Welsh on a phone, by the Welsh labels alone."""

from __future__ import annotations

import pytest

from diagnostics.models import Answer, Cycle, Response
from diagnostics.selectors import survey_statements
from diagnostics.services import issue_invites

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_takes_a_staff_member_through_a_whole_survey_in_welsh_on_a_phone(
    world, make_cycle, phone
):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    cycle = make_cycle(unit=world.team_a, kind=Cycle.Kind.FULL, name="Arolwg yr hydref")
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    welsh = {s.code: s.text_in("cy") for s in survey_statements(cycle)}
    assert len(welsh) == 47  # 45 conditions and 2 outcome statements
    page = phone.page

    phone.go(f"/survey/c/{code}/")
    assert "What we store" in page.content()  # the browser asked for English
    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg").click()  # the chooser, without opening a menu
    assert page.locator("html").get_attribute("lang") == "cy"
    assert "Beth rydym yn ei storio" in page.content()
    phone.check("welsh-01-start")
    with page.expect_navigation():
        page.get_by_role("link", name="Dechrau", exact=True).click()

    answered: list[str] = []
    while page.get_by_role("heading", name="Amdanoch chi (dewisol)").count() == 0:
        if not answered:
            phone.check("welsh-02-first-statements")
        legends = page.locator("fieldset.statement legend").all_inner_texts()
        for legend in legends:
            assert legend in welsh.values(), legend
            statement = page.get_by_role("group", name=legend, exact=True)
            statement.get_by_label("Cytuno", exact=True).check()
            answered.append(legend)
        with page.expect_navigation():
            page.get_by_role("button", name="Nesaf").click()
    assert sorted(answered) == sorted(welsh.values())

    page.get_by_role("group", name="Sut ydych chi’n gweithio?").get_by_label(
        "Rhan-amser", exact=True
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Nesaf").click()
    assert page.get_by_role("heading", name="Gwiriwch eich atebion").count() == 1
    phone.check("welsh-03-review")
    with page.expect_navigation():
        page.get_by_role("button", name="Cyflwyno").click()
    assert "Diolch: mae eich atebion wedi dod i law" in page.content()
    phone.check("welsh-04-thank-you")

    response = Response.objects.get(cycle=cycle)
    assert response.working_pattern == "part_time"
    assert set(Answer.objects.filter(response=response).values_list("value", flat=True)) == {5}
    assert Answer.objects.filter(response=response).count() == 47


def test_it_goes_on_with_enter_and_keeps_ticks_when_the_language_is_switched_mid_page(
    world, make_cycle, phone
):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    cycle = make_cycle(unit=world.team_a, kind=Cycle.Kind.FULL)
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    page = phone.page
    phone.go(f"/survey/c/{code}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Start", exact=True).click()
    first = page.locator("fieldset.statement").first
    first.get_by_label("Agree", exact=True).check()

    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg").click()  # the chooser in the header

    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.locator("fieldset.statement").first.get_by_label("Cytuno", exact=True).is_checked()
    for statement in page.locator("fieldset.statement").all():
        statement.get_by_label("Cytuno", exact=True).check()
    with page.expect_navigation():
        page.locator("fieldset.statement").last.get_by_label("Cytuno", exact=True).press("Enter")
    assert page.url.endswith("/survey/page/2/")  # Enter meant "Next", not a language
    assert page.locator("html").get_attribute("lang") == "cy"
