"""The language e-mails to a person are written in, whatever language is active."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from accounts.languages import in_language_of, language_of


def test_it_writes_in_the_language_the_person_chose_whatever_is_active(team_manager):
    team_manager.language = "cy"
    with translation.override("en-gb"), in_language_of(team_manager):
        assert gettext("no responses") == "dim ymatebion"
    assert language_of(team_manager) == "cy"


def test_it_writes_in_the_site_s_language_to_someone_who_chose_none(team_manager, settings):
    team_manager.language = ""
    with translation.override("cy"), in_language_of(team_manager):
        assert gettext("no responses") == "no responses"
    assert language_of(team_manager) == settings.LANGUAGE_CODE


def test_it_ignores_a_stored_language_the_site_no_longer_has(team_manager, settings):
    team_manager.language = "fr"
    assert language_of(team_manager) == settings.LANGUAGE_CODE
