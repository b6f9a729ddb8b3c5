"""The weekly digest for leaders and organisation admins: what happened in their part of the
organisation since last week's digest, as names and links.

It lists new staff issues, overdue actions, cycles closing in the coming week and cycles whose
results became shown last week. A cycle is listed only if the disclosure engine shows its
results (for a pulse: its pool's) for at least one group the person reaches, and the e-mail
never carries a figure or a count of responses: only names, dates and links, and counts of
issues and actions (PRODUCT §5: counts of responses are figures).

Who gets it: people holding a leader or org admin role, unless they turned it off
(notices.NoticePreference). Team managers do not: their reach is one team, whose board and
actions they work in every day, and whose own notices (actions they own, escalations to their
team) reach them as they happen; a weekly summary of the same team would be noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext

from actions.access import actions_visible_to
from actions.models import Action
from diagnostics.models import Cycle, Domain
from diagnostics.pooling import Scope, cycle_scope, pool_of, pulse_pools
from diagnostics.results import OrganisationResults, load_domains, results_for_scopes
from diagnostics.selectors import cycles_visible_to
from notices.services import long_date
from organisations.access import Reach
from organisations.models import Organisation, Unit
from organisations.remembered_units import load_units
from voice.access import issues_visible_to

DIGEST_LIST_LENGTH = 10


@dataclass(frozen=True)
class DigestWeek:
    """The digest sent in the week starting `monday` covers the seven days before it."""

    monday: date
    today: date

    @property
    def starts_on(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def ends_on(self) -> date:
        return self.monday - timedelta(days=1)

    @property
    def label(self) -> str:
        """The ISO week of the Monday, as the ledger's "about" (2026-W49)."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def digest_week(today: date) -> DigestWeek:
    """The digest week `today` falls in (a run late in the week sends the same week's digest,
    once)."""
    return DigestWeek(monday=today - timedelta(days=today.weekday()), today=today)


@dataclass(frozen=True)
class DigestLine:
    name: str
    detail: str
    url: str


@dataclass(frozen=True)
class WeeklyDigest:
    week: DigestWeek
    new_issues: tuple[DigestLine, ...]
    new_issues_total: int
    overdue_actions: tuple[DigestLine, ...]
    overdue_total: int
    closing_cycles: tuple[DigestLine, ...]
    results_shown: tuple[DigestLine, ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_issues_total or self.overdue_total or self.closing_cycles or self.results_shown
        )


@dataclass(frozen=True)
class OrganisationDigestData:
    """What every digest of one organisation shares, read once per organisation."""

    organisation: Organisation
    units: tuple[Unit, ...]
    domains: tuple[Domain, ...]
    pools: tuple[Scope, ...]


def organisation_digest_data(organisation: Organisation) -> OrganisationDigestData:
    return OrganisationDigestData(
        organisation=organisation,
        units=tuple(load_units(organisation)),
        domains=tuple(load_domains()),
        pools=tuple(pulse_pools(organisation)),
    )


def _url(name: str, **kwargs: int) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _new_issues(reach: Reach, week: DigestWeek) -> tuple[tuple[DigestLine, ...], int]:
    issues = list(
        issues_visible_to(reach)
        .filter(hidden=False, raised_on__gte=week.starts_on, raised_on__lte=week.ends_on)
        .select_related("board__team")
        .order_by("raised_on", "pk")
    )
    lines = tuple(
        DigestLine(
            name=issue.get_category_display(),
            detail=gettext("%(team)s, raised %(date)s")
            % {"team": issue.board.team.name, "date": long_date(issue.raised_on)},
            url=_url("voice:issue", issue_id=issue.pk),
        )
        for issue in issues[:DIGEST_LIST_LENGTH]
    )
    return lines, len(issues)


def _overdue_actions(reach: Reach, today: date) -> tuple[tuple[DigestLine, ...], int]:
    overdue = actions_visible_to(reach).filter(status__in=Action.OPEN_STATUSES, due_on__lt=today)
    shown = overdue.select_related("unit").order_by("due_on", "pk")[:DIGEST_LIST_LENGTH]
    lines = tuple(
        DigestLine(
            name=action.title,
            detail=gettext("%(unit)s, due %(date)s")
            % {"unit": action.unit.name, "date": long_date(action.due_on)},
            url=_url("actions:detail", action_id=action.pk),
        )
        for action in shown
    )
    total = len(lines) if len(lines) < DIGEST_LIST_LENGTH else overdue.count()
    return lines, total


def _closing_cycles(reach: Reach, today: date) -> tuple[DigestLine, ...]:
    cycles = (
        cycles_visible_to(reach)
        .filter(status=Cycle.Status.OPEN, closes_on__gte=today, closes_on__lt=today + timedelta(7))
        .order_by("closes_on", "pk")
    )
    return tuple(
        DigestLine(
            name=cycle.name,
            detail=gettext("%(unit)s, closes %(date)s")
            % {"unit": cycle.unit.name, "date": long_date(cycle.closes_on)},
            url=_url("diagnostics:cycle_detail", cycle_id=cycle.pk),
        )
        for cycle in cycles
    )


def _first_shown(results: OrganisationResults, units: Sequence[Unit], reach: Reach) -> Unit | None:
    """The first unit (top of the tree first) in the viewer's reach whose results the
    disclosure engine shows them, or None."""
    resolvable = results.resolvable
    for unit in units:
        if unit.path in resolvable and reach.reaches(unit) and results.group(unit).shown:
            return unit
    return None


def _results_shown(
    reach: Reach, week: DigestWeek, data: OrganisationDigestData
) -> tuple[DigestLine, ...]:
    # A cycle closes at the end of its closing date, or earlier when someone closed it early.
    early = Q(closed_at__isnull=False, closed_at__date__lt=F("closes_on"))
    on_its_date = Q(closed_at__isnull=True) | Q(closed_at__date__gte=F("closes_on"))
    closed_last_week = (
        early & Q(closed_at__date__gte=week.starts_on, closed_at__date__lte=week.ends_on)
    ) | (on_its_date & Q(closes_on__gte=week.starts_on, closes_on__lte=week.ends_on))
    cycles = list(
        cycles_visible_to(reach)
        .exclude(status=Cycle.Status.DRAFT)
        .filter(closed_last_week)
        .order_by("closes_on", "pk")
    )
    if not cycles:
        return ()
    scopes = {
        c.pk: pool_of(c, data.pools) if c.kind == Cycle.Kind.PULSE else cycle_scope(c)
        for c in cycles
    }
    distinct = list({scope.key: scope for scope in scopes.values()}.values())
    found = results_for_scopes(
        data.organisation, distinct, reach=reach, units=data.units, domains=data.domains
    )
    by_key = {r.scope.key: r for r in found}
    ordered_units = sorted(data.units, key=lambda u: (u.depth, u.path))
    lines: list[DigestLine] = []
    for cycle in cycles:
        scope = scopes[cycle.pk]
        unit = _first_shown(by_key[scope.key], ordered_units, reach)
        if unit is None:
            continue
        label = scope.full_label if cycle.kind == Cycle.Kind.PULSE else cycle.name
        lines.append(
            DigestLine(
                name=label,
                detail=gettext("results shown for %(unit)s") % {"unit": unit.name},
                url=_url("dashboards:profile", unit_id=unit.pk) + f"?cycle={cycle.pk}",
            )
        )
    return tuple(lines)


def weekly_digest(*, reach: Reach, today: date, data: OrganisationDigestData) -> WeeklyDigest:
    """One person's digest for the week `today` falls in, in their reach. A fixed number of
    queries whatever the organisation's size (compare a small and a large one in the tests)."""
    week = digest_week(today)
    new_issues, new_total = _new_issues(reach, week)
    overdue, overdue_total = _overdue_actions(reach, today)
    return WeeklyDigest(
        week=week,
        new_issues=new_issues,
        new_issues_total=new_total,
        overdue_actions=overdue,
        overdue_total=overdue_total,
        closing_cycles=_closing_cycles(reach, today),
        results_shown=_results_shown(reach, week, data),
    )


def _section(title: str, lines: Sequence[DigestLine], total: int, more_url: str) -> list[str]:
    if not total:
        return []
    heading = f"{title} ({number_format(total, force_grouping=True)})"
    out = [heading, "-" * len(heading)]
    for line in lines:
        out.append(f"* {line.name}: {line.detail}\n  {line.url}")
    if total > len(lines):
        out.append(
            "  "
            + gettext("… and %(more)s more: %(url)s")
            % {"more": number_format(total - len(lines), force_grouping=True), "url": more_url}
        )
    out.append("")
    return out


def digest_email(
    digest: WeeklyDigest, *, name: str, turn_off_url: str, settings_url: str
) -> tuple[str, str]:
    """The digest's subject and plain-text body: names, dates and links, no figures."""
    week = digest.week
    lines = [
        gettext("Hello %(name)s,") % {"name": name},
        "",
        gettext("Here is what happened in your part of the organisation from %(start)s to %(end)s.")
        % {"start": long_date(week.starts_on), "end": long_date(week.ends_on)},
        "",
        *_section(
            gettext("New staff issues"),
            digest.new_issues,
            digest.new_issues_total,
            _url_for("voice:manage"),
        ),
        *_section(
            gettext("Overdue actions"),
            digest.overdue_actions,
            digest.overdue_total,
            _url_for("actions:list"),
        ),
        *_section(
            gettext("Cycles closing this week"),
            digest.closing_cycles,
            len(digest.closing_cycles),
            _url_for("diagnostics:cycle_list"),
        ),
        *_section(
            gettext("Results now shown"),
            digest.results_shown,
            len(digest.results_shown),
            _url_for("dashboards:index"),
        ),
        gettext("You get this digest because you are a leader or an organisation admin in SWORD."),
        gettext("To stop it: %(url)s") % {"url": turn_off_url},
        gettext("Your notification settings: %(url)s") % {"url": settings_url},
        "",
        "SWORD",
        "",
    ]
    subject = gettext("Your SWORD week: %(date)s") % {"date": long_date(week.monday)}
    return subject, "\n".join(lines)


def _url_for(name: str) -> str:
    return settings.SITE_URL + reverse(name)
