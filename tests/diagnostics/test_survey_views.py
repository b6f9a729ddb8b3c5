"""The anonymous survey in the browser's shoes: every page, without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Answer, Cycle, Invite, Response, SurveyDraft
from diagnostics.selectors import survey_shape
from diagnostics.services import close_cycle, issue_invites
from diagnostics.survey import SurveyStatement, shape_survey


def page_url(code: str, number: int) -> str:
    return reverse("survey:page", kwargs={"code": code, "number": number})


def codes_on(shape, number: int) -> list[str]:
    page = shape.page(number)
    assert page is not None
    return page.codes


def answer_page(client, code, shape, number, value="4"):
    data = {c: value for c in codes_on(shape, number)}
    return client.post(page_url(code, number), {**data, "action": "next"})


def test_it_explains_what_is_stored_and_the_threshold_before_the_questions(client, code, world):
    body = client.get(reverse("survey:start", kwargs={"code": code})).content.decode()
    assert "What we store" in body
    assert "What we do not store" in body
    assert f"fewer than <strong>{world.organisation.anonymity_threshold} responses" in body


def test_it_takes_a_code_typed_on_the_have_a_code_page(client, code):
    response = client.post(reverse("survey:enter_code"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:start", kwargs={"code": code})


def test_it_explains_a_badly_typed_code(client, db):
    response = client.post(reverse("survey:enter_code"), {"code": "12"})
    assert response.status_code == 400
    assert "12-character code" in response.content.decode()


def test_it_walks_from_the_first_page_to_the_thank_you_page(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    assert len(shape.pages) == 9
    first = client.get(page_url(code, 1)).content.decode()
    assert "Page 1 of 10" in first
    assert "<fieldset" in first
    assert "<legend>" in first
    for label in ("Strongly disagree", "Slightly agree", "Not applicable / prefer not to say"):
        assert label in first
    for number in range(1, 10):
        response = answer_page(client, code, shape, number)
        assert response.status_code == 302
        assert response["Location"] == page_url(code, number + 1)
    about = client.get(page_url(code, 10)).content.decode()
    assert "Page 10 of 10" in about
    assert "Prefer not to say" in about
    response = client.post(
        page_url(code, 10), {"role_group": "senior", "comment": "", "action": "next"}
    )
    assert response["Location"] == reverse("survey:review", kwargs={"code": code})
    review = client.get(response["Location"]).content.decode()
    assert "Check your answers" in review
    assert "Slightly agree" in review
    done = client.post(reverse("survey:submit", kwargs={"code": code}))
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("survey:thanks"))
    assert "your answers are in" in client.get(done["Location"]).content.decode()
    stored = Response.objects.get()
    assert stored.role_group == "senior"
    assert Answer.objects.filter(response=stored).count() == 45
    assert not SurveyDraft.objects.exists()


def test_it_keeps_progress_over_a_reload_and_the_back_button(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    answer_page(client, code, shape, 1, value="2")
    page_two_first = codes_on(shape, 2)[0]
    client.post(page_url(code, 2), {page_two_first: "5", "action": "back"})
    again = client.get(page_url(code, 1)).content.decode()
    first_code = codes_on(shape, 1)[0]
    assert f'id="{first_code}-2" value="2" checked' in again
    page_two_again = client.get(page_url(code, 2)).content.decode()
    assert f'id="{page_two_first}-5" value="5" checked' in page_two_again
    start = client.get(reverse("survey:start", kwargs={"code": code})).content.decode()
    assert "Continue where you left off" in start


def test_it_asks_again_for_unanswered_statements_and_keeps_the_rest(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    codes = codes_on(shape, 1)
    response = client.post(page_url(code, 1), {codes[0]: "3", "action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"Choose an answer for {len(codes) - 1} more statements" in body
    assert SurveyDraft.objects.get().answers == {codes[0]: 3}


def test_it_refuses_the_same_link_after_submission(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    for number in range(1, 10):
        answer_page(client, code, shape, number)
    client.post(reverse("survey:submit", kwargs={"code": code}))
    again = client.get(reverse("survey:start", kwargs={"code": code}))
    assert again.status_code == 410
    assert "This code has already been used" in again.content.decode()
    twice = client.post(reverse("survey:submit", kwargs={"code": code}))
    assert twice.status_code == 410
    assert Response.objects.count() == 1


def test_it_answers_404_for_an_unknown_code(client, db):
    response = client.get(reverse("survey:start", kwargs={"code": "AAAA-BBBB-CCCC"}))
    assert response.status_code == 404
    assert "We do not recognise this code" in response.content.decode()


def test_it_answers_410_for_a_closed_cycle(client, code, full_cycle):
    close_cycle(cycle=full_cycle)
    response = client.get(reverse("survey:start", kwargs={"code": code}))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()


def test_it_answers_410_before_the_cycle_opens(client, world, make_cycle):
    later = timezone.localdate() + timedelta(days=5)
    cycle = make_cycle(opens_on=later, closes_on=later + timedelta(days=5))
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    response = client.get(reverse("survey:start", kwargs={"code": code}))
    assert response.status_code == 410
    assert "This survey is not open yet" in response.content.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        {"value": "9"},
        {"value": "1.5"},
        {"extra": {"ZZ1": "3"}},
        {"extra": {"team": "999"}},
        {"action": "jump"},
    ],
    ids=["out-of-range", "not-a-whole-number", "foreign-statement", "forged-team", "bad-action"],
)
def test_it_refuses_a_tampered_page_and_stores_nothing(client, code, full_cycle, tamper):
    codes = codes_on(survey_shape(full_cycle), 1)
    data = {c: tamper.get("value", "4") for c in codes}
    data.update(tamper.get("extra", {}))
    data["action"] = tamper.get("action", "next")
    response = client.post(page_url(code, 1), data)
    assert response.status_code == 400
    assert "This form was changed" in response.content.decode()
    assert not SurveyDraft.objects.exists()
    assert not Response.objects.exists()


def test_it_refuses_a_submit_with_a_forged_field(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    for number in range(1, 10):
        answer_page(client, code, shape, number)
    response = client.post(reverse("survey:submit", kwargs={"code": code}), {"team": "1"})
    assert response.status_code == 400
    assert not Response.objects.exists()
    assert not Invite.objects.get().is_used


def test_it_sends_an_early_submit_back_to_the_first_unanswered_page(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    answer_page(client, code, shape, 1)
    response = client.post(reverse("survey:submit", kwargs={"code": code}))
    assert response.status_code == 302
    assert response["Location"] == page_url(code, 2)
    assert not Response.objects.exists()


def test_it_refuses_an_oversized_request_and_stores_nothing(client, code, full_cycle, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    codes = codes_on(survey_shape(full_cycle), 1)
    data = {c: "4" for c in codes}
    data["action"] = "next"
    response = client.post(page_url(code, 1), {**data, codes[0]: "4" + " " * 20_000})
    assert response.status_code == 400
    assert not SurveyDraft.objects.exists()


def test_it_shapes_a_pulse_over_a_few_short_pages(client, world, make_cycle):
    cycle = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)
    shape = survey_shape(cycle)
    assert 9 <= len(shape.statements) <= 12
    assert all(len(page.statements) <= 6 for page in shape.pages)
    assert len(shape.pages) == 2


def test_it_offers_the_teams_voice_board_on_the_thank_you_page(client, code, full_cycle, world):
    from voice.selectors import board_url_for_team

    shape = survey_shape(full_cycle)
    for number in range(1, 10):
        answer_page(client, code, shape, number)
    done = client.post(reverse("survey:submit", kwargs={"code": code}))
    page = client.get(done["Location"]).content.decode()
    assert "Open your team's voice board" in page
    assert board_url_for_team(world.team_a.pk) in page


def _statements(domain_sizes: list[int]) -> list[SurveyStatement]:
    return [
        SurveyStatement(
            code=f"D{d}S{n}",
            text="x",
            domain_code=f"D{d}",
            domain_name=f"Domain {d}",
            domain_position=d,
            reverse_scored=False,
            id=10 * d + n,
            domain_id=d,
        )
        for d, size in enumerate(domain_sizes)
        for n in range(size)
    ]


def test_it_spreads_a_pulse_evenly_instead_of_leaving_a_lone_statement():
    shape = shape_survey(_statements([1, 2, 2, 2, 1, 1, 1, 1, 1]))  # 12: 5 + 6 + 1 if greedy
    sizes = [len(page.statements) for page in shape.pages]
    assert len(sizes) == 3  # whole domains cannot fit on two pages of six
    assert max(sizes) == 5  # the most even split of whole domains (four each is impossible)
    assert min(sizes) >= 2
    assert [s.code for s in shape.statements] == [s.code for p in shape.pages for s in p.statements]


def test_it_puts_a_pulse_on_two_pages_when_whole_domains_allow():
    shape = shape_survey(_statements([2, 1, 2, 1, 1, 1, 1, 1]))  # 10: not 6 + 4
    assert [len(page.statements) for page in shape.pages] == [5, 5]


def test_it_gives_each_domain_of_the_full_diagnostic_its_own_page():
    shape = shape_survey(_statements([5, 5, 5, 5, 6, 5, 5, 5, 4]))
    assert [len(page.statements) for page in shape.pages] == [5, 5, 5, 5, 6, 5, 5, 5, 4]


def test_it_draws_each_statement_once_per_process_and_escapes_its_text(settings):
    from diagnostics import survey_views

    settings.DEBUG = False
    survey_views._remembered_statement.cache_clear()
    text = "Caseloads <b>let</b> me do the work well"
    first = survey_views._statement_html("CL9", text, "3", False)

    assert survey_views._statement_html("CL9", text, "3", False) is first
    assert "<legend>Caseloads &lt;b&gt;let&lt;/b&gt; me do the work well</legend>" in first
    assert 'id="CL9-3" value="3" checked' in first
    assert "border-danger" not in first
    missing = survey_views._statement_html("CL9", text, None, True)
    assert 'aria-describedby="err-CL9"' in missing
    assert " checked" not in missing
    settings.DEBUG = True  # development shows template edits at once
    assert survey_views._statement_html("CL9", text, "3", False) is not first
