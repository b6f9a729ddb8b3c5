"""Every word a manager reads on the main pages comes through the translation catalogue (issue
19): the pages are rendered in Welsh with a catalogue that wraps whatever it is asked for in
⟦ ⟧, and what is left outside the marks must be the organisation's own data (its units, cycles,
statements, people) or figures, never English words written in a template or in Python.

This reaches what a scan of the templates cannot: words built in Python (a chart's legend, a
sentence of the drivers, a role's name) and words a template prints from a variable."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import trans_real

from accounts.models import User
from actions.services import create_action
from diagnostics.models import Cycle, Domain
from diagnostics.structural_data import save_figures
from organisations.models import Role, Unit
from organisations.services import update_settings
from tests.dashboards.test_dashboards import build_organisation
from tests.diagnostics.conftest import respond  # noqa: F401 - the fixture, asked for by name
from tests.factories import make_member

OPEN, CLOSE = "⟦", "⟧"
INNERMOST_MARK = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
WORD = re.compile(r"[A-Za-z]{2,}")
# Read aloud or shown on hover: as much a page's words as its text.
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
# Words of a chart's spec that a reader sees (trace names, axis titles, hover and bar text).
CHART_TEXT_KEYS = {"name", "text", "title", "hovertext", "ticktext", "hovertemplate"}
# Names that are the same in every language.
NAMES = {"SWORD", "CSV", "JSON", "Excel", "Power BI", "Spearman", "English", "Cymraeg"}


class MarkingCatalogue(trans_real.DjangoTranslation):
    """Welsh as far as Django knows (plural rule, formats), but every message comes back as
    ⟦message⟧, so whatever reached the page through the catalogue is marked."""

    def gettext(self, message: str) -> str:
        return OPEN + message.split(trans_real.CONTEXT_SEPARATOR)[-1] + CLOSE

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@pytest.fixture
def marking_catalogue(monkeypatch):
    # Django keeps one translation object per language, made on first use: this one for Welsh.
    catalogues = trans_real._translations  # type: ignore[attr-defined]
    monkeypatch.setitem(catalogues, "cy", MarkingCatalogue("cy"))


class PageText(HTMLParser):
    """A page's text in order (a marked sentence may hold tags, so it is kept whole), and apart
    from it the words read aloud or shown on hover and the words of its charts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "style"):
            self._script_type = found.get("type") or tag
        self.attributes += [value for name, value in attrs if name in READ_ATTRIBUTES and value]
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.attributes.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._script_type = None

    def handle_data(self, data: str) -> None:
        if self._script_type is None:
            self.text.append(data)
        elif self._script_type == "application/json":
            self.attributes += chart_words(json.loads(data))


def chart_words(spec: object, key: str = "") -> list[str]:
    if isinstance(spec, dict):
        return [word for k, value in spec.items() for word in chart_words(value, k)]
    if isinstance(spec, list):
        return [word for value in spec for word in chart_words(value, key)]
    if isinstance(spec, str) and key in CHART_TEXT_KEYS:
        return [re.sub(r"%\{[^}]*\}|<[^>]*>", " ", spec)]
    return []


def stored_texts() -> re.Pattern[str]:
    """Every text the database holds (names, statements, titles): the organisation's own
    words, which a page shows as they are."""
    texts: set[str] = set()
    ours = [a for a in apps.get_app_configs() if "site-packages" not in a.path]
    for model in (m for app in ours for m in app.get_models()):
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if fields:
            for row in model._default_manager.values_list(*fields):
                texts.update(str(value) for value in row if value and WORD.search(str(value)))
    return data_pattern(texts)


def data_pattern(texts: set[str]) -> re.Pattern[str]:
    """Any of the texts (or in lower case, as some pages print names), as a whole."""
    found = sorted(
        texts | {t.lower() for t in texts} | NAMES, key=len, reverse=True
    )  # longest first
    return re.compile("|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in found))


def without_marks(text: str) -> str:
    while INNERMOST_MARK.search(text):
        text = INNERMOST_MARK.sub(" ", text)
    return text


def unmarked(html: str, data: re.Pattern[str]) -> list[str]:
    """The pieces of a page with English words outside the catalogue's marks and the data."""
    parser = PageText()
    parser.feed(html)
    pieces = without_marks("\n".join(parser.text)).splitlines()
    pieces += [without_marks(value) for value in parser.attributes]
    left = []
    for piece in pieces:
        text = " ".join(piece.split())
        if not WORD.search(text):
            continue
        if WORD.search(data.sub(" ", text)):
            left.append(" ".join(piece.split()))
    return left


def test_it_finds_english_outside_the_marks_and_passes_marks_data_and_figures():
    html = (
        "<p>⟦Results for ⟦all of⟧ Team A⟧</p><p>Team A: 4.5</p><p>Left out</p>"
        '<p>⟦Half <a href="#">marked</a> and</p><p>closed⟧</p><nav aria-label="Pages"></nav>'
        '<script type="application/json">{"data": [{"name": "Site A (unit)"}]}</script>'
        "<script>let notWords = 1;</script>"
    )
    assert unmarked(html, data_pattern({"Team A", "Site A"})) == [
        "Left out",
        "Pages",
        "Site A (unit)",
    ]


@dataclass
class Council:
    admin: User
    root: Unit
    team: Unit
    cycle: Cycle


def answer(i: int, code: str) -> int:
    """Supervision and intending to stay move together, so the drivers have something to say."""
    level = i % 6 + 1
    if code.startswith("SUP") or code == "STAY1":
        return level
    return 1 + (i + len(code)) % 6


@pytest.fixture
def council(db, respond):  # noqa: F811
    """Twelve teams with figures and structural figures (one too small to show), drivers for the
    whole organisation, an action, a team manager and a changed setting in the audit log."""
    organisation, units, admin, cycle = build_organisation("marks", 12)
    teams = [u for name, u in units.items() if name.startswith("Team ")]
    for index, team in enumerate(teams):
        respond(cycle, team, 5 if index else 3, value=answer)
        save_figures(
            cycle=cycle,
            team=team,
            values={"caseload": Decimal(10 + 2 * index), "turnover": Decimal(index % 5)},
            user=None,
        )
    create_action(
        unit=teams[1],
        domain=Domain.objects.get(code="SUP"),
        title="Weekly supervision",
        owner=admin,
        due_on=timezone.localdate() + timedelta(days=30),
        created_by=admin,
        cycle=cycle,
    )
    make_member(teams[1], Role.TEAM_MANAGER, display_name="Tam Manager")
    update_settings(
        organisation=organisation,
        values={"comment_threshold": 12, "benchmark_opt_in": True},
        actor=admin,
    )
    admin.language = "cy"
    admin.save(update_fields=["language"])
    return Council(admin, units["root"], teams[1], cycle)


PAGES = {
    "home": lambda o: reverse("home"),
    "profile of the organisation": lambda o: reverse("dashboards:profile", args=[o.root.pk]),
    "profile of a team": lambda o: reverse("dashboards:profile", args=[o.team.pk]),
    "compare": lambda o: reverse("dashboards:compare", args=[o.root.pk]),
    "trends": lambda o: reverse("dashboards:trends", args=[o.root.pk]),
    "lens": lambda o: reverse("dashboards:lens", args=[o.root.pk]),
    "cycle": lambda o: reverse("diagnostics:cycle_detail", args=[o.cycle.pk]),
    "actions": lambda o: reverse("actions:list"),
    "people": lambda o: reverse("organisations:people"),
    "audit": lambda o: reverse("organisations:audit"),
    "structure": lambda o: reverse("organisations:structure"),
    "cycles": lambda o: reverse("diagnostics:cycle_list"),
    "library": lambda o: reverse("actions:library"),
    "voice": lambda o: reverse("voice:manage"),
    "settings": lambda o: reverse("organisations:settings"),
    "tokens": lambda o: reverse("api_tokens:list"),
    "versions": lambda o: reverse("diagnostics:version_list"),
    "exports": lambda o: reverse("diagnostics:export_list"),
    "thresholds": lambda o: reverse("diagnostics:thresholds"),
}


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_no_english_word_that_skipped_the_catalogue(
    page, council, marking_catalogue, client_for
):
    response = client_for(council.admin).get(PAGES[page](council))
    assert response.status_code == 200
    html = response.content.decode()
    assert OPEN in html  # the page is in the marking catalogue's language
    assert unmarked(html, stored_texts()) == []
