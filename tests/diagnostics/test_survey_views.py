"""The anonymous survey in the browser's shoes: every page, without JavaScript."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from diagnostics import codes as invite_codes
from diagnostics import survey_session
from diagnostics.models import Answer, Cycle, Response, SpentCode, SurveyDraft
from diagnostics.selectors import survey_shape
from diagnostics.services import close_cycle, issue_invites
from diagnostics.survey import SurveyStatement, shape_survey

SESSION_ENDED = "Open your survey link again"


def link(code: str) -> str:
    return reverse("survey:link", kwargs={"code": code})


def page_url(number: int) -> str:
    return reverse("survey:page", kwargs={"number": number})


def codes_on(shape, number: int) -> list[str]:
    page = shape.page(number)
    assert page is not None
    return page.codes


def open_survey(client, code: str):
    response = client.get(link(code))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("survey:start")
    return response


def answer_page(client, shape, number, value="4"):
    data = {c: value for c in codes_on(shape, number)}
    return client.post(page_url(number), {**data, "action": "next"})


def answer_everything(client, code, shape):
    open_survey(client, code)
    for number in range(1, len(shape.pages) + 1):
        assert answer_page(client, shape, number).status_code == 302


def session_payload(client) -> dict:
    return signing.loads(client.cookies[survey_session.COOKIE_NAME].value, salt=survey_session.SALT)


def session_payload_or_none(client) -> dict | None:
    value = client.cookies[survey_session.COOKIE_NAME].value
    return signing.loads(value, salt=survey_session.SALT) if value else None


def test_it_explains_what_is_stored_and_the_threshold_before_the_questions(client, code, world):
    open_survey(client, code)
    body = client.get(reverse("survey:start")).content.decode()
    assert "What we store" in body
    assert "What we do not store" in body
    assert f"fewer than <strong>{world.organisation.anonymity_threshold} responses" in body


def test_it_swaps_the_code_for_a_session_and_keeps_it_out_of_every_later_address(
    client, code, full_cycle
):
    opened = open_survey(client, code)
    cookie = opened.cookies[survey_session.COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["path"] == reverse("survey:enter_code")
    assert cookie["samesite"] == "Lax"
    assert session_payload(client)["c"] == invite_codes.normalise(code)

    shape = survey_shape(full_cycle)
    visited = [reverse("survey:start")]
    for number in range(1, shape.page_count + 1):
        visited.append(page_url(number))
        data = {c: "4" for c in codes_on(shape, number)} if number < shape.page_count else {}
        visited.append(client.post(page_url(number), {**data, "action": "next"})["Location"])
    visited.append(reverse("survey:review"))
    bodies = [client.get(address).content.decode() for address in visited]
    visited.append(client.post(reverse("survey:submit"))["Location"])
    bodies.append(client.get(visited[-1]).content.decode())

    spellings = {code, invite_codes.normalise(code), invite_codes.display(code)}
    for text in visited + bodies:
        assert not any(spelling in text for spelling in spellings)
    assert "your answers are in" in bodies[-1]
    assert Response.objects.count() == 1


def test_it_takes_a_code_typed_on_the_have_a_code_page(client, code):
    response = client.post(reverse("survey:enter_code"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:start")
    assert session_payload(client)["c"] == invite_codes.normalise(code)
    assert client.get(reverse("survey:start")).status_code == 200


def test_it_explains_a_badly_typed_code(client, db):
    response = client.post(reverse("survey:enter_code"), {"code": "12"})
    assert response.status_code == 400
    assert "12-character code" in response.content.decode()


def test_it_names_the_characters_no_code_uses(client, db):
    response = client.post(reverse("survey:enter_code"), {"code": "abcl-efgh-jk0o"})

    assert response.status_code == 400
    assert "Codes never contain L, 0, O: they have no letter I, L or O" in response.content.decode()
    assert not SurveyDraft.objects.exists()


def test_it_walks_from_the_first_page_to_the_thank_you_page(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    assert len(shape.pages) == 10  # nine domains, then the outcome statements
    open_survey(client, code)
    first = client.get(page_url(1)).content.decode()
    assert "Page 1 of 11" in first
    assert "<fieldset" in first
    assert "<legend>" in first
    for label in ("Strongly disagree", "Slightly agree", "Not applicable / prefer not to say"):
        assert label in first
    for number in range(1, 11):
        response = answer_page(client, shape, number)
        assert response.status_code == 302
        assert response["Location"] == page_url(number + 1)
    about = client.get(page_url(11)).content.decode()
    assert "Page 11 of 11" in about
    assert "Prefer not to say" in about
    response = client.post(page_url(11), {"role_group": "senior", "comment": "", "action": "next"})
    assert response["Location"] == reverse("survey:review")
    review = client.get(response["Location"]).content.decode()
    assert "Check your answers" in review
    assert "Slightly agree" in review
    assert ">Submit</button>" in review
    done = client.post(reverse("survey:submit"))
    assert done.status_code == 302
    assert done["Location"] == reverse("survey:thanks")
    assert "your answers are in" in client.get(done["Location"]).content.decode()
    for back in (reverse("survey:review"), page_url(11), page_url(1)):  # Back from the thanks
        assert client.get(back)["Location"] == reverse("survey:thanks")
    stored = Response.objects.get()
    assert stored.role_group == "senior"
    assert Answer.objects.filter(response=stored).count() == 45 + 2
    assert not SurveyDraft.objects.exists()


def test_it_goes_straight_back_to_the_review_after_changing_one_page(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    answer_everything(client, code, shape)
    review = client.get(reverse("survey:review")).content.decode()
    assert '<span class="visually-hidden"> answers about Working here</span>' in review
    change = f"{page_url(5)}?from=review"
    assert f'href="{change}"' in review
    assert f'href="{page_url(11)}?from=review"' in review

    page = client.get(change).content.decode()
    changed = client.post(change, {**{c: "2" for c in codes_on(shape, 5)}, "action": "next"})
    onwards = answer_page(client, shape, 5)  # from the survey itself: on to the next page

    assert "Save and return to your answers" in page
    assert changed["Location"] == reverse("survey:review")
    assert onwards["Location"] == page_url(6)
    assert "Save and return to your answers" not in client.get(page_url(5)).content.decode()
    about = client.get(f"{page_url(11)}?from=review").content.decode()
    assert "Save and return to your answers" in about


def test_it_gives_the_survey_organisation_s_thresholds_on_its_protection_page(
    client, code, full_cycle, world
):
    world.organisation.anonymity_threshold = 6
    world.organisation.comment_threshold = 12
    world.organisation.save()
    protection = reverse("survey:protection")
    assert (
        "fewer than <strong>5</strong> responses (the usual setting"
        in client.get(protection).content.decode()
    )
    shape = survey_shape(full_cycle)
    answer_everything(client, code, shape)
    start = client.get(reverse("survey:start")).content.decode()
    first_page = client.get(page_url(1)).content.decode()

    answering = client.get(protection).content.decode()
    client.post(page_url(11), {"role_group": "senior", "comment": "", "action": "next"})
    client.post(reverse("survey:submit"))
    answered = client.get(protection).content.decode()
    thanks = client.get(reverse("survey:thanks")).content.decode()

    assert f'href="{protection}"' in start
    assert f'href="{protection}"' in first_page  # the footer
    for page in (answering, answered):
        assert "fewer than <strong>6</strong> responses." in page
        assert "at least <strong>12</strong> responses" in page
    assert "the usual setting" not in answering
    assert "only if at least 6 people answered; managers and leaders can see figures" in thanks


def test_it_answers_each_survey_request_in_one_query_beside_its_writes(
    client, code, full_cycle, world, django_assert_num_queries
):
    """Every request reads the invite, the spent code and the draft in one query; a save is one
    statement more, and the submission adds only its writes. Counted exactly, so a statement
    more on any request fails here (inside the test's transaction, each transaction of the
    code is a savepoint: two statements more)."""
    from voice.selectors import board_path_for_team

    board_path_for_team(world.team_a.pk)  # the team's board exists, as after its first response
    shape = survey_shape(full_cycle)
    with django_assert_num_queries(1):
        open_survey(client, code)
    with django_assert_num_queries(1):
        client.get(reverse("survey:start"))
    for number in range(1, shape.page_count + 1):
        with django_assert_num_queries(1):
            client.get(page_url(number))
        # A save is one statement: an UPDATE of the draft as read, if still so and the code
        # unspent, or on the first page its INSERT.
        with django_assert_num_queries(1 + 1):
            data = {c: "4" for c in codes_on(shape, number)} if number < shape.page_count else {}
            response = client.post(page_url(number), {**data, "action": "next"})
        assert response.status_code == 302
    with django_assert_num_queries(1):
        client.get(reverse("survey:review"))
    # The cycle read again and held open, the spent code, response, answers, domain scores,
    # three tallies and the draft's deletion: the page's lookup found the code unspent, so it is
    # not read again.
    with django_assert_num_queries(1 + 1 + 8 + 2):
        done = client.post(reverse("survey:submit"))
    with django_assert_num_queries(1):
        client.get(done["Location"])
    assert Response.objects.count() == 1
    assert not SurveyDraft.objects.exists()


def test_it_asks_the_outcome_statements_on_a_page_of_their_own_after_the_conditions(
    client, code, full_cycle
):
    shape = survey_shape(full_cycle)
    last = shape.pages[-1]
    assert [section.name for section in last.sections] == ["Working here"]
    assert last.codes == ["STAY1", "REC1"]
    assert not any(s.is_outcome for page in shape.pages[:-1] for s in page.statements)
    answer_everything(client, code, shape)
    html = client.get(page_url(last.number)).content.decode()
    assert '<h1 class="h3 mb-3">Working here</h1>' in html
    assert html.count("<fieldset") == 2  # one statement per fieldset
    assert "<legend>I intend to be working for this organisation in a year" in html


def test_it_asks_a_pulse_s_outcome_statements_after_its_conditions_on_its_last_page():
    def statement(code: str, domain: str, position: int, outcome: bool = False):
        return SurveyStatement(code, code, domain, domain, position, False, is_outcome=outcome)

    conditions = [statement(f"D{d}S{n}", f"D{d}", d) for d in range(1, 10) for n in (1, 2)][:12]
    outcomes = [statement(code, "STAY", 10, outcome=True) for code in ("STAY1", "REC1")]
    shape = shape_survey([*conditions, *outcomes])

    assert [len(page.codes) for page in shape.pages] == [6, 6 + 2]
    assert [section.name for section in shape.pages[-1].sections][-1] == "Working here"
    assert shape.pages[-1].codes[-2:] == ["STAY1", "REC1"]
    assert shape.about_page_number == 3


def test_it_asks_a_pulse_s_outcome_statements_on_the_page_before_about_you(
    client, world, make_cycle
):
    pulse = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE, name="Pulse")
    [code] = issue_invites(cycle=pulse, team=world.team_a, count=1)
    shape = survey_shape(pulse)
    answer_everything(client, code, shape)
    html = client.get(page_url(2)).content.decode()
    assert '<h1 class="h3 mb-3">Working here</h1>' in html
    assert "<legend>I intend to be working for this organisation in a year" in html
    assert "About you" in client.get(page_url(3)).content.decode()


def test_it_ends_the_session_at_submission_keeping_only_the_team(client, code, full_cycle, world):
    answer_everything(client, code, survey_shape(full_cycle))
    client.post(reverse("survey:submit"))
    assert session_payload(client) == {"t": world.team_a.pk, "k": 5}  # no code, no draft key
    assert client.get(reverse("survey:review"))["Location"] == reverse("survey:thanks")
    client.cookies[survey_session.COOKIE_NAME] = ""  # an hour later, the team is forgotten too
    assert SESSION_ENDED in client.get(reverse("survey:review")).content.decode()


def test_it_keeps_no_survey_data_in_the_database_session(client_for, world, code, full_cycle):
    """A manager answering while signed in: their session row never holds the code, the draft's
    key or anything else of the survey, before or after submission."""
    client = client_for(world.team_manager)
    before = {s.session_key: s.get_decoded() for s in Session.objects.all()}
    shape = survey_shape(full_cycle)
    answer_everything(client, code, shape)
    draft_key = session_payload(client)["d"]
    client.post(reverse("survey:submit"))
    after = {s.session_key: s.get_decoded() for s in Session.objects.all()}
    assert after == before
    for session in Session.objects.all():
        for secret in (invite_codes.normalise(code), draft_key):
            assert secret not in session.session_data
            assert secret not in str(session.get_decoded())


def test_it_keeps_progress_over_a_reload_and_the_back_button(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    open_survey(client, code)
    answer_page(client, shape, 1, value="2")
    page_two_first = codes_on(shape, 2)[0]
    client.post(page_url(2), {page_two_first: "5", "action": "back"})
    again = client.get(page_url(1)).content.decode()
    first_code = codes_on(shape, 1)[0]
    assert f'id="{first_code}-2" value="2" checked' in again
    page_two_again = client.get(page_url(2)).content.decode()
    assert f'id="{page_two_first}-5" value="5" checked' in page_two_again
    start = client.get(reverse("survey:start")).content.decode()
    assert "Continue where you left off" in start


def test_it_keeps_the_draft_when_the_same_link_is_opened_again(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    open_survey(client, code)
    answer_page(client, shape, 1)
    draft_key = session_payload(client)["d"]
    open_survey(client, code)
    assert session_payload(client)["d"] == draft_key
    assert "Continue where you left off" in client.get(reverse("survey:start")).content.decode()


def test_it_starts_afresh_for_another_code_in_the_same_browser(client, world, code, full_cycle):
    shape = survey_shape(full_cycle)
    open_survey(client, code)
    answer_page(client, shape, 1)
    first_key = session_payload(client)["d"]
    other = issue_invites(cycle=full_cycle, team=world.team_a, count=1)[0]
    open_survey(client, other)
    assert session_payload(client)["d"] != first_key
    assert "Continue where you left off" not in client.get(reverse("survey:start")).content.decode()


def test_it_sends_an_old_address_with_the_code_to_the_start_page(client, code, full_cycle):
    old = f"/survey/c/{code}/page/3/"
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:start")
    assert client.get(reverse("survey:start")).status_code == 200


def test_it_asks_to_open_the_link_again_without_a_session(client, code, full_cycle):
    for address in (reverse("survey:start"), page_url(1), reverse("survey:review")):
        response = client.get(address)
        assert response.status_code == 400
        assert SESSION_ENDED in response.content.decode()
    submitted = client.post(reverse("survey:submit"))
    assert submitted.status_code == 400
    assert SESSION_ENDED in submitted.content.decode()
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()


def test_it_asks_to_open_the_link_again_when_the_session_is_tampered_with(client, code):
    open_survey(client, code)
    value = client.cookies[survey_session.COOKIE_NAME].value
    client.cookies[survey_session.COOKIE_NAME] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    response = client.get(reverse("survey:start"))
    assert response.status_code == 400
    assert SESSION_ENDED in response.content.decode()


def test_it_asks_to_open_the_link_again_when_the_session_has_expired(
    client, code, full_cycle, monkeypatch
):
    long_ago = time.time() - survey_session.MAX_AGE - 60
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: long_ago)  # what signing stamps the cookie with
        open_survey(client, code)
    response = client.get(page_url(1))
    assert response.status_code == 400
    assert SESSION_ENDED in response.content.decode()
    open_survey(client, code)  # opening the link again carries on
    assert client.get(page_url(1)).status_code == 200


def test_it_asks_again_for_unanswered_statements_and_keeps_the_rest(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    codes = codes_on(shape, 1)
    open_survey(client, code)
    response = client.post(page_url(1), {codes[0]: "3", "action": "next"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"Choose an answer for {len(codes) - 1} more statements" in body
    assert SurveyDraft.objects.get().answers == {codes[0]: 3}


def test_it_refuses_the_same_link_after_submission(client, code, full_cycle):
    answer_everything(client, code, survey_shape(full_cycle))
    client.post(reverse("survey:submit"))
    again = client.get(link(code))
    assert again.status_code == 410
    assert "This code has already been used" in again.content.decode()
    twice = client.post(reverse("survey:submit"))
    assert twice["Location"] == reverse("survey:thanks")  # a second press: the answers are in
    assert Response.objects.count() == 1


def test_it_refuses_a_session_whose_code_was_used_elsewhere(client, code, full_cycle):
    """Two browsers on one code: once one submits, the other's pages say the code is used."""
    shape = survey_shape(full_cycle)
    answer_everything(client, code, shape)
    stale = client.cookies[survey_session.COOKIE_NAME].value
    client.post(reverse("survey:submit"))
    for method, address in (("get", "survey:review"), ("post", "survey:submit")):
        client.cookies[survey_session.COOKIE_NAME] = stale
        response = getattr(client, method)(reverse(address))
        assert response.status_code == 410
        assert "This code has already been used" in response.content.decode()
        assert not session_payload_or_none(client)  # the used session is ended
    assert Response.objects.count() == 1


def test_it_answers_404_for_an_unknown_code(client, db):
    response = client.get(link("AAAA-BBBB-CCCC"))
    assert response.status_code == 404
    assert "We do not recognise this code" in response.content.decode()
    assert survey_session.COOKIE_NAME not in response.cookies


def test_it_answers_410_for_a_closed_cycle(client, code, full_cycle):
    open_survey(client, code)
    close_cycle(cycle=full_cycle)
    for response in (client.get(link(code)), client.get(page_url(1))):
        assert response.status_code == 410
        assert "This survey has closed" in response.content.decode()


def test_it_answers_410_before_the_cycle_opens(client, world, make_cycle):
    later = timezone.localdate() + timedelta(days=5)
    cycle = make_cycle(opens_on=later, closes_on=later + timedelta(days=5))
    code = issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
    response = client.get(link(code))
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
    open_survey(client, code)
    response = client.post(page_url(1), data)
    assert response.status_code == 400
    assert "This form was changed" in response.content.decode()
    assert not SurveyDraft.objects.exists()
    assert not Response.objects.exists()


def test_it_refuses_a_submit_with_a_forged_field(client, code, full_cycle):
    answer_everything(client, code, survey_shape(full_cycle))
    response = client.post(reverse("survey:submit"), {"team": "1"})
    assert response.status_code == 400
    assert not Response.objects.exists()
    assert not SpentCode.objects.exists()


def test_it_sends_an_early_submit_back_to_the_first_unanswered_page(client, code, full_cycle):
    shape = survey_shape(full_cycle)
    open_survey(client, code)
    answer_page(client, shape, 1)
    response = client.post(reverse("survey:submit"))
    assert response.status_code == 302
    assert response["Location"] == page_url(2)
    assert not Response.objects.exists()


def test_it_refuses_an_oversized_request_and_stores_nothing(client, code, full_cycle, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    codes = codes_on(survey_shape(full_cycle), 1)
    data = {c: "4" for c in codes}
    data["action"] = "next"
    open_survey(client, code)
    response = client.post(page_url(1), {**data, codes[0]: "4" + " " * 20_000})
    assert response.status_code == 400
    assert not SurveyDraft.objects.exists()


def test_it_shapes_a_pulse_over_a_few_short_pages(client, world, make_cycle):
    cycle = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)
    shape = survey_shape(cycle)
    conditions = [s for s in shape.statements if not s.is_outcome]
    assert 9 <= len(conditions) <= 12
    assert all(len([s for s in page.statements if not s.is_outcome]) <= 6 for page in shape.pages)
    assert len(shape.pages) == 2  # the outcome statements follow the conditions on the second


def test_it_offers_the_teams_voice_board_on_the_thank_you_page(client, code, full_cycle, world):
    from voice.selectors import board_path_for_team

    answer_everything(client, code, survey_shape(full_cycle))
    done = client.post(reverse("survey:submit"))
    page = client.get(done["Location"]).content.decode()
    assert "Open your team's voice board" in page
    assert f'href="{board_path_for_team(world.team_a.pk)}"' in page


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
    settings.SPEEDUP_REMEMBERED_SURVEY_HTML = True
    survey_views._remembered_statement.cache_clear()
    text = "Caseloads <b>let</b> me do the work well"
    first = survey_views._statement_html("CL9", text, "3", False, "en-gb")

    assert survey_views._statement_html("CL9", text, "3", False, "en-gb") is first
    assert "<legend>Caseloads &lt;b&gt;let&lt;/b&gt; me do the work well</legend>" in first
    assert 'id="CL9-3" value="3" checked' in first
    assert "border-danger" not in first
    missing = survey_views._statement_html("CL9", text, None, True, "en-gb")
    assert 'aria-describedby="err-CL9"' in missing
    assert " checked" not in missing
    with translation.override("cy"):
        welsh = survey_views._statement_html("CL9", text, None, True, "cy")
    assert welsh is not missing  # each language is remembered apart
    assert "Cytuno’n gryf" in welsh
    assert "Choose an answer" not in welsh
    settings.DEBUG = True  # development shows template edits at once
    assert survey_views._statement_html("CL9", text, "3", False, "en-gb") is not first


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_it_builds_the_radios_by_hand_exactly_as_their_template_draws_them(language):
    from diagnostics import survey_views

    with translation.override(language):
        questions = [("WL1", survey_views.scale_options())] + [
            (key, survey_views._choices_in_language(choices))
            for key, _label, choices in survey_views.ABOUT_QUESTIONS
        ]
        questions.append(("X<1>", (("a&b", 'Fish & "chips" <b>'), ("na", "Not <i>me</i>"))))
        for code, options in questions:
            for chosen in [None, *(value for value, _label in options)]:
                by_hand = survey_views._remembered_radios(code, chosen, options)
                assert by_hand == survey_views._rendered_radios(code, chosen, options)
                assert by_hand.count(" checked") == (chosen is not None)
    assert "&lt;b&gt;" in by_hand
    assert 'class="form-check not-applicable"' in by_hand


def test_it_draws_statements_and_radios_from_their_templates_each_time_when_the_speedup_is_off(
    settings,
):
    from diagnostics import survey_views

    settings.DEBUG = False
    text = "Caseloads let me do the work well"
    settings.SPEEDUP_REMEMBERED_SURVEY_HTML = True
    remembered = survey_views._statement_html("CL9", text, "3", True, "en-gb")
    about = survey_views._radios("role_group", "manager", (("manager", "Manager"),))
    settings.SPEEDUP_REMEMBERED_SURVEY_HTML = False

    with (
        mock.patch.object(
            survey_views, "_remembered_statement", wraps=survey_views._remembered_statement
        ) as remembered_statement,
        mock.patch.object(
            survey_views, "_remembered_radios", wraps=survey_views._remembered_radios
        ) as remembered_radios,
    ):
        drawn = [survey_views._statement_html("CL9", text, "3", True, "en-gb") for _ in range(2)]
        plain_about = survey_views._radios("role_group", "manager", (("manager", "Manager"),))

    assert drawn == [remembered, remembered]
    assert drawn[0] is not drawn[1]
    assert plain_about == about
    remembered_statement.assert_not_called()
    remembered_radios.assert_not_called()
