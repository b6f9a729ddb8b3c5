"""Structural figures, their ratings and the structural lens (§6). Pure functions.

Each figure has a validated range, a direction, and default "good" and "concerning" thresholds
that an organisation can change. The defaults and the one-line reason for each are below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext

from diagnostics.lens_statistics import (
    CONFIDENCE,
    FDR_LEVEL,
    RankCorrelation,
    discoveries,
    rank_correlations,
)

Rating = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class FigureDefinition:
    code: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    higher_is_better: bool
    good: Decimal
    concerning: Decimal
    why: str
    domains: tuple[str, ...]  # the domains it bears on, beside which dashboards show it
    more_phrase: str  # "Teams {more_phrase} report lower ...": the figure going up

    # The texts above stay English (audit log, exports, import errors' column names); pages show
    # these, in the reader's language.
    @property
    def shown_label(self) -> str:
        return gettext(self.label)

    @property
    def shown_unit(self) -> str:
        return gettext(self.unit)

    @property
    def shown_why(self) -> str:
        return gettext(self.why)

    @property
    def shown_more_phrase(self) -> str:
        return gettext(self.more_phrase)


FIGURES: tuple[FigureDefinition, ...] = (
    FigureDefinition(
        "caseload",
        gettext_noop("Average caseload per full-time practitioner"),
        gettext_noop("cases"),
        Decimal(0),
        Decimal(100),
        False,
        Decimal(18),
        Decimal(25),
        gettext_noop(
            "England's national workforce figures put the average near 16–17 cases; above 25 is "
            "where practitioners widely report caseloads as unmanageable."
        ),
        ("WL", "WB"),
        gettext_noop("carrying more cases per practitioner"),
    ),
    FigureDefinition(
        "vacancy_rate",
        gettext_noop("Vacancy rate"),
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        gettext_noop(
            "National children's social work vacancy rates have run at 17–20%; under 10% is a "
            "stable team, 20% or more leaves the rest carrying the gap."
        ),
        ("WL", "WB"),
        gettext_noop("with more vacancies"),
    ),
    FigureDefinition(
        "agency_share",
        gettext_noop("Agency share of practitioners"),
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        gettext_noop(
            "Agency rates near the national average (about 18%) signal churn; under 10% gives "
            "continuity for families and colleagues."
        ),
        ("WL", "SB"),
        gettext_noop("relying more on agency staff"),
    ),
    FigureDefinition(
        "supervision_held",
        gettext_noop("Supervision held at the agreed frequency"),
        "%",
        Decimal(0),
        Decimal(100),
        True,
        Decimal(90),
        Decimal(70),
        gettext_noop(
            "The employer standards in England expect regular, planned, uninterrupted supervision; "
            "below 70% held as agreed it is no longer regular."
        ),
        ("SUP",),
        gettext_noop("where more supervision is held as agreed"),
    ),
    FigureDefinition(
        "turnover",
        gettext_noop("Staff turnover in the last 12 months"),
        "%",
        Decimal(0),
        Decimal(100),
        False,
        Decimal(10),
        Decimal(20),
        gettext_noop(
            "National children's social worker turnover is about 16–17% a year; 20% or more means "
            "a team is rebuilding constantly."
        ),
        ("SB", "WB"),
        gettext_noop("with higher turnover"),
    ),
    FigureDefinition(
        "sickness_days",
        gettext_noop("Sickness absence days per FTE (12 months)"),
        gettext_noop("days"),
        Decimal(0),
        Decimal(365),
        False,
        Decimal(8),
        Decimal(12),
        gettext_noop(
            "Public-sector sickness absence averages about 10 days a year; 12 or more is a sign "
            "of strain worth acting on."
        ),
        ("WB",),
        gettext_noop("with more sickness absence"),
    ),
    FigureDefinition(
        "incidents",
        gettext_noop("Safety incidents per 10 FTE (12 months)"),
        gettext_noop("incidents"),
        Decimal(0),
        Decimal(200),
        False,
        Decimal(1),
        Decimal(3),
        gettext_noop(
            "Any pattern of incidents needs a response; three or more per ten staff a year marks "
            "a team whose visits need a safety review."
        ),
        ("SAF",),
        gettext_noop("with more safety incidents"),
    ),
    FigureDefinition(
        "recording_hours",
        gettext_noop("Hours per week on case recording per practitioner"),
        gettext_noop("hours"),
        Decimal(0),
        Decimal(60),
        False,
        Decimal(10),
        Decimal(16),
        gettext_noop(
            "Practitioners report spending up to two days a week on recording; 16 hours or more "
            "is over 40% of a full-time week away from people."
        ),
        ("SYS", "WL"),
        gettext_noop("spending more hours on case recording"),
    ),
)
FIGURES_BY_CODE: dict[str, FigureDefinition] = {figure.code: figure for figure in FIGURES}

MIN_LENS_TEAMS = 5


@dataclass(frozen=True)
class Thresholds:
    good: Decimal
    concerning: Decimal


def default_thresholds() -> dict[str, Thresholds]:
    return {f.code: Thresholds(f.good, f.concerning) for f in FIGURES}


@dataclass(frozen=True)
class ThresholdInForce:
    """A figure's thresholds for one unit and where they come from: `set_at` is the path of the
    unit whose own values they are (the unit itself or one above it), or "" for the
    organisation's own values, or None for the defaults."""

    thresholds: Thresholds
    set_at: str | None

    @property
    def good(self) -> Decimal:
        return self.thresholds.good

    @property
    def concerning(self) -> Decimal:
        return self.thresholds.concerning


def thresholds_in_force(
    path: str,
    *,
    steplen: int,
    by_unit: Mapping[str, Mapping[str, Thresholds]],
    organisation: Mapping[str, Thresholds],
    figures: Sequence[FigureDefinition] = FIGURES,
) -> dict[str, ThresholdInForce]:
    """Each figure's thresholds (of `figures`, all unless given) for the unit at `path`: its
    own or its nearest ancestor's (`by_unit`: unit path → figure code → thresholds), else the
    organisation's, else the defaults. No queries: the rows are read once per organisation."""
    paths = [path[:end] for end in range(len(path), 0, -steplen)]  # the unit, then upwards
    found = {}
    for figure in figures:
        code = figure.code
        nearest = next((p for p in paths if code in by_unit.get(p, {})), None)
        if nearest is not None:
            found[code] = ThresholdInForce(by_unit[nearest][code], nearest)
        elif code in organisation:
            found[code] = ThresholdInForce(organisation[code], "")
        else:
            found[code] = ThresholdInForce(Thresholds(figure.good, figure.concerning), None)
    return found


def check_thresholds(figure: FigureDefinition, good: Decimal, concerning: Decimal) -> str | None:
    """A message when the thresholds make no sense for the figure's direction, else None."""
    for value in (good, concerning):
        if not figure.minimum <= value <= figure.maximum:
            return gettext("Thresholds must be between %(minimum)s and %(maximum)s.") % {
                "minimum": figure.minimum,
                "maximum": figure.maximum,
            }
    if figure.higher_is_better and good <= concerning:
        return gettext("For this figure higher is better, so “good” must be above “concerning”.")
    if not figure.higher_is_better and good >= concerning:
        return gettext("For this figure lower is better, so “good” must be below “concerning”.")
    return None


def rate(figure: FigureDefinition, value: Decimal | float, thresholds: Thresholds) -> Rating:
    number = Decimal(str(value))
    if figure.higher_is_better:
        if number >= thresholds.good:
            return "green"
        return "red" if number <= thresholds.concerning else "amber"
    if number <= thresholds.good:
        return "green"
    return "red" if number >= thresholds.concerning else "amber"


def strength(rho: float) -> str:
    size = abs(rho)
    if size < 0.1:
        return pgettext("association", "a negligible")
    if size < 0.3:
        return pgettext("association", "a weak")
    if size < 0.5:
        return pgettext("association", "a moderate")
    return pgettext("association", "a strong")


def signed(number: float) -> str:
    """Two decimals with a true minus sign: −0.61."""
    return f"{number:.2f}".replace("-", "−")


@dataclass(frozen=True)
class Association:
    """A figure against a domain's mean across teams: ρ, its p-value and interval, and whether it
    survives Benjamini–Hochberg across the pairs tested with it (`clear`)."""

    figure: FigureDefinition
    domain_code: str
    domain_name: str
    teams: int
    correlation: RankCorrelation | None = None
    clear: bool = False

    @property
    def rho(self) -> float | None:
        return self.correlation.rho if self.correlation else None

    @property
    def tested(self) -> bool:
        """Enough teams, and values that vary: ρ and its p-value exist."""
        return self.correlation is not None

    @property
    def interval_text(self) -> str:
        correlation = self.correlation
        if correlation is None:
            return ""
        if correlation.low is None or correlation.high is None:
            return gettext("every team in the same order, so no interval can be given")
        return gettext("%(confidence)s%% interval %(low)s to %(high)s") % {
            "confidence": round(CONFIDENCE * 100),
            "low": signed(correlation.low),
            "high": signed(correlation.high),
        }

    @property
    def finding(self) -> str:
        """What teams with more of the figure report, for a list under the figure's phrase:
        "lower wellbeing scores"."""
        values = {"domain": self.domain_name.lower()}
        if (self.rho or 0) > 0:
            return gettext("higher %(domain)s scores") % values
        return gettext("lower %(domain)s scores") % values

    @property
    def numbers(self) -> str:
        """ρ, teams and interval: "ρ = −0.61 across 14 teams (95% interval −0.86 to −0.13)"."""
        if self.correlation is None:
            return ""
        return ngettext(
            "ρ = %(rho)s across %(teams)s team (%(interval)s)",
            "ρ = %(rho)s across %(teams)s teams (%(interval)s)",
            self.teams,
        ) % {
            "rho": signed(self.correlation.rho),
            "teams": number_format(self.teams, force_grouping=True),
            "interval": self.interval_text,
        }

    @property
    def sentence(self) -> str:
        correlation = self.correlation
        if self.teams < MIN_LENS_TEAMS:
            return gettext(
                "Not enough teams yet: the lens needs at least %(minimum)s teams with both "
                "figures and enough responses (%(teams)s so far)."
            ) % {"minimum": MIN_LENS_TEAMS, "teams": number_format(self.teams, force_grouping=True)}
        if correlation is None:
            return gettext("No association can be computed: the teams' values do not vary.")
        values = {
            "figure": self.figure.shown_label.lower(),
            "more": self.figure.shown_more_phrase,
            "domain": self.domain_name.lower(),
            "teams": number_format(self.teams, force_grouping=True),
            "rho": f"ρ = {signed(correlation.rho)}",
            "interval": self.interval_text,
            "strength": strength(correlation.rho),
        }
        if not self.clear:
            return (
                ngettext(
                    "No clear association between %(figure)s and %(domain)s across "
                    "%(teams)s team (%(rho)s; %(interval)s). Once the number of pairs "
                    "tested is allowed for, this is within what chance alone could give.",
                    "No clear association between %(figure)s and %(domain)s across "
                    "%(teams)s teams (%(rho)s; %(interval)s). Once the number of pairs "
                    "tested is allowed for, this is within what chance alone could give.",
                    self.teams,
                )
                % values
            )
        if correlation.rho > 0:
            return (
                ngettext(
                    "Teams %(more)s report higher %(domain)s scores: %(rho)s across "
                    "%(teams)s team (%(interval)s). This is %(strength)s association, not "
                    "proof that one causes the other.",
                    "Teams %(more)s report higher %(domain)s scores: %(rho)s across "
                    "%(teams)s teams (%(interval)s). This is %(strength)s association, not "
                    "proof that one causes the other.",
                    self.teams,
                )
                % values
            )
        return (
            ngettext(
                "Teams %(more)s report lower %(domain)s scores: %(rho)s across "
                "%(teams)s team (%(interval)s). This is %(strength)s association, not "
                "proof that one causes the other.",
                "Teams %(more)s report lower %(domain)s scores: %(rho)s across "
                "%(teams)s teams (%(interval)s). This is %(strength)s association, not "
                "proof that one causes the other.",
                self.teams,
            )
            % values
        )


def associate(
    figure: FigureDefinition,
    domain_code: str,
    domain_name: str,
    pairs: Sequence[tuple[float, float]],
) -> Association:
    """The rank correlation between a figure and a domain's mean across teams, before the pairs
    are weighed together (`weigh`). `pairs` are (figure value, domain mean) for teams that have
    both and are shown."""
    return associate_columns(
        figure, domain_code, domain_name, [p[0] for p in pairs], [p[1] for p in pairs]
    )


def associate_columns(
    figure: FigureDefinition,
    domain_code: str,
    domain_name: str,
    figure_values: Sequence[float],
    domain_means: Sequence[float],
) -> Association:
    """`associate` with the pairs given as two columns of the same length, in the same order."""
    (association,) = associate_many(
        [(figure, domain_code, domain_name, figure_values, domain_means)]
    )
    return association


def associate_many(
    columns: Sequence[tuple[FigureDefinition, str, str, Sequence[float], Sequence[float]]],
) -> list[Association]:
    """`associate_columns` of each (figure, domain code, domain name, figure values, domain
    means), the rank correlations worked out together (`rank_correlations`: pairs of as many
    teams share their random pairings)."""
    tested = [column for column in columns if len(column[3]) >= MIN_LENS_TEAMS]
    correlations = iter(rank_correlations([(xs, ys) for *_, xs, ys in tested]))
    return [
        Association(figure, code, name, len(xs), next(correlations))
        if len(xs) >= MIN_LENS_TEAMS
        else Association(figure, code, name, len(xs))
        for figure, code, name, xs, _ys in columns
    ]


def weigh(associations: Sequence[Association], *, level: float = FDR_LEVEL) -> list[Association]:
    """The same associations, each marked `clear` if it survives Benjamini–Hochberg at `level`
    across every pair tested here (those with enough teams and values that vary)."""
    tested = [a for a in associations if a.correlation is not None]
    survives = dict(
        zip(
            (id(a) for a in tested),
            discoveries([a.correlation.p_value for a in tested if a.correlation], level=level),
            strict=True,
        )
    )
    return [replace(a, clear=survives.get(id(a), False)) for a in associations]


def strongest_first(associations: Sequence[Association]) -> list[Association]:
    """The clear associations, strongest first."""
    return sorted((a for a in associations if a.clear), key=lambda a: -abs(a.rho or 0.0))


@dataclass(frozen=True)
class UnclearGroup:
    """Domains with no clear association with a figure, across the same number of teams."""

    teams: int
    domain_names: tuple[str, ...]

    @property
    def sentence(self) -> str:
        names = [name.lower() for name in self.domain_names]
        listed = (
            names[0]
            if len(names) == 1
            else gettext("%(first)s or %(last)s")
            % {"first": ", ".join(names[:-1]), "last": names[-1]}
        )
        return ngettext(
            "No clear association with %(listed)s across %(teams)s team.",
            "No clear association with %(listed)s across %(teams)s teams.",
            self.teams,
        ) % {
            "listed": listed,
            "teams": number_format(self.teams, force_grouping=True),
        }


@dataclass(frozen=True)
class FigureFindings:
    """What the lens found for one figure: its clear associations (strongest first), the domains
    with none, and the domains with too few teams to say."""

    figure: FigureDefinition
    clear: tuple[Association, ...]
    unclear: tuple[UnclearGroup, ...]
    too_few: tuple[Association, ...]

    @property
    def tested(self) -> bool:
        return bool(self.clear or self.unclear)


def findings_by_figure(associations: Sequence[Association]) -> list[FigureFindings]:
    """The weighed associations grouped by figure, in the order of FIGURES."""
    output = []
    for figure in FIGURES:
        mine = [a for a in associations if a.figure.code == figure.code]
        unclear: dict[int, list[str]] = {}
        for association in mine:
            if association.teams >= MIN_LENS_TEAMS and not association.clear:
                unclear.setdefault(association.teams, []).append(association.domain_name)
        output.append(
            FigureFindings(
                figure=figure,
                clear=tuple(strongest_first(mine)),
                unclear=tuple(
                    UnclearGroup(teams, tuple(names))
                    for teams, names in sorted(unclear.items(), reverse=True)
                ),
                too_few=tuple(a for a in mine if a.teams < MIN_LENS_TEAMS),
            )
        )
    return output


def plain_number(value: Decimal) -> str:
    """A figure or threshold as people write it: 20.00 as 20, 12.50 as 12.5."""
    return format(value.normalize(), "f")


def parse_value(figure: FigureDefinition, raw: str) -> Decimal:
    """A figure typed by a person or read from CSV, checked against its range."""
    text = raw.strip().rstrip("%").strip()
    try:
        value = Decimal(text)
    except ArithmeticError as exc:
        raise ValueError(gettext("“%(raw)s” is not a number.") % {"raw": raw}) from exc
    if not value.is_finite():
        raise ValueError(gettext("“%(raw)s” is not a number.") % {"raw": raw})
    if value != value.quantize(Decimal("0.01")):  # stored with two decimals: never rounded
        raise ValueError(
            gettext(
                "Give a number from %(minimum)s to %(maximum)s with at most two decimal places."
            )
            % {"minimum": plain_number(figure.minimum), "maximum": plain_number(figure.maximum)}
        )
    if not figure.minimum <= value <= figure.maximum:
        raise ValueError(
            gettext("%(label)s must be between %(minimum)s and %(maximum)s %(unit)s.")
            % {
                "label": figure.shown_label,
                "minimum": figure.minimum,
                "maximum": figure.maximum,
                "unit": figure.shown_unit,
            }
        )
    return value


def ratings(
    values: Mapping[str, Decimal | None], thresholds: Mapping[str, Thresholds]
) -> dict[str, Rating | None]:
    return {
        code: None if value is None else rate(FIGURES_BY_CODE[code], value, thresholds[code])
        for code, value in values.items()
    }
