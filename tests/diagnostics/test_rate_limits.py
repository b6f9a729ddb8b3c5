from __future__ import annotations

from django.urls import reverse


def test_it_pauses_code_entry_after_too_many_tries_with_a_clear_message(client, db, settings):
    settings.SURVEY_CODE_RATE = "3/m"
    for _ in range(3):
        assert client.post(reverse("survey:enter_code"), {"code": "nonsense"}).status_code == 400
    response = client.post(reverse("survey:enter_code"), {"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 429
    assert "Too many codes tried" in response.content.decode()


def test_it_pauses_after_too_many_unknown_codes_in_links(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(3):
        client.get(reverse("survey:start", kwargs={"code": "AAAA-BBBB-CCCC"}))
    response = client.get(reverse("survey:start", kwargs={"code": code}))
    assert response.status_code == 429  # even a good code waits until the pause ends


def test_it_does_not_count_good_codes(client, world, code, settings):
    settings.SURVEY_CODE_RATE = "2/m"
    for _ in range(5):
        assert client.get(reverse("survey:start", kwargs={"code": code})).status_code == 200
