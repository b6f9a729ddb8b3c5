"""Every word the signed-in pages' templates show is marked for translation, so the site is
ready for any language (issue 19): text a person reads sits inside `{% translate %}` or
`{% blocktranslate %}`, never bare between tags or in an aria-label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The folders whose templates are fully marked; add a folder here once its strings are
# (diagnostics/ has its own check, tests/diagnostics/test_translation_marking.py).
MARKED = (
    "accounts",
    "actions",
    "api",
    "dashboards",
    "includes",
    "notices",
    "organisations",
    "voice",
)
READ_ALOUD = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"]*)"')


def unmarked_text(template: str) -> list[str]:
    """The words of a template that a reader sees but no translation tag covers."""
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", template, flags=re.S)
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{%\s*block body_class\s*%}.*?{%\s*endblock\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<(pre|code)\b.*?</\1>", " ", text, flags=re.S)  # commands, not prose
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    found = [value for _, value in READ_ALOUD.findall(text) if re.search(r"[A-Za-z]{2}", value)]
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    found += [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2}", line)]
    return found


def test_it_finds_unmarked_words_and_accepts_marked_ones():
    assert unmarked_text('<p>Save</p><nav aria-label="Pages">') == ["Pages", "Save"]
    assert (
        unmarked_text(
            '{% load i18n %}<p>{% translate "Save" %}</p><nav aria-label="{% translate "Pages" %}">'
            "{% blocktranslate count counter=n %}{{ counter }} team{% plural %}{{ counter }} teams"
            "{% endblocktranslate %}</nav><code>curl -H x</code>{{ unit.name }}"
        )
        == []
    )


@pytest.mark.parametrize(
    "path",
    sorted(p for folder in MARKED for p in (TEMPLATES / folder).rglob("*") if p.is_file()),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_it_leaves_no_word_unmarked_in_the_template(path: Path):
    assert unmarked_text(path.read_text()) == []
