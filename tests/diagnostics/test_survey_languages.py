"""The survey in Welsh: offered by the organisation, chosen by the person answering, and never
stored with what they answered."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnostics import survey_session
from diagnostics.models import Answer, Response, StatementText, SurveyDraft
from diagnostics.selectors import latest_version_for, survey_shape
from diagnostics.services import create_cycle, invite_email, issue_invites, open_cycle
from tests.diagnostics.test_survey_views import answer_page, open_survey, page_url

WELSH_WL1 = "Mae fy llwyth achosion yn hylaw o fewn fy oriau dan gontract."
ENGLISH_WL1 = "My caseload is manageable within my contracted hours."


@pytest.fixture
def offers_welsh(world):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    return world.organisation


def in_welsh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    return client


def test_it_shows_statements_scale_and_headings_in_welsh_when_chosen_and_offered(
    client, code, full_cycle, offers_welsh
):
    open_survey(in_welsh(client), code)
    start = client.get(reverse("survey:start")).content.decode()
    assert '<html lang="cy">' in start
    assert "Beth rydym yn ei storio" in start
    # The built-in version with outcomes: 45 conditions and 2 outcome statements.
    assert "47 datganiad byr" in start  # the plural form for 47 (as for 45: n != 8, 11)

    body = client.get(page_url(1)).content.decode()
    assert f"<legend>{WELSH_WL1}</legend>" in body
    assert ENGLISH_WL1 not in body
    assert "Llwyth gwaith a llwythi achosion" in body
    for words in ("Anghytuno’n gryf", "Cytuno ychydig", "Cytuno’n gryf", "Nesaf", "Yn ôl"):
        assert words in body
    assert "Strongly agree" not in body


def test_it_gives_errors_in_welsh_with_welsh_plurals(client, code, full_cycle, offers_welsh):
    open_survey(in_welsh(client), code)
    shape = survey_shape(full_cycle)
    first_page, second_page = shape.page(1), shape.page(2)
    assert first_page is not None
    assert second_page is not None
    first, second, *rest = first_page.codes
    one_missing = client.post(page_url(1), {c: "4" for c in [first, second, *rest[1:]]})
    assert one_missing.status_code == 400
    body = one_missing.content.decode()
    assert "Dewiswch ateb i 1 datganiad arall" in body
    assert "Dewiswch ateb i’r datganiad hwn." in body
    *answered, _, _ = second_page.codes
    two_missing = client.post(page_url(2), {c: "4" for c in answered}).content.decode()
    assert "Dewiswch ateb i 2 ddatganiad arall" in two_missing  # soft mutation after "dau"


def test_it_keeps_what_was_ticked_on_a_page_when_the_language_is_switched_there(
    client, code, full_cycle, offers_welsh
):
    open_survey(client, code)
    first, *_ = survey_shape(full_cycle).pages[0].codes
    page = client.get(page_url(1)).content.decode()
    assert re.search(
        r'<button type="submit" name="language" value="cy" form="survey-answers"', page
    )
    assert '<form method="post" id="survey-answers" novalidate>' in page

    switched = client.post(f"{page_url(1)}?from=review", {first: "5", "language": "cy"})

    assert switched.status_code == 302
    assert switched["Location"] == f"{page_url(1)}?from=review"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert SurveyDraft.objects.get().answers == {first: 5}
    again = client.get(switched["Location"]).content.decode()
    assert '<html lang="cy">' in again
    assert f'name="{first}" id="{first}-5" value="5" checked' in again


def test_it_keeps_a_page_s_answers_when_its_language_is_no_longer_offered(client, code, full_cycle):
    """A page drawn while Welsh was offered, sent after an admin stopped offering it."""
    open_survey(client, code)
    first, *_ = survey_shape(full_cycle).pages[0].codes

    stayed = client.post(page_url(1), {first: "5", "language": "cy"})

    assert stayed["Location"] == page_url(1)
    assert settings.LANGUAGE_COOKIE_NAME not in stayed.cookies
    assert SurveyDraft.objects.get().answers == {first: 5}


def test_it_switches_a_signed_in_person_s_language_on_a_survey_page_for_good(
    client_for, world, code, full_cycle, offers_welsh
):
    world.team_manager.language = "en-gb"
    world.team_manager.save(update_fields=["language"])
    client = client_for(world.team_manager)
    open_survey(client, code)
    first, *_ = survey_shape(full_cycle).pages[0].codes

    switched = client.post(page_url(1), {first: "5", "language": "cy"})

    assert '<html lang="cy">' in client.get(switched["Location"]).content.decode()
    world.team_manager.refresh_from_db()
    assert world.team_manager.language == "cy"


def test_it_makes_next_the_button_enter_presses_on_a_survey_page(client, code, offers_welsh):
    open_survey(client, code)
    html = client.get(page_url(1)).content.decode()

    # The first button the survey's form owns, in the page's order, is what Enter presses.
    owned = re.findall(
        r'<button[^>]*form="survey-answers"[^>]*>', html.split('id="survey-answers"', 1)[0]
    )
    assert owned[0] == (
        '<button type="submit" name="action" value="next" form="survey-answers" hidden '
        'tabindex="-1" aria-hidden="true">'
    )
    assert 'name="language" value="cy" form="survey-answers"' in owned[1]


def test_it_reviews_and_thanks_in_welsh(client, code, full_cycle, offers_welsh):
    shape = survey_shape(full_cycle)
    open_survey(in_welsh(client), code)
    for number in range(1, len(shape.pages) + 1):
        assert answer_page(client, shape, number, value="4").status_code == 302
    review = client.get(reverse("survey:review")).content.decode()
    assert "Gwiriwch eich atebion" in review
    assert "Cytuno ychydig" in review
    assert WELSH_WL1 in review
    client.post(reverse("survey:submit"))
    thanks = client.get(reverse("survey:thanks")).content.decode()
    assert "Diolch: mae eich atebion wedi dod i law" in thanks


def test_it_shows_english_where_the_organisation_offers_only_english(client, code, full_cycle):
    open_survey(in_welsh(client), code)
    body = client.get(page_url(1)).content.decode()
    assert '<html lang="en-gb">' in body
    assert f"<legend>{ENGLISH_WL1}</legend>" in body
    assert "Strongly agree" in body
    assert "This survey is offered in English only." in body


def test_it_shows_english_for_a_statement_with_no_welsh_text(
    client, code, full_cycle, offers_welsh
):
    StatementText.objects.filter(statement__code="WL1").delete()
    full_cycle.status = full_cycle.Status.DRAFT  # read afresh, not from the process's cache
    from diagnostics.selectors import survey_statements

    statements = survey_statements(full_cycle)
    wl1 = next(s for s in statements if s.code == "WL1")
    assert wl1.text_in("cy") == ENGLISH_WL1
    assert next(s for s in statements if s.code == "WL2").text_in("cy").startswith("Mae gen i")


def test_it_stores_the_same_response_whatever_the_language_and_never_the_language(
    client_for, world, full_cycle, offers_welsh
):
    shape = survey_shape(full_cycle)
    english, welsh = issue_invites(cycle=full_cycle, team=world.team_a, count=2)
    payloads = []
    for code, language in ((english, "en-gb"), (welsh, "cy")):
        client = client_for(None)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        open_survey(client, code)
        cookie = client.cookies[survey_session.COOKIE_NAME].value
        payloads.append(set(signing.loads(cookie, salt=survey_session.SALT)))
        for number in range(1, len(shape.pages) + 1):
            answer_page(client, shape, number, value="5")
        drafts = list(SurveyDraft.objects.values("answers", "about", "comment"))
        assert "cy" not in str(drafts)
        assert "en-gb" not in str(drafts)
        client.post(reverse("survey:submit"))
    assert payloads[0] == payloads[1]  # the survey session holds no language either

    first, second = Response.objects.order_by("pk")
    assert {(a.statement_id, a.value, a.score) for a in Answer.objects.filter(response=first)} == {
        (a.statement_id, a.value, a.score) for a in Answer.objects.filter(response=second)
    }
    for model in (Response, Answer, SurveyDraft):
        names = {field.name for field in model._meta.get_fields()}
        assert not names & {"language", "lang", "locale"}


def test_it_sets_the_chooser_s_cookie_and_a_signed_in_person_s_preference(client_for, team_manager):
    anonymous = client_for(None)
    response = anonymous.post(reverse("set_language"), {"language": "cy", "next": "/survey/"})
    assert response.status_code == 302
    assert response["Location"] == "/survey/"
    assert anonymous.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    assert '<html lang="cy">' in anonymous.get(reverse("survey:enter_code")).content.decode()

    signed_in = client_for(team_manager)
    signed_in.post(reverse("set_language"), {"language": "cy", "next": "/"})
    team_manager.refresh_from_db()
    assert team_manager.language == "cy"
    other_browser = client_for(team_manager)  # no cookie: the preference alone
    assert '<html lang="cy">' in other_browser.get(reverse("protection")).content.decode()
    assert other_browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_it_refuses_a_language_the_site_does_not_have(client_for, team_manager):
    signed_in = client_for(team_manager)
    signed_in.post(reverse("set_language"), {"language": "fr", "next": "/"})
    team_manager.refresh_from_db()
    assert team_manager.language == ""


def test_it_never_sends_a_code_on_through_the_chooser(client, db):
    body = client.get(reverse("survey:link", kwargs={"code": "ABCD-EFGH-JKMN"})).content.decode()
    assert 'name="next" value="/survey/"' in body
    assert "ABCD" not in body.split('action="/language/"')[1].split("</form>")[0]


def chooser_of(body: str) -> str:
    return body.split('<div class="language-chooser">', 1)[1].split("</div>", 1)[0]


def test_it_switches_language_with_the_request_s_own_token_from_a_chooser_drawn_once(
    code, full_cycle, offers_welsh
):
    """The chooser is drawn once per process and its CSRF token put in on each request: each
    page's chooser carries that page's token, which the language switch accepts."""
    browser = Client(enforce_csrf_checks=True)
    open_survey(browser, code)
    tokens = []
    for _ in range(2):  # the second drawn from what the first remembered
        body = browser.get(page_url(1)).content.decode()
        chooser = chooser_of(body)
        assert 'name="language" value="cy"' in chooser
        token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', chooser)
        assert token is not None, chooser
        assert (
            token.group(1)
            in body.split('<form method="post" id="survey-answers" novalidate>', 1)[1]
        )
        tokens.append(token.group(1))
    assert tokens[0] != tokens[1]  # masked afresh for each page, not remembered
    switched = browser.post(
        reverse("set_language"),
        {"language": "cy", "next": "/survey/", "csrfmiddlewaretoken": tokens[1]},
    )
    assert switched.status_code == 302
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"


def test_it_reads_no_csrf_token_for_a_chooser_without_a_form(client, code, full_cycle):
    """Where only English is offered the chooser has no form, so the start page (no other form)
    gives the browser no CSRF cookie."""
    open_survey(client, code)
    for _ in range(2):
        response = client.get(reverse("survey:start"))
        assert "This survey is offered in English only." in chooser_of(response.content.decode())
        assert settings.CSRF_COOKIE_NAME not in response.cookies


def test_it_sends_the_invitation_in_welsh_first_then_english(world, full_cycle, offers_welsh):
    subject, body = invite_email(cycle=full_cycle, team=world.team_a, code="ABCD-EFGH-JKMN")
    assert subject == f"Eich gwahoddiad: {full_cycle.name} / Your invitation: {full_cycle.name}"
    welsh, english = body.split("\n----\n\n")
    assert welsh.startswith("Fe’ch gwahoddir i ateb arolwg dienw")
    assert english.startswith("You are invited to answer an anonymous survey")
    assert welsh.count("ABCD-EFGH-JKMN") == english.count("ABCD-EFGH-JKMN") >= 1


def test_it_sends_the_invitation_in_english_only_where_only_english_is_offered(world, full_cycle):
    subject, body = invite_email(cycle=full_cycle, team=world.team_a, code="ABCD-EFGH-JKMN")
    assert subject == f"Your invitation: {full_cycle.name}"
    assert "----" not in body
    assert f"It closes on {full_cycle.closes_on:%-d %B %Y}." in body


def test_it_exports_the_instrument_in_welsh(full_cycle):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "export_instrument", str(full_cycle.pk), "--language", "cy", stdout=out, stderr=err
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "code,domain,statement,reverse_scored"
    assert lines[1] == f"WL1,Llwyth gwaith a llwythi achosion,{WELSH_WL1},no"
    assert len(lines) == 1 + 47  # the header, then 45 conditions and 2 outcome statements
    assert lines[-1].startswith("REC1,Argymell fel lle i ymarfer,Byddwn yn argymell")
    assert err.getvalue() == ""

    english = io.StringIO()
    call_command("export_instrument", str(full_cycle.pk), "--language", "en", stdout=english)
    assert english.getvalue().splitlines()[1] == f"WL1,Workload and caseloads,{ENGLISH_WL1},no"


def test_it_names_statements_without_a_text_in_the_language(full_cycle):
    StatementText.objects.filter(statement__code="SUP2").delete()
    full_cycle.status = full_cycle.Status.DRAFT  # read afresh, not from the process's cache
    err = io.StringIO()
    call_command(
        "export_instrument",
        str(full_cycle.pk),
        "--language",
        "cy",
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "SUP2" in err.getvalue()


def test_it_refuses_an_unknown_language_for_the_instrument(full_cycle):
    with pytest.raises(CommandError, match="not one of the site's languages"):
        call_command("export_instrument", str(full_cycle.pk), "--language", "fr")


def test_it_names_the_cycle_and_organisation_in_welsh_on_the_survey_and_the_cycle_in_the_invitation(
    client, world, offers_welsh
):
    today = timezone.localdate()
    cycle = create_cycle(
        unit=world.team_a,
        kind="full",
        instrument=latest_version_for(world.organisation),
        name="Spring survey",
        names_in_languages={"cy": "Arolwg y gwanwyn"},
        opens_on=today,
        closes_on=today,
        created_by=None,
    )
    open_cycle(cycle=cycle)
    (code,) = issue_invites(cycle=cycle, team=world.team_a, count=1)
    world.organisation.name_in_languages = {"cy": "Cyngor Enghraifft"}
    world.organisation.save()
    open_survey(in_welsh(client), code)
    welsh = client.get(reverse("survey:start")).content.decode()
    assert '<h1 class="h2">Arolwg y gwanwyn</h1>' in welsh
    assert "Cyngor Enghraifft · Team A</p>" in welsh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    english = client.get(reverse("survey:start")).content.decode()
    assert '<h1 class="h2">Spring survey</h1>' in english
    assert "Example Council · Team A</p>" in english
    subject, body = invite_email(cycle=cycle, team=world.team_a, code=code)
    assert subject == "Eich gwahoddiad: Arolwg y gwanwyn / Your invitation: Spring survey"
    welsh_body, english_body = body.split("\n----\n\n")
    assert "Arolwg y gwanwyn" in welsh_body
    assert "Spring survey" not in welsh_body
    assert "Spring survey" in english_body
    assert "Arolwg y gwanwyn" not in english_body


def _code_sheet(world, client_for, cycle) -> str:
    from html import unescape

    client = client_for(world.team_manager)
    page = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"count": 2},
        follow=True,
    )
    assert page.resolver_match.url_name == "invites_sheet"
    return unescape(re.sub(r"\s+", " ", page.content.decode()))


def test_it_prints_each_code_card_in_every_language_the_survey_offers(
    world, client_for, make_cycle, offers_welsh
):
    """From the walk: the e-mailed invitations were in English and Welsh, the printed cards in
    English only. Whoever picks a card up may read either."""
    cycle = make_cycle(unit=world.team_a, name="Autumn")
    cycle.names_in_languages = {"cy": "Hydref"}
    cycle.save(update_fields=["names_in_languages"])
    closes = cycle.closes_on

    sheet = _code_sheet(world, client_for, cycle)

    assert sheet.count(f"Anonymous survey for Team A. Closes {closes:%-d %B %Y}.") == 2
    assert sheet.count('lang="cy"> <p class="mb-1 fw-semibold">Hydref</p>') == 2
    assert sheet.count("Arolwg dienw i Team A.") == 2
    assert sheet.count("Sganiwch y cod") == 2
    cycle.names_in_languages = {}
    cycle.save(update_fields=["names_in_languages"])
    unnamed = _code_sheet(world, client_for, cycle)
    assert unnamed.count('<p class="mb-1 fw-semibold">Autumn</p>') == 2  # once a card


def test_it_prints_code_cards_in_english_alone_where_only_english_is_offered(
    world, client_for, make_cycle
):
    cycle = make_cycle(unit=world.team_a, name="Autumn")
    sheet = _code_sheet(world, client_for, cycle)
    assert sheet.count("Scan the code, or go to the address below and type the code:") == 2
    assert sheet.count('lang="en-gb"> <p class="mb-1 fw-semibold">Autumn</p>') == 2
    assert "Sganiwch y cod" not in sheet
