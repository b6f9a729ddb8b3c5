from __future__ import annotations

from django.urls import reverse

from diagnostics.selectors import survey_shape

UNKNOWN = "AAAA-BBBB-CCCC"


def link(code: str) -> str:
    return reverse("survey:link", kwargs={"code": code})


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
        client.get(link(UNKNOWN))
    response = client.get(link(code))
    assert response.status_code == 429  # a code not yet started waits until the pause ends


def test_it_lets_people_part_way_through_carry_on_during_a_pause(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    assert client.get(link(code)).status_code == 302  # started in this browser
    for _ in range(3):
        client.get(link(UNKNOWN))
    assert client.get(link(UNKNOWN)).status_code == 429
    assert client.get(link(code)).status_code == 302  # their own link still opens
    page = client.get(reverse("survey:page", kwargs={"number": 1}))
    assert page.status_code == 200


def test_it_does_not_count_good_codes(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(5):
        assert client.get(link(code)).status_code == 302


def test_it_counts_each_client_behind_the_proxy_separately(client, world, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    settings.PROXY_COUNT = 1
    start = link(UNKNOWN)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    assert client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy).status_code == 429
    assert client.get(start, HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy).status_code == 404


def test_it_still_submits_a_started_code_during_a_pause(client, world, code, full_cycle, settings):
    settings.SURVEY_CODE_RATE = "1/m"
    client.get(link(code))
    shape = survey_shape(full_cycle)
    for survey_page in shape.pages:
        data = {c: "4" for c in survey_page.codes}
        client.post(reverse("survey:page", kwargs={"number": survey_page.number}), data)
    client.get(link(UNKNOWN))
    assert client.get(link(UNKNOWN)).status_code == 429
    response = client.post(reverse("survey:submit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks")
