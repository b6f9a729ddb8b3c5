from __future__ import annotations

from django.urls import reverse

from diagnostics.services import find_invite, save_progress
from tests.diagnostics.conftest import all_answers

UNKNOWN = "AAAA-BBBB-CCCC"


def test_it_pauses_after_too_many_unknown_codes_typed_in(client, db, settings):
    settings.SURVEY_CODE_RATE = "3/m"
    for _ in range(3):
        typed = client.post(reverse("survey:enter_code"), {"code": UNKNOWN}, follow=True)
        assert typed.status_code == 404  # "we do not recognise this code"
    response = client.post(reverse("survey:enter_code"), {"code": UNKNOWN}, follow=True)
    assert response.status_code == 429
    assert "Too many codes tried" in response.content.decode()


def test_it_does_not_count_mistyped_codes_that_are_never_looked_up(client, db, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(5):
        assert client.post(reverse("survey:enter_code"), {"code": "nonsense"}).status_code == 400


def test_it_pauses_after_too_many_unknown_codes_in_links(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(3):
        client.get(reverse("survey:start", kwargs={"code": UNKNOWN}))
    response = client.get(reverse("survey:start", kwargs={"code": code}))
    assert response.status_code == 429  # a code not yet started waits until the pause ends


def test_it_lets_people_part_way_through_carry_on_during_a_pause(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    save_progress(invite=find_invite(code), answers={})
    for _ in range(3):
        client.get(reverse("survey:start", kwargs={"code": UNKNOWN}))
    assert client.get(reverse("survey:start", kwargs={"code": UNKNOWN})).status_code == 429
    page = client.get(reverse("survey:page", kwargs={"code": code, "number": 1}))
    assert page.status_code == 200


def test_it_does_not_count_good_codes(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(5):
        assert client.get(reverse("survey:start", kwargs={"code": code})).status_code == 200


def test_it_counts_unknown_codes_sent_straight_to_submit(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    submit = reverse("survey:submit", kwargs={"code": UNKNOWN})
    assert client.post(submit).status_code == 404
    assert client.post(submit).status_code == 404
    assert client.post(submit).status_code == 429
    assert client.post(reverse("survey:submit", kwargs={"code": code})).status_code == 429


def test_it_counts_each_client_behind_the_proxy_separately(client, world, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    settings.PROXY_COUNT = 1
    start = reverse("survey:start", kwargs={"code": UNKNOWN})
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    assert client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429
    assert client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code == 404


def test_it_still_submits_a_started_code_during_a_pause(client, world, code, full_cycle, settings):
    settings.SURVEY_CODE_RATE = "1/m"
    invite = find_invite(code)
    save_progress(invite=invite, answers=all_answers(full_cycle))
    client.get(reverse("survey:start", kwargs={"code": UNKNOWN}))
    client.get(reverse("survey:start", kwargs={"code": UNKNOWN}))
    response = client.post(reverse("survey:submit", kwargs={"code": code}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("survey:thanks"))
