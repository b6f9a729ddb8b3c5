"""The cells of a row of the comparison's table, built in one pass: each cell was an include of
a template whose every variable is looked up, localised and escaped through several layers,
and a directorate's comparison at 3,000 teams draws 450 of them (a third of its time drawing
the page). Values are escaped as in the lens's table (`dashboards.html.html_text`). The markup
is the same (tests/dashboards/test_heat_cells.py compares it with the template it replaced)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from dashboards.compare import DomainCell
from dashboards.html import html_text

register = template.Library()

SHOWN = (
    '<td class="band-cell heat-cell {}"><span class="heat-mean">{}</span> '
    '<span class="heat-band" aria-hidden="true">{}</span>'
    '<span class="visually-hidden"> {}</span>{}{}</td>'
)
URGENT = ' <span class="heat-urgent">{}</span>'
DIFFERENCE = ' <span class="heat-diff">{}<span class="visually-hidden"> {}</span></span>'
NO_DIFFERENCE = (
    ' <span class="heat-diff heat-no-diff">{}<span class="visually-hidden">: {}</span></span>'
)
HIDDEN = (
    '<td class="band-cell heat-cell heat-hidden"><span class="suppressed">{}'
    '<span class="visually-hidden">: {}</span></span></td>'
)


@register.simple_tag
def heat_cells(cells: Sequence[DomainCell], comparison_label: str = "") -> SafeString:
    """A `<td>` per cell: the mean, its band as a letter and in words, urgent, and the
    difference from the comparison (or why there is none); or why the figure is hidden."""
    bands = {
        "green": html_text(gettext("green")),
        "amber": html_text(gettext("amber")),
        "red": html_text(gettext("red")),
    }
    urgent = URGENT.format(html_text(gettext("urgent")))
    # A translation is trusted text, as `blocktranslate` treats it; only the value is escaped.
    against = gettext("against %(comparison)s") % {"comparison": html_text(comparison_label)}
    no_comparison = html_text(gettext("no comparison"))
    drawn = []
    for cell in cells:
        if not cell.shown:
            drawn.append(HIDDEN.format(html_text(cell.hidden_short), html_text(cell.hidden_words)))
            continue
        if cell.difference_display:
            difference = DIFFERENCE.format(html_text(cell.difference_display), against)
        elif cell.no_difference:
            difference = NO_DIFFERENCE.format(no_comparison, html_text(cell.no_difference))
        else:
            difference = ""
        drawn.append(
            SHOWN.format(
                html_text(cell.css_class),
                html_text(cell.display),
                html_text(cell.band_letter),
                bands.get(cell.band or "") or html_text(cell.band or ""),
                urgent if cell.urgent else "",
                difference,
            )
        )
    # Every value above is escaped by html_text.
    return mark_safe("".join(drawn))  # noqa: S308  # nosec B308 B703
