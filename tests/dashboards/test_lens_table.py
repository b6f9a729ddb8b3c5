"""The lens's table rows, built in one pass, are the markup the template's loop wrote."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from dashboards.lens import LensTeam
from dashboards.templatetags.lens_table import lens_team_rows

# The loop templates/dashboards/lens.html had before the rows were built in one pass (with the
# thresholds beside a rating only when given: they are given only where teams' differ).
TEMPLATE_LOOP = (
    '{% load i18n %}{% for t in teams %}<tr><th scope="row">{{ t.name }}</th>'
    '<td>{{ t.service }}</td><td>{{ t.figure_value }}</td><td><span class="band band-'
    '{{ t.rating }}">{% if t.rating == "green" %}{% translate "Green" %}{% elif t.rating == '
    '"amber" %}{% translate "Amber" %}{% elif t.rating == "red" %}{% translate "Red" %}'
    "{% else %}{{ t.rating|capfirst }}{% endif %}</span>{% if t.rated_against %} <span "
    'class="small text-body-secondary">{{ t.rated_against }}</span>{% endif %}</td><td>'
    "{{ t.domain_mean }}</td></tr>"
    "{% endfor %}"
)


def team(name: str, rating: str, **fields: str) -> LensTeam:
    return LensTeam(
        name=name,
        service=fields.get("service", 'Children\'s <Services> & "Family"'),
        service_index=0,
        figure_value=fields.get("figure_value", "18.5"),
        domain_mean=fields.get("domain_mean", "3.2"),
        rating=rating,  # type: ignore[arg-type]
        rated_against=fields.get("rated_against", "good ≤ 18, concerning ≥ 22"),
    )


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_it_writes_the_rows_the_template_loop_wrote(language):
    teams = [
        team("North <b>Team</b>", "green"),
        team("South & West", "amber", figure_value="1,200.5"),
        team("East 'quoted'", "red", domain_mean="–"),
        team("Unrated", "unrated"),
        team("Already safe", "green", rated_against=mark_safe("good &ge; 18")),
        team("Rated as all are", "amber", rated_against=""),
    ]
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"teams": teams}))
        assert str(lens_team_rows(teams)) == expected
    assert "&lt;b&gt;" in expected  # names are escaped, not markup
    assert "good &ge; 18" in expected  # text already safe is not escaped twice
    assert ("Gwyrdd" if language == "cy" else ">Green<") in expected  # in the language in force


def test_it_writes_nothing_for_no_teams():
    assert str(lens_team_rows([])) == ""
