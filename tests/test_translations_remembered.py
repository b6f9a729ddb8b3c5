"""Translations looked up once per process (sword/translations.py) give the same pages as
Django's own lookup, in English and in Welsh."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import trans_real

from diagnostics.models import Cycle
from diagnostics.selectors import latest_version_for, survey_shape
from diagnostics.services import create_cycle, issue_invites, open_cycle
from sword import translations
from sword.templatetags import languages

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def counted_lookups(monkeypatch):
    """How many times Django's own lookup ran, per string, from nothing remembered."""
    loaded_translations = [*trans_real._translations.values(), trans_real._default]  # type: ignore[attr-defined]
    for loaded in loaded_translations:
        if loaded is not None:
            loaded.__dict__.pop("_sword_remembered", None)
    counts: dict[str, int] = {}
    looked_up = translations._looked_up

    def counting(self, message):
        counts[message] = counts.get(message, 0) + 1
        return looked_up(self, message)

    monkeypatch.setattr(translations, "_looked_up", counting)
    return counts


def test_it_looks_each_string_up_once_per_language(counted_lookups, settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    message = "Check your answers"
    with translation.override("cy"):
        welsh = [translation.gettext(message) for _ in range(3)]
    with translation.override("en-gb"):
        english = [translation.gettext(message) for _ in range(3)]

    assert welsh == ["Gwiriwch eich atebion"] * 3
    assert english == [message] * 3
    assert counted_lookups[message] == 2  # once in each language


def test_it_asks_django_every_time_when_turned_off(counted_lookups, settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = False
    with translation.override("cy"):
        welsh = [translation.gettext("Check your answers") for _ in range(3)]

    assert welsh == ["Gwiriwch eich atebion"] * 3
    assert counted_lookups["Check your answers"] == 3


def test_it_never_hands_a_safe_mark_on_to_a_plain_string(settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    english = trans_real.translation("en-gb")
    words = "<b>not in any catalogue</b>"
    assert isinstance(english.gettext(mark_safe(words)), SafeData)  # noqa: S308
    plain = english.gettext(words)

    assert plain == words
    assert not isinstance(plain, SafeData)


@pytest.fixture
def counted_renders(monkeypatch):
    """How many times Django's own rendering of a translate tag ran."""
    renders: list[str] = []
    rendered = translations._rendered

    def counting(self, context):
        text = rendered(self, context)
        renders.append(text)
        return text

    monkeypatch.setattr(translations, "_rendered", counting)
    return renders


def test_it_renders_a_tag_of_written_words_once_per_language(counted_renders, settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    template = Template('{% load i18n %}{% translate "Check your answers" %}')
    with translation.override("cy"):
        welsh = [template.render(Context()) for _ in range(3)]
    with translation.override("en-gb"):
        english = [template.render(Context()) for _ in range(3)]

    assert welsh == ["Gwiriwch eich atebion"] * 3
    assert english == ["Check your answers"] * 3
    assert counted_renders == ["Gwiriwch eich atebion", "Check your answers"]


def test_it_draws_a_tag_afresh_for_a_new_catalogue_of_the_language(monkeypatch, settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    template = Template('{% load i18n %}{% translate "Check your answers" %}')
    with translation.override("cy"):
        assert template.render(Context()) == "Gwiriwch eich atebion"

    class Shouting(trans_real.DjangoTranslation):
        def gettext(self, message: str) -> str:
            return message.upper()

    # Django makes a new catalogue object when a catalogue file or a setting it reads changes.
    monkeypatch.setitem(trans_real._translations, "cy", Shouting("cy"))  # type: ignore[attr-defined]
    with translation.override("cy"):
        assert template.render(Context()) == "CHECK YOUR ANSWERS"


def test_it_draws_the_language_chooser_afresh_for_a_new_catalogue_of_the_language(
    monkeypatch, settings
):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    values = {
        "next": "/",
        "choices": [("en-gb", "English")],
        "only": "",
        "csrf_token": "t" * 64,
        "form": "",
    }
    with translation.override("cy"):
        assert "newid yr iaith" in languages.remembered_chooser(values)

    class Shouting(trans_real.DjangoTranslation):
        def gettext(self, message: str) -> str:
            return message.upper()

    monkeypatch.setitem(trans_real._translations, "cy", Shouting("cy"))  # type: ignore[attr-defined]
    with translation.override("cy"):
        drawn = languages.remembered_chooser(values)
    assert "newid yr iaith" not in drawn
    assert "CHANGE THE LANGUAGE" in drawn


@pytest.mark.parametrize(
    "source",
    [
        "{% translate word %}",
        "{% translate 'Check your answers' as words %}{{ words }}",
        "{% translate 'Check your answers'|upper %}",
        '{% translate "None" context "no comment" %}',
    ],
)
def test_it_renders_other_translate_tags_every_time(counted_renders, settings, source):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    template = Template("{% load i18n %}" + source)
    with translation.override("cy"):
        for _ in range(2):
            template.render(Context({"word": "Check your answers"}))

    assert len(counted_renders) == 2


def test_it_renders_every_tag_afresh_in_development(counted_renders, settings):
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    settings.DEBUG = True  # a catalogue changed while the server runs must show at once
    template = Template('{% load i18n %}{% translate "Check your answers" %}')
    for _ in range(2):
        template.render(Context())

    assert len(counted_renders) == 2


def survey_pages(client: Client, code: str, shape) -> list[str]:
    """The survey's pages as a browser reads them, with the per-request CSRF tokens blanked."""
    addresses = [
        reverse("survey:start"),
        *(reverse("survey:page", kwargs={"number": n}) for n in range(1, shape.page_count + 1)),
        reverse("survey:review"),
        reverse("survey:thanks"),
        reverse("survey:enter_code"),
        reverse("protection"),
    ]
    return [CSRF_TOKEN.sub("", client.get(address).content.decode()) for address in addresses]


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_it_gives_the_same_pages_as_django_s_own_lookup(world, settings, client, language):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save()
    today = timezone.localdate()
    cycle = create_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.FULL,
        instrument=latest_version_for(world.organisation),
        name="Full",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        created_by=None,
    )
    open_cycle(cycle=cycle)
    [code] = issue_invites(cycle=cycle, team=world.team_a, count=1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.get(reverse("survey:link", kwargs={"code": code}))
    shape = survey_shape(cycle)

    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = False
    plain = survey_pages(client, code, shape)
    settings.SPEEDUP_REMEMBERED_TRANSLATIONS = True
    first = survey_pages(client, code, shape)
    remembered = survey_pages(client, code, shape)

    assert remembered == first == plain
    assert ("Gwiriwch eich atebion" in plain[-4]) == (language == "cy")
