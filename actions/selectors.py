"""Reads for actions: owners, lists, suggestions and before/after figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from accounts.models import User
from actions.models import Action, Intervention
from diagnostics.models import Cycle, Statement
from diagnostics.pooling import Scope, cycle_scope, pool_of, pools_taking_part, pulse_pools
from diagnostics.release_words import hidden_words
from diagnostics.results import OrganisationResults, results_for_scopes
from diagnostics.scoring import Change, change_between
from diagnostics.selectors import cycles_covering
from organisations.access import Reach
from organisations.models import Organisation, Unit


def possible_owners(unit: Unit, escalated_to: Unit | None = None) -> QuerySet[User]:
    """People with a role on the unit's branch (above it or inside it): they can see the action."""
    condition = Q(memberships__unit__path__in=[*unit.ancestor_paths(), unit.path]) | Q(
        memberships__unit__path__startswith=unit.path
    )
    if escalated_to is not None:
        condition |= Q(
            memberships__unit__path__in=[*escalated_to.ancestor_paths(), escalated_to.path]
        )
    return (
        User.objects.filter(is_active=True, memberships__organisation_id=unit.organisation_id)
        .filter(condition)
        .distinct()
        .order_by("display_name")
    )


def suggestions(
    interventions: Iterable[Intervention],
    domain_codes: Iterable[str],
    *,
    unit: Unit,
    per_domain: int = 3,
) -> dict[str, list[Intervention]]:
    """Suggested interventions per domain: quick wins first, then levers the unit holds."""
    wanted = set(domain_codes)
    level = Intervention.Lever.TEAM if unit.is_team else Intervention.Lever.SERVICE
    by_domain: dict[str, list[Intervention]] = {code: [] for code in wanted}
    for intervention in interventions:
        if intervention.domain.code in wanted:
            by_domain[intervention.domain.code].append(intervention)
    for code, items in by_domain.items():
        items.sort(
            key=lambda i: (
                i.kind != Intervention.Kind.QUICK_WIN,
                i.lever != level,
                i.position,
            )
        )
        by_domain[code] = items[:per_domain]
    return by_domain


def is_overdue(action: Action, *, today: date) -> bool:
    return action.is_open and action.due_on < today


def overdue(actions: QuerySet[Action], *, today: date) -> QuerySet[Action]:
    """The actions `is_overdue` calls overdue, as a query (to count them all, not a page)."""
    return actions.filter(status__in=Action.OPEN_STATUSES, due_on__lt=today)


@dataclass(frozen=True)
class Figure:
    label: str
    mean: float | None
    band: str | None
    n: int | None
    shown: bool
    hidden: str = ""


@dataclass(frozen=True)
class BeforeAfter:
    before: Figure | None
    after: Figure | None
    change: Change | None
    skipped: tuple[str, ...] = ()  # newer results left out: not shown for the unit (yet)

    @property
    def note(self) -> str:
        """Which results "after" is, and why newer ones are left out."""
        if not self.skipped or self.after is None:
            return ""
        names = ", ".join(self.skipped)
        if self.after.shown:
            return gettext(
                "Compared with %(after)s, the latest results shown for this unit: the figures "
                "of %(names)s are not shown yet."
            ) % {"after": self.after.label, "names": names}
        return gettext("No later results are shown for this unit yet (%(names)s, %(after)s).") % {
            "names": names,
            "after": self.after.label,
        }


def _later_scopes(prompting: Cycle, cycles: Sequence[Cycle], pools: Sequence[Scope]) -> list[Scope]:
    """The results since the prompting ones, newest first: later full diagnostics, then pooled
    pulse periods that began after the prompting results closed (one that began before would
    mix answers given before the action into "after")."""
    later_full = [
        cycle_scope(c)
        for c in cycles
        if c.kind == Cycle.Kind.FULL and c.opens_on > prompting.opens_on
    ]
    later_pools = [s for s in reversed(pools) if s.starts_on and s.starts_on > prompting.closes_on]
    return [*later_full, *later_pools]


def _figure(results: OrganisationResults, action: Action, label: str, *, unit: Unit) -> Figure:
    if unit.path not in results.resolvable:
        # Seen through an escalation, the action's unit can lie outside the viewer's reach
        # (its team moved elsewhere since): its figures are not theirs to see.
        return Figure(
            label, None, None, None, False, hidden=gettext("outside your part of the organisation")
        )
    group = results.group(unit)
    cell = group.domains.get(action.domain.code)
    figures = cell.figures if cell else None
    return Figure(
        label=label,
        mean=figures.mean if figures else None,
        band=figures.band if figures else None,
        n=figures.n if figures else None,
        shown=figures is not None and figures.mean is not None,
        hidden="" if figures else hidden_words(cell.hidden if cell else None, k=group.k),
    )


def _holders(unit: Unit, organisation: Organisation) -> dict[Unit, list[Cycle]]:
    """The unit and each place it moved from, with the opened cycles whose part each holds
    (`diagnostics.services.move_unit`): an action begun before a move compares the results
    read where the unit then was with those since (one query, and one for each such place)."""
    places = [unit]
    if organisation.has_former_places:
        places += Unit.objects.filter(moved_to=unit).order_by("path")
    return {place: cycles_covering(place) for place in places}


def _holder(holders: dict[Unit, list[Cycle]], scope: Scope, action: Action) -> Unit:
    """Where the action's unit has its part in this scope's cycles."""
    wanted = set(scope.cycle_ids)
    return next(
        (place for place, cycles in holders.items() if wanted & {c.pk for c in cycles}),
        action.unit,
    )


def before_after(action: Action, *, reach: Reach, today: date) -> BeforeAfter:
    """The action's domain for its unit at the prompting cycle, and at the latest cycle or pooled
    pulse since whose figure for the unit is shown (newer ones still hidden, such as a cycle
    just opened, are skipped and named), each through the anonymity rules of the viewer. The
    results of every candidate are read together: a fixed number of queries."""
    if action.cycle is None:
        return BeforeAfter(None, None, None)
    prompting = action.cycle
    holders = _holders(action.unit, action.organisation)
    cycles = sorted(
        {cycle.pk: cycle for place in holders for cycle in holders[place]}.values(),
        key=lambda cycle: (cycle.opens_on, cycle.pk),
        reverse=True,
    )
    pools = pulse_pools(action.organisation)
    taking_part = pools_taking_part(pools, cycles)
    before_scope = (
        pool_of(prompting, [*taking_part, *pools])  # counted for the unit where it can be
        if prompting.kind == Cycle.Kind.PULSE
        else cycle_scope(prompting)
    )
    candidates = _later_scopes(prompting, cycles, taking_part)
    results = results_for_scopes(action.organisation, [before_scope, *candidates], reach=reach)
    before = _figure(
        results[0], action, before_scope.full_label, unit=_holder(holders, before_scope, action)
    )
    if not candidates:
        return BeforeAfter(before, None, None)
    afters = [
        _figure(found, action, scope.full_label, unit=_holder(holders, scope, action))
        for found, scope in zip(results[1:], candidates, strict=True)
    ]
    chosen = next((index for index, figure in enumerate(afters) if figure.shown), None)
    if chosen is None:
        return BeforeAfter(
            before, afters[0], change_between(before.mean, None), tuple(a.label for a in afters[1:])
        )
    after = afters[chosen]
    skipped = tuple(figure.label for figure in afters[:chosen])
    return BeforeAfter(before, after, change_between(before.mean, after.mean), skipped)


# --- translations for review ----------------------------------------------------------------

TRANSLATION_COLUMNS = ["kind", "id", "context", "code", "field", "language", "english", "text"]
INTERVENTION_FIELDS = ("title", "what", "why", "measure")


@dataclass(frozen=True)
class TranslationRow:
    """One text to translate: a statement's wording or one field of an intervention, its
    English and its text in `language` ("" where it has none yet)."""

    kind: str  # "statement" or "intervention"
    id: int
    context: str  # the questionnaire version's name, or the intervention's domain
    code: str  # the statement's code, or the intervention's domain code
    field: str  # "text" for a statement; title, what, why or measure for an intervention
    language: str
    english: str
    text: str

    def cells(self) -> list[str | int]:
        return [
            self.kind,
            self.id,
            self.context,
            self.code,
            self.field,
            self.language,
            self.english,
            self.text,
        ]


def translation_rows(*, language: str, organisation: Organisation | None) -> list[TranslationRow]:
    """The built-in questionnaire versions' statements and the built-in library, then the
    organisation's own (when given), each with its text in `language`: four queries."""
    owners = Q(organisation__isnull=True)
    if organisation is not None:
        owners |= Q(organisation=organisation)
    statements = (
        Statement.objects.filter(Q(version__organisation__isnull=True) | _own_version(organisation))
        .select_related("version")
        .prefetch_related("texts")
        .order_by("version__organisation_id", "version_id", "domain__position", "position", "code")
    )
    rows = [
        TranslationRow(
            kind="statement",
            id=s.pk,
            context=s.version.name,
            code=s.code,
            field="text",
            language=language,
            english=s.text,
            text=next((t.text for t in s.texts.all() if t.language == language), ""),
        )
        for s in statements
    ]
    interventions = (
        Intervention.objects.filter(owners)
        .select_related("domain")
        .prefetch_related("texts")
        .order_by("organisation_id", "domain__position", "kind", "position", "pk")
    )
    for intervention in interventions:
        text = next((t for t in intervention.texts.all() if t.language == language), None)
        rows.extend(
            TranslationRow(
                kind="intervention",
                id=intervention.pk,
                context=intervention.domain.name,
                code=intervention.domain.code,
                field=field,
                language=language,
                english=getattr(intervention, field),
                text=getattr(text, field) if text is not None else "",
            )
            for field in INTERVENTION_FIELDS
        )
    return rows


def _own_version(organisation: Organisation | None) -> Q:
    if organisation is None:
        return Q(pk__in=[])
    return Q(version__organisation=organisation)
