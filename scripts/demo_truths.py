"""What the demo's results say, read through the disclosure engine: a repeatable summary to
compare before and after a change to the demo's generated data (demo/responses.py).

The demo must already be seeded in the configured database:

    DEBUG=1 .venv/bin/python manage.py migrate
    DEBUG=1 .venv/bin/python manage.py seed_demo
    DEBUG=1 .venv/bin/python scripts/demo_truths.py

(set DATABASE_URL, e.g. sqlite:////work/me-tmp/demo.sqlite3, to use another database).

It prints:
1. for each full cycle and each pooled pulse period, the domain rows of every unit (the
   command-line view: everything the engine releases) by band — red, amber, green, hidden —
   and how many are urgent; the same for teams alone;
2. the heatmap the head of Children's Services sees for the newest full cycle (services ×
   domains), and the one the head of Locality North sees (teams × domains);
3. Child Protection North's workload row in each full cycle, as its manager sees it;
4. each team's response rate in each full cycle (responses shown by the engine / invites);
5. the rank correlation across teams between caseload and the workload mean (full cycles);
6. the before/after of every demo action, through `actions.selectors.before_after`.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sword.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.utils import timezone  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from accounts.models import User  # noqa: E402
from actions.models import Action  # noqa: E402
from actions.selectors import before_after  # noqa: E402
from diagnostics.models import Cycle, Invite, StructuralFigures  # noqa: E402
from diagnostics.pooling import Scope, cycle_scope, pulse_pools  # noqa: E402
from diagnostics.results import (  # noqa: E402
    GroupResult,
    load_domains,
    results_for_scopes,
)
from organisations.access import reach_of  # noqa: E402
from organisations.models import Organisation, Unit  # noqa: E402
from organisations.remembered_units import load_units  # noqa: E402

BANDS = ("red", "amber", "green", "hidden")


def band_counts(groups: list[GroupResult]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    urgent = 0
    for group in groups:
        for cell in group.domains.values():
            figures = cell.figures
            if figures is None or figures.band is None:
                counts["hidden"] += 1
                continue
            counts[str(figures.band)] += 1
            urgent += figures.urgent
    return counts, urgent


def counts_line(label: str, counts: Counter[str], urgent: int) -> str:
    total = sum(counts.values())
    parts = ", ".join(f"{band} {counts[band]}" for band in BANDS)
    return f"  {label:38} {total:4d} rows: {parts}; urgent {urgent}"


def grid(
    organisation: Organisation,
    scope: Scope,
    unit: Unit,
    email: str,
    units: list[Unit],
    *,
    teams: bool = False,
) -> None:
    domains = load_domains()
    (results,) = results_for_scopes(
        organisation,
        [scope],
        reach=reach_of(User.objects.get(email=email)),
        units=units,
        domains=domains,
    )
    print(f"  {unit.name}{' (every team)' if teams else ''} as {email} sees it, {scope.label}")
    print(f"    {'':24}" + "".join(f"{d.code:>11}" for d in domains))
    tally: Counter[str] = Counter()
    rows = (
        [u for u in units if u.is_team and u.path.startswith(unit.path)]
        if teams
        else results.children_of(unit)
    )
    for child in rows:
        group = results.group(child)
        cells = []
        for domain in domains:
            figures = group.domains[domain.code].figures
            if figures is None or figures.mean is None:
                cells.append("hidden")
                tally["hidden"] += 1
                continue
            tally[str(figures.band)] += 1
            mark = "!" if figures.urgent else ""
            cells.append(f"{figures.mean:.1f} {str(figures.band)[0].upper()}{mark}")
        print(f"    {child.name[:24]:24}" + "".join(f"{c:>11}" for c in cells))
    print("    " + ", ".join(f"{band} {tally[band]}" for band in BANDS) + " (! urgent)")


def main() -> None:
    organisation = Organisation.objects.filter(slug="northbrook").first()
    if organisation is None:
        sys.exit("No demo organisation: run manage.py migrate and seed_demo first.")
    units = load_units(organisation)
    by_name = {unit.name: unit for unit in units}
    teams = [unit for unit in units if unit.is_team]
    fulls = list(
        Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.FULL)
        .exclude(status=Cycle.Status.DRAFT)
        .order_by("opens_on")
    )
    scopes = [cycle_scope(cycle) for cycle in fulls] + [
        pool for pool in pulse_pools(organisation) if pool.cycle_ids
    ]
    results = results_for_scopes(organisation, scopes, reach=None, units=units)

    print("1. Domain rows by band, everything the engine releases (command line)")
    for scope, result in zip(scopes, results, strict=True):
        groups = [result.group(unit) for unit in units if unit.path in result.resolvable]
        print(counts_line(f"{scope.label[:30]} all units", *band_counts(groups)))
        team_groups = [g for g in groups if g.unit.is_team]
        print(counts_line(f"{scope.label[:30]} teams", *band_counts(team_groups)))

    newest = cycle_scope(fulls[-1])
    print()
    print("2. Heatmaps, newest full cycle")
    grid(organisation, newest, by_name["Children's Services"], "leader@northbrook.example", units)
    grid(organisation, newest, by_name["Locality North"], "north@northbrook.example", units)
    root = next(unit for unit in units if unit.depth == 1)
    grid(organisation, newest, root, "admin@northbrook.example", units, teams=True)

    print()
    print("3. Child Protection North, workload, as its manager sees it")
    manager = reach_of(User.objects.get(email="manager@northbrook.example"))
    team = by_name["Child Protection North"]
    for cycle in fulls:
        (result,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=manager)
        figures = result.group(team).domains["WL"].figures
        if figures is None or figures.mean is None:
            print(f"  {cycle.name}: hidden")
            continue
        print(
            f"  {cycle.name}: {figures.mean:.1f} {figures.band}, red {figures.red_share:.0%},"
            f" amber {figures.amber_share:.0%}, green {figures.green_share:.0%},"
            f" urgent {figures.urgent}, n {figures.n}"
        )

    print()
    print("4. Response rates per team (responses shown / invites), full cycles")
    for cycle, result in zip(fulls, results, strict=False):
        rates = []
        for unit in teams:
            group = result.group(unit)
            issued = Invite.objects.filter(cycle=cycle, team=unit).count()
            if group.responses is None or not issued:
                rates.append(f"{unit.name[:14]} hidden")
                continue
            rates.append(f"{unit.name[:14]} {group.responses / issued:.0%}")
        print(f"  {cycle.name}: " + "; ".join(rates))

    print()
    print("5. Caseload against team workload mean (Spearman, teams with both)")
    for cycle, result in zip(fulls, results, strict=False):
        caseloads = dict(
            StructuralFigures.objects.filter(cycle=cycle).values_list("team_id", "caseload")
        )
        pairs = []
        for unit in teams:
            figures = result.group(unit).domains["WL"].figures
            caseload = caseloads.get(unit.pk)
            if figures and figures.mean is not None and caseload is not None:
                pairs.append((float(caseload), figures.mean))
        rho = spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic
        print(f"  {cycle.name}: rho = {rho:.2f} across {len(pairs)} teams")

    print()
    print("6. Actions, before and after (as the org admin sees them)")
    admin = reach_of(User.objects.get(email="admin@northbrook.example"))
    today = timezone.localdate()
    for action in Action.objects.filter(unit__organisation=organisation).order_by("pk"):
        seen = before_after(action, reach=admin, today=today)

        def show(figure: object) -> str:
            mean = getattr(figure, "mean", None)
            return "—" if mean is None else f"{mean:.1f} {getattr(figure, 'band', '')}"

        change = seen.change
        print(
            f"  {action.unit.name} / {action.domain.code} ({action.status}): "
            f"{show(seen.before)} → {show(seen.after)}; change {change}"
        )


if __name__ == "__main__":
    main()
