"""How many result cells the demo hides: a repeatable count to compare before and after a
change to the anonymity (disclosure) rules.

The demo must already be seeded in the configured database:

    DEBUG=1 .venv/bin/python manage.py migrate
    DEBUG=1 .venv/bin/python manage.py seed_demo
    DEBUG=1 .venv/bin/python scripts/hidden_cells.py

(set DATABASE_URL, e.g. sqlite:////tmp/measure-before.sqlite3, to use another database).

It counts, shown versus hidden:
1. the command-line export (no reach: everything) of every opened cycle, by domain and by
   statement: a row is hidden when its `suppressed` column says "yes";
2. the export each demo user with a role gets (their reach), domain rows, every opened cycle;
3. the domain cells of the profile page (`dashboards:profile`) each demo user sees for every
   unit in their reach that has responses, for every cycle covering the unit, and the heatmap
   cells of the compare page (`dashboards:compare`) for the units that are not teams where
   the user may compare. The pages are fetched over HTTP (the Django test client) and their
   HTML parsed, so the count stays valid when the code behind the pages changes.

A page cell is hidden when it carries the `suppressed` class or reads "fewer than", "hidden",
"<5" or is empty; shown when it holds a mean such as 3.4; anything else is counted as unclear
(a sign that the templates changed and this script needs a look). Page views write audit
entries; they are rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from diagnostics.exports import COLUMNS, ExportRequest, export_rows  # noqa: E402
from diagnostics.models import Cycle, Response  # noqa: E402
from diagnostics.selectors import cycles_covering  # noqa: E402
from organisations.access import Reach, reach_of  # noqa: E402
from organisations.models import Organisation, Role  # noqa: E402

SHOWN, HIDDEN, UNCLEAR = "shown", "hidden", "unclear"
HIDDEN_TEXT = re.compile(r"fewer than|hidden|not shown|suppressed|^<\s*\d", re.IGNORECASE)
SHOWN_NUMBER = re.compile(r"\d+\.\d")  # a mean as displayed, e.g. 3.4
BLANK = re.compile(r"^[\s\-–—]*$")  # an empty cell, or a dash only


# --- HTML tables ------------------------------------------------------------------------------


@dataclass
class Cell:
    tag: str
    text: str = ""
    classes: set[str] = field(default_factory=set)  # the cell's and its descendants'

    @property
    def clean_text(self) -> str:
        return " ".join(self.text.split())


@dataclass
class Row:
    section: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    classes: set[str]
    caption: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        for row in self.rows:
            if row.section == "thead" or all(cell.tag == "th" for cell in row.cells):
                return [cell.clean_text for cell in row.cells]
        return []

    @property
    def body(self) -> list[Row]:
        header_row = next(
            (r for r in self.rows if r.section == "thead" or all(c.tag == "th" for c in r.cells)),
            None,
        )
        return [row for row in self.rows if row is not header_row and row.section != "thead"]


class TableParser(HTMLParser):
    """Every table of a page with its caption, rows and cells (text and CSS classes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._section = ""
        self._row: Row | None = None
        self._cell: Cell | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "table":
            table = Table(classes=classes)
            self.tables.append(table)
            self._stack.append(table)
            self._row = self._cell = None
            self._section = ""
        elif not self._stack:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self._row = Row(section=self._section)
            self._stack[-1].rows.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell(tag=tag, classes=classes)
            self._row.cells.append(self._cell)
        elif self._cell is not None:
            self._cell.classes |= classes

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        if tag == "table":
            self._stack.pop()
            self._row = self._cell = None
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = self._cell = None
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.text += data
        if self._in_caption and self._stack:
            self._stack[-1].caption += data


def tables_of(html: str) -> list[Table]:
    parser = TableParser()
    parser.feed(html)
    parser.close()
    return parser.tables


def classify(cell: Cell) -> str:
    text = cell.clean_text
    if "suppressed" in cell.classes or HIDDEN_TEXT.search(text) or BLANK.match(text):
        return HIDDEN
    if SHOWN_NUMBER.search(text):
        return SHOWN
    return UNCLEAR


def profile_domain_cells(html: str) -> Counter[str]:
    """The mean cell of each row of the profile's domain table."""
    found = [t for t in tables_of(html) if " ".join(t.caption.split()).lower().startswith("domain")]
    found = found or [t for t in tables_of(html) if t.header[:1] == ["Domain"]]
    counts: Counter[str] = Counter()
    if not found:
        counts["no table"] += 1
        return counts
    table = found[0]
    column = next((i for i, h in enumerate(table.header) if "mean" in h.lower()), 1)
    for row in table.body:
        if len(row.cells) > column:
            counts[classify(row.cells[column])] += 1
        else:
            counts[UNCLEAR] += 1
    return counts


def compare_heatmap_cells(html: str) -> Counter[str]:
    """The domain cells of the compare page's table (every column but the unit and the index)."""
    tables = tables_of(html)
    found = [t for t in tables if "table-heat" in t.classes]
    found = found or [t for t in tables if "domain means by unit" in t.caption.lower()]
    counts: Counter[str] = Counter()
    if not found:
        counts["no table"] += 1
        return counts
    table = found[0]
    skipped = {i for i, h in enumerate(table.header) if h.lower() in ("unit", "index")}
    for row in table.body:
        if len(row.cells) <= 1:
            continue  # "No units below …", one cell across the table
        for i, cell in enumerate(row.cells):
            if i not in skipped and cell.tag == "td":
                counts[classify(cell)] += 1
    return counts


# --- counting ---------------------------------------------------------------------------------


def export_counts(cycle: Cycle, by: str, reach: Reach | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    suppressed = COLUMNS.index("suppressed")  # §10's columns come first; others are appended
    for row in export_rows(ExportRequest(cycle=cycle, by=by), reach):
        counts[HIDDEN if row[suppressed] == "yes" else SHOWN] += 1
    return counts


def page(
    client: Client, who: str, name: str, unit_pk: int, cycle: Cycle, failures: list[str]
) -> str | None:
    """A dashboard page's HTML, or None (and a line in `failures`) when it does not answer 200."""
    url = reverse(name, args=[unit_pk]) + f"?cycle={cycle.pk}"
    response = client.get(url)
    if response.status_code != 200:
        failures.append(f"{who} {url}: {response.status_code}")
        return None
    return str(response.content.decode())


def line(label: str, counts: Counter[str], extra: str = "") -> str:
    others = "".join(
        f", {key} {value}" for key, value in sorted(counts.items()) if key not in (SHOWN, HIDDEN)
    )
    total = counts[SHOWN] + counts[HIDDEN]
    share = f" ({100 * counts[HIDDEN] / total:.1f}% hidden)" if total else ""
    return f"{label}: shown {counts[SHOWN]}, hidden {counts[HIDDEN]}{others}{share}{extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--org", default="northbrook", help="the demo organisation's slug")
    args = parser.parse_args()
    started = time.perf_counter()

    organisation = Organisation.objects.filter(slug=args.org).first()
    if organisation is None:
        sys.exit(f"No organisation {args.org!r}: run manage.py migrate and seed_demo first.")
    cycles = list(
        Cycle.objects.filter(organisation=organisation)
        .exclude(status=Cycle.Status.DRAFT)
        .select_related("organisation", "unit")
        .order_by("opens_on", "pk")
    )
    users = list(
        User.objects.filter(memberships__organisation=organisation).distinct().order_by("email")
    )
    totals: dict[str, Counter[str]] = {}

    # 1. The command-line export: everything.
    print(f"{organisation.name}: {len(cycles)} opened cycles, {len(users)} users with a role")
    print()
    print("1. Export from the command line (everything), rows per cycle")
    columns = ("domain shown", "hidden", "stmt shown", "hidden")
    print(
        f"{'cycle':34} {'kind':6} {columns[0]:>12} {columns[1]:>7} {columns[2]:>11} {columns[3]:>7}"
    )
    cli = {by: Counter[str]() for by in ("domain", "statement")}
    for cycle in cycles:
        by_domain = export_counts(cycle, "domain")
        by_statement = export_counts(cycle, "statement")
        cli["domain"] += by_domain
        cli["statement"] += by_statement
        print(
            f"{cycle.name[:34]:34} {cycle.kind:6} {by_domain[SHOWN]:12d} {by_domain[HIDDEN]:7d}"
            f" {by_statement[SHOWN]:11d} {by_statement[HIDDEN]:7d}"
        )
    print(
        f"{'total':34} {'':6} {cli['domain'][SHOWN]:12d} {cli['domain'][HIDDEN]:7d}"
        f" {cli['statement'][SHOWN]:11d} {cli['statement'][HIDDEN]:7d}"
    )
    totals["export (cli) domain rows"] = cli["domain"]
    totals["export (cli) statement rows"] = cli["statement"]
    print(line("export (cli) domain rows", cli["domain"]))
    print(line("export (cli) statement rows", cli["statement"]))

    # 2. Each user's export: their reach, domain rows, every opened cycle.
    print()
    print("2. Export as each user gets it (their reach), domain rows over every cycle")
    per_user = Counter[str]()
    for user in users:
        reach = reach_of(user)
        counts = Counter[str]()
        for cycle in cycles:
            counts += export_counts(cycle, "domain", reach)
        per_user += counts
        roles = ", ".join(
            f"{m.get_role_display().lower()} at {m.unit.name}" for m in reach.memberships
        )
        print("  " + line(f"{user.email} ({roles})", counts))
    totals["export (per user) domain rows"] = per_user
    print(line("export (per user) domain rows", per_user))

    # 3. The pages, over HTTP.
    print()
    print("3. Dashboards as each user sees them: profile domain cells, compare heatmap cells")
    team_paths_with_responses = set(
        Response.objects.filter(team__organisation=organisation)
        .values_list("team__path", flat=True)
        .distinct()
    )
    profile_total, compare_total = Counter[str](), Counter[str]()
    profile_pages = compare_pages = 0
    failures: list[str] = []
    with transaction.atomic():
        for user in users:
            reach = reach_of(user)
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            units = [
                unit
                for unit in reach.units().filter(organisation=organisation).order_by("path")
                if any(path.startswith(unit.path) for path in team_paths_with_responses)
            ]
            profile, compare = Counter[str](), Counter[str]()
            user_profile_pages = user_compare_pages = 0
            for unit in units:
                can_compare = not unit.is_team and reach.has_at_least(unit, Role.LEADER)
                for cycle in cycles_covering(unit):
                    html = page(client, user.email, "dashboards:profile", unit.pk, cycle, failures)
                    if html is None:
                        continue
                    profile += profile_domain_cells(html)
                    user_profile_pages += 1
                    if not can_compare:
                        continue
                    html = page(client, user.email, "dashboards:compare", unit.pk, cycle, failures)
                    if html is None:
                        continue
                    compare += compare_heatmap_cells(html)
                    user_compare_pages += 1
            print(f"  {user.email}: {len(units)} units with responses in reach")
            print("    " + line("profile domain cells", profile, f", {user_profile_pages} pages"))
            print("    " + line("compare heatmap cells", compare, f", {user_compare_pages} pages"))
            profile_total += profile
            compare_total += compare
            profile_pages += user_profile_pages
            compare_pages += user_compare_pages
        transaction.set_rollback(True)  # the pages' audit entries
    totals["profile domain cells"] = profile_total
    totals["compare heatmap cells"] = compare_total
    print(line("profile domain cells", profile_total, f", {profile_pages} pages"))
    print(line("compare heatmap cells", compare_total, f", {compare_pages} pages"))
    for failure in failures:
        print(f"  page failed: {failure}")

    print()
    print("Totals")
    for label, counts in totals.items():
        print("  " + line(label, counts))
    if failures:
        print(f"  pages that failed: {len(failures)}")
    print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
