"""The managers' diagnostics pages are ready for any language: every sentence of their templates
is marked for translation, and the structural figures read in the reader's language on pages
while the audit log and exports keep their English names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from diagnostics import structural
from diagnostics.structural import FIGURES_BY_CODE, check_thresholds

TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "diagnostics").glob("*.html"))
NOT_WORDS = {"CSV"}  # the file type's name, the same in every language


def _unmarked_text(source: str) -> list[str]:
    """Text a reader sees that is outside {% translate %} and {% blocktranslate %}."""
    text = re.sub(r"{%\s*blocktranslate.*?endblocktranslate\s*%}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "\n", text, flags=re.S)
    pieces = (piece.strip() for piece in re.split(r"\n|\s{2,}", text))
    return [p for p in pieces if re.search(r"[A-Za-z]{2,}", p) and p not in NOT_WORDS]


def test_it_finds_unmarked_text_in_a_template():
    source = '{% load i18n %}<p>Hello there</p><p>{% translate "Marked" %}</p>'
    assert _unmarked_text(source) == ["Hello there"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_it_marks_every_sentence_of_the_diagnostics_templates(path):
    source = path.read_text()
    assert "{% load i18n %}" in source
    assert _unmarked_text(source) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_it_marks_every_label_read_aloud_in_the_diagnostics_templates(path):
    attributes = re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', path.read_text())
    assert [a for a in attributes if re.search(r"[A-Za-z]{2,}", a) and "{%" not in a] == []


def test_it_shows_a_figure_s_texts_in_the_reader_s_language_but_keeps_its_english_name(
    monkeypatch,
):
    monkeypatch.setattr(structural, "gettext", lambda text: f"[{text}]")
    caseload = FIGURES_BY_CODE["caseload"]
    assert caseload.shown_label == "[Average caseload per full-time practitioner]"
    assert caseload.shown_unit == "[cases]"
    assert caseload.shown_why.startswith("[England's national workforce figures")
    assert caseload.shown_more_phrase == "[carrying more cases per practitioner]"
    assert caseload.label == "Average caseload per full-time practitioner"


def test_it_words_a_threshold_problem_through_the_catalogue(monkeypatch):
    monkeypatch.setattr(structural, "gettext", lambda text: f"[{text}]")
    caseload = FIGURES_BY_CODE["caseload"]
    problem = check_thresholds(caseload, caseload.concerning, caseload.good)
    assert problem == "[For this figure lower is better, so “good” must be below “concerning”.]"
