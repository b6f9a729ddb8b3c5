"""The Welsh catalogue covers every string of the pages staff see, and the compiled catalogue
the site loads is the one in the .po file.

The first test runs Django's own `makemessages` over the staff pages' templates and modules
only (copied to a temporary folder), so it finds exactly the strings they mark, and asks the
committed catalogue for each: present, translated (every plural form) and not fuzzy. It needs
GNU gettext's xgettext (`apt-get install gettext`; CI installs it and sets REQUIRE_GETTEXT).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# What staff see without signing in, and what the site's frame shows on every page: the survey
# (every step, its errors and the invitation e-mail), the privacy page, the voice board, the
# team's results page, the public home page and the error pages.
STAFF_FILES = (
    "templates/base.html",
    "templates/base_survey.html",
    "templates/home_public.html",
    "templates/403_csrf.html",
    "templates/errors/400.html",
    "templates/errors/403.html",
    "templates/errors/404.html",
    "templates/errors/413.html",
    "templates/includes/language_chooser.html",
    "templates/protection.html",
    "templates/survey/_buttons.html",
    "templates/survey/_progress.html",
    "templates/survey/_statement.html",
    "templates/survey/about.html",
    "templates/survey/enter_code.html",
    "templates/survey/page.html",
    "templates/survey/problem.html",
    "templates/survey/review.html",
    "templates/survey/start.html",
    "templates/survey/thanks.html",
    "templates/voice/board.html",
    "templates/voice/raise.html",
    "templates/voice/_answers.html",
    "templates/voice/_status.html",
    "templates/voice/link_gone.html",
    "templates/voice/rate_limited.html",
    "templates/dashboards/staff_results.html",
    "templates/dashboards/_framing.html",
    "templates/dashboards/_band.html",
    "diagnostics/errors.py",
    "diagnostics/release_words.py",
    "diagnostics/models.py",
    "diagnostics/survey_views.py",
    "voice/forms.py",
    "voice/models.py",
    "dashboards/staff.py",
    "dashboards/staff_views.py",
    "dashboards/common.py",
    "actions/models.py",
)
# Modules shared with signed-in pages: the strings of theirs that staff see (the invitation
# and the reminder are e-mailed to staff, who have no account: in every survey language).
STAFF_STRINGS_IN_SHARED_MODULES = (
    "Your invitation: %(cycle)s",
    "You are invited to answer an anonymous survey about the working conditions of %(team)s: "
    "%(cycle)s.\n\nAnswer here (the link works once):\n%(link)s\n\n"
    "Or go to %(enter)s and type the code %(code)s.\n\n"
    "It closes on %(closes)s. Your answers cannot be traced back to you or to this e-mail: the "
    "code is not linked to what you answer.\n",
    "Reminder: %(cycle)s closes on %(closes)s",
    "The anonymous survey about the working conditions of %(team)s, %(cycle)s, closes at the "
    "end of %(closes)s.\n\nIf you have already answered, thank you: there is nothing more to "
    "do. This reminder goes to everyone who was invited by e-mail, because nobody can tell who "
    "has answered.\n\nIf you have not, use the link or code in your invitation e-mail (its "
    "subject is “Your invitation: %(cycle)s”). Each code works once.\n\nYour address was kept "
    "only to send this reminder. It is deleted when the survey closes. How answers are "
    "protected: %(protection)s\n",
    "This survey opens on %(date)s. Your code will work then.",
    "This survey closed on %(date)s, so it takes no more answers. Thank you for wanting to "
    "take part.",
    "Some statements have no answer yet.",
    "Keep your comment under %(limit)s characters.",
    "Describe the issue.",
    "Choose what the issue is about.",
    "This team's voice board is closed.",
    "Keep the issue to %(limit)s characters or fewer (it has %(length)s).",
    "This issue has been hidden, so it cannot be supported.",
    "You have raised several issues in a short time. Please wait an hour and try again. "
    "Nothing you wrote has been added to the board.",
    "Your issue is on the board. Come back to this page to see the answer.",
    "Thank you: your support is counted.",
    # The default safety contact (organisations/models.py), shown when Safety is chosen.
    "If you or someone else is in danger now, call 999. For a safety concern at work, speak "
    "to your manager or the duty manager today, and record it in the incident system. You can "
    "also contact the organisation's health and safety team.",
    "You have already supported this issue. It counts once.",
    # Who answered an issue on the voice board (VoiceAnswer.answered_as): a role's name.
    "Organisation admin",
    "Leader",
    "Team manager",
)


def _key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def _untranslated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return len(forms) != 4 or not all(forms.values())
    return not entry.msgstr


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str, str], polib.POEntry]:
    po = polib.pofile(str(CATALOGUE))
    assert (
        "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"
        in (po.metadata["Plural-Forms"])
    )
    return {_key(entry): entry for entry in po if not entry.obsolete}


@pytest.fixture(scope="module")
def staff_strings(tmp_path_factory: pytest.TempPathFactory) -> list[polib.POEntry]:
    """Every string the staff pages' files mark, as makemessages finds them."""
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("xgettext is missing: apt-get install gettext")
        pytest.skip("GNU gettext is not installed here (CI installs it)")
    root = tmp_path_factory.mktemp("staff-strings")
    for name in STAFF_FILES:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(settings.BASE_DIR) / name, target)
    (root / "locale").mkdir()
    here = Path.cwd()
    os.chdir(root)
    try:
        with override_settings(LOCALE_PATHS=[root / "locale"]):
            call_command("makemessages", locale=["cy"], no_location=True, verbosity=0)
    finally:
        os.chdir(here)
    found = polib.pofile(str(root / "locale" / "cy" / "LC_MESSAGES" / "django.po"))
    return [entry for entry in found if entry.msgid]


def test_it_finds_the_strings_of_the_staff_pages(staff_strings):
    msgids = {entry.msgid for entry in staff_strings}
    assert "Strongly agree" in msgids
    assert "Choose an answer for this statement." in msgids
    assert "How the board works" in msgids
    assert "Issues, most supported first" in msgids
    assert len(msgids) > 200


def test_it_has_a_welsh_text_for_the_staff_strings_of_shared_modules(catalogue):
    for msgid in STAFF_STRINGS_IN_SHARED_MODULES:
        entry = catalogue.get(("", msgid))
        assert entry is not None, msgid
        assert not entry.fuzzy, msgid
        assert not _untranslated(entry), msgid


def test_it_has_a_welsh_text_for_every_string_of_the_staff_pages(staff_strings, catalogue):
    missing = [e.msgid for e in staff_strings if _key(e) not in catalogue]
    fuzzy = [e.msgid for e in staff_strings if _key(e) in catalogue and catalogue[_key(e)].fuzzy]
    untranslated = [
        e.msgid for e in staff_strings if _key(e) in catalogue and _untranslated(catalogue[_key(e)])
    ]
    assert missing == [], "Not in locale/cy/LC_MESSAGES/django.po: run makemessages -l cy"
    assert fuzzy == [], "Fuzzy in the Welsh catalogue: check and clear the flag"
    assert untranslated == [], "No Welsh text yet"


def test_it_keeps_the_same_placeholders_in_welsh(catalogue):
    placeholder = re.compile(r"%\(\w+\)[sd]|%%")
    for entry in catalogue.values():
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        wanted = {p for text in sources for p in placeholder.findall(text)}
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            if text:
                assert set(placeholder.findall(text)) <= wanted, entry.msgid
                assert set(placeholder.findall(text)) >= wanted - {"%(counter)s"}, entry.msgid


def test_it_loads_the_compiled_catalogue_the_po_file_holds(catalogue):
    compiled = {
        (entry.msgctxt or "", entry.msgid): entry
        for entry in polib.mofile(str(COMPILED))
        if entry.msgid
    }
    translated = {key: e for key, e in catalogue.items() if not e.fuzzy and not _untranslated(e)}
    assert set(compiled) == set(translated), (
        "locale/cy/LC_MESSAGES/django.mo is out of date: run compilemessages -l cy"
    )
    for key, entry in translated.items():
        if entry.msgid_plural:
            assert compiled[key].msgstr_plural == entry.msgstr_plural, entry.msgid
        else:
            assert compiled[key].msgstr == entry.msgstr, entry.msgid


def test_it_tells_a_signed_in_reader_of_welsh_that_their_pages_are_partly_translated(
    world, client_for
):
    client = client_for(world.team_manager)
    english = client.get(reverse("home")).content.decode()
    assert "partly-translated" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = client.get(reverse("home")).content.decode()
    assert '<html lang="cy">' in welsh
    assert "partly-translated" in welsh
    assert "wedi’u cyfieithu’n rhannol" in welsh
    staff = Client()
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    assert "partly-translated" not in staff.get(reverse("protection")).content.decode()
