"""The comparison's cells, built in one pass, are the markup the template they replaced wrote."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from dashboards.compare import DomainCell
from dashboards.templatetags.heat_cells import heat_cells
from diagnostics.models import Domain
from disclosure.plan import Hidden

# templates/dashboards/_heat_cell.html, included once per cell before the cells were built in
# one pass.
TEMPLATE_LOOP = (
    "{% load i18n %}{% for cell in cells %}{% if cell.shown %}"
    '<td class="band-cell heat-cell {{ cell.css_class }}"><span class="heat-mean">'
    '{{ cell.display }}</span> <span class="heat-band" aria-hidden="true">'
    '{{ cell.band_letter }}</span><span class="visually-hidden"> {% if cell.band == "green" %}'
    '{% translate "green" %}{% elif cell.band == "amber" %}{% translate "amber" %}'
    '{% elif cell.band == "red" %}{% translate "red" %}{% else %}{{ cell.band }}{% endif %}'
    '</span>{% if cell.urgent %} <span class="heat-urgent">{% translate "urgent" %}</span>'
    '{% endif %}{% if cell.difference_display %} <span class="heat-diff">'
    '{{ cell.difference_display }}<span class="visually-hidden"> {% blocktranslate with '
    "comparison=colour.comparison_label %}against {{ comparison }}{% endblocktranslate %}"
    "</span></span>{% elif cell.no_difference %} "
    '<span class="heat-diff heat-no-diff">{% translate "no comparison" %}'
    '<span class="visually-hidden">: {{ cell.no_difference }}</span></span>{% endif %}</td>'
    '{% else %}<td class="band-cell heat-cell heat-hidden"><span class="suppressed">'
    '{{ cell.hidden_short }}<span class="visually-hidden">: {{ cell.hidden_words }}</span>'
    "</span></td>{% endif %}{% endfor %}"
)
DOMAIN = Domain(code="workload", name="Workload & caseloads")


def shown(band: str | None, **fields: object) -> DomainCell:
    values: dict[str, object] = {
        "domain": DOMAIN,
        "mean": 3.2,
        "display": "3.2",
        "band": band,
        "urgent": False,
        "hidden": None,
        "hidden_words": "",
        "difference": None,
        "difference_display": "",
        "no_difference": "",
        "step": 4,
        "k": 5,
    }
    values.update(fields)
    return DomainCell(**values)  # type: ignore[arg-type]


def hidden(reason: Hidden, words: str) -> DomainCell:
    return shown(None, mean=None, display="", hidden=reason, hidden_words=words, step=None)


CELLS = [
    shown("green", display="4.6", difference=0.4, difference_display="+0.4"),
    shown("amber", urgent=True, difference=-1.1, difference_display="−1.1", step=None),
    shown("red", display="2.1", urgent=True, no_difference="the <b>parent</b> is hidden"),
    shown("amber", step=11),
    hidden(Hidden.FEWER_THAN_K, "fewer than 5 responses & so hidden"),
    hidden(Hidden.PROTECTS_OTHERS, "it would let a smaller group be worked out"),
    hidden(Hidden.NO_RESPONSES, "no responses"),
]


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize(
    "comparison", ["", 'Children\'s <Services> & "Family"', mark_safe("the <em>parent</em>")]
)
def test_it_writes_the_cells_the_template_wrote(language, comparison):
    context = Context({"cells": CELLS, "colour": {"comparison_label": comparison}})
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(context)
        assert str(heat_cells(CELLS, comparison)) == expected
    assert expected.count("<td") == len(CELLS)
    assert "the &lt;b&gt;parent&lt;/b&gt; is hidden" in expected  # values escaped, not markup
    # In the language in force (the managers' words have no Welsh yet; the engine's have).
    assert ('"suppressed">dim<' if language == "cy" else '"suppressed">none<') in expected


def test_it_writes_nothing_for_no_cells():
    assert str(heat_cells([], "the organisation")) == ""
