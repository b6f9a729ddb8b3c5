"""Writes for the questionnaire, cycles, invites and responses. Each runs in one transaction."""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
import secrets
import smtplib
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

from accounts.languages import in_language_of
from accounts.models import User
from diagnostics import codes as invite_codes
from diagnostics.addresses import (
    AddressesUnavailable,
    UnreadableAddress,
    can_keep_addresses,
    seal,
    unseal,
)
from diagnostics.errors import (
    CodeAlreadyUsed,
    CycleClosed,
    CycleNotOpen,
    IncompleteAnswers,
    TamperedForm,
    UnknownCode,
)
from diagnostics.exports import (
    BY,
    EXCEL_READS_UTF8,
    FORMATS,
    LEVELS,
    ExportRequest,
    export_rows,
    export_scope,
    reach_key,
    write_csv,
    write_xlsx,
)
from diagnostics.models import (
    Answer,
    Comment,
    Cycle,
    CycleStatement,
    CycleTeam,
    Domain,
    DomainScore,
    DomainTally,
    ExportJob,
    InstrumentVersion,
    Invite,
    InviteBatch,
    InviteDelivery,
    ReminderAddress,
    Response,
    RoleGroup,
    ServiceLength,
    SpentCode,
    Statement,
    StatementTally,
    StatementText,
    StructuralFigures,
    StructuralThreshold,
    SurveyDraft,
    TeamTally,
    WorkingPattern,
    random_response_id,
)
from diagnostics.pooling import pulse_period_of
from diagnostics.pulses import PULSE_MAX, PULSE_MIN, Candidate, choose_pulse_statements
from diagnostics.selectors import (
    Availability,
    availability,
    codes_made,
    cycle_runners,
    cycles_visible_to,
    is_frozen,
    pulse_history,
    statement_infos,
)
from diagnostics.structural import FIGURES_BY_CODE, ThresholdInForce, Thresholds, check_thresholds
from diagnostics.structural_data import FIGURE_CODES, store_bounding_headcounts, threshold_book
from diagnostics.tallies import (
    StatementInfo,
    add_codes_made,
    add_to_tallies,
    insert_rows,
    response_rows,
)
from notices.services import header_line, send_notice_once
from organisations.access import Reach, reach_of
from organisations.audit import json_number, record, unit_scope
from organisations.models import AuditEvent, Organisation, Unit
from organisations.remembered_units import claim_units_version
from organisations.selectors import readable_path, unit_names_by_path
from organisations.services import drop_emptied_former_places, move_unit_leaving
from sword.precompiled import PrecompiledLookup

logger = logging.getLogger(__name__)

MAX_CODES_PER_REQUEST = 500
MAX_COMMENT_LENGTH = 1000
ABOUT_CHOICES: dict[str, set[str]] = {
    "role_group": set(RoleGroup.values),
    "service_length": set(ServiceLength.values),
    "working_pattern": set(WorkingPattern.values),
}
NOT_APPLICABLE = 0  # how a "Not applicable / prefer not to say" answer travels before storage


# --- instrument versions -------------------------------------------------------------------


class VersionFrozen(ValidationError):
    def __init__(self) -> None:
        super().__init__(
            "This version has been used by a cycle that opened, so it is frozen. "
            "Make a copy to change it."
        )


def _check_editable(version: InstrumentVersion) -> None:
    if version.organisation_id is None:
        raise ValidationError(
            gettext("The built-in questionnaire cannot be edited. Make a copy instead.")
        )
    if is_frozen(version):
        raise VersionFrozen()


@transaction.atomic
def copy_version(
    *, version: InstrumentVersion, organisation_id: int, name: str, created_by: User | None
) -> InstrumentVersion:
    name = name.strip()
    if not name:
        raise ValidationError(gettext("Give the new version a name."))
    copy = InstrumentVersion.objects.create(
        organisation_id=organisation_id, name=name, based_on=version, created_by=created_by
    )
    originals = list(version.statements.prefetch_related("texts"))
    copies = Statement.objects.bulk_create(
        Statement(
            version=copy,
            domain_id=s.domain_id,
            code=s.code,
            text=s.text,
            reverse_scored=s.reverse_scored,
            position=s.position,
        )
        for s in originals
    )
    StatementText.objects.bulk_create(
        StatementText(statement=new, language=text.language, text=text.text)
        for original, new in zip(originals, copies, strict=True)
        for text in original.texts.all()
    )
    return copy


def translation_languages() -> list[str]:
    """The languages a statement may have a text in besides English (its own `text`)."""
    return [code for code, _ in settings.LANGUAGES[1:]]


def _set_translations(statement: Statement, translations: Mapping[str, str]) -> None:
    """Store the statement's texts in other languages; an empty text removes that language's
    (the statement is then shown in English to those who chose it)."""
    for language, text in translations.items():
        if language not in translation_languages():
            raise ValidationError(
                gettext("“%(language)s” is not one of the site's languages.")
                % {"language": language}
            )
        cleaned = " ".join(text.split())
        if not cleaned:
            StatementText.objects.filter(statement=statement, language=language).delete()
            continue
        StatementText.objects.update_or_create(
            statement=statement, language=language, defaults={"text": _clean_text(cleaned)}
        )


def _clean_text(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError(gettext("A statement needs some text."))
    if len(text) > 300:
        raise ValidationError(gettext("Keep a statement under 300 characters; shorter is better."))
    return text


def _next_code(version: InstrumentVersion, domain: Domain) -> str:
    """A new code in the domain that no version in the organisation's family has used."""
    pattern = re.compile(rf"^{re.escape(domain.code)}(\d+)$")
    used = Statement.objects.filter(domain=domain).filter(
        Q(version__organisation_id=version.organisation_id) | Q(version__organisation__isnull=True)
    )
    numbers = [
        int(m.group(1))
        for code in used.values_list("code", flat=True)
        if (m := pattern.match(code))
    ]
    return f"{domain.code}{max(numbers, default=0) + 1}"


@transaction.atomic
def add_statement(
    *,
    version: InstrumentVersion,
    domain: Domain,
    text: str,
    reverse_scored: bool,
    translations: Mapping[str, str] | None = None,
) -> Statement:
    """A new statement in an editable version, with its texts in other languages if given."""
    _check_editable(version)
    _check_outcome_wording(domain, reverse_scored=reverse_scored)
    last = version.statements.filter(domain=domain).aggregate(last=Max("position"))["last"]
    statement = Statement.objects.create(
        version=version,
        domain=domain,
        code=_next_code(version, domain),
        text=_clean_text(text),
        reverse_scored=reverse_scored,
        position=(last or 0) + 1,
    )
    _set_translations(statement, translations or {})
    return statement


@transaction.atomic
def reword_statement(
    *,
    statement: Statement,
    text: str,
    reverse_scored: bool,
    translations: Mapping[str, str] | None = None,
) -> list[str]:
    """Change a statement of an editable version; `translations` (language to text) replace
    its texts in those languages, and an empty text removes one. New English wording removes
    the texts in languages not given (the editor did not see them), which would otherwise go
    on asking Welsh speakers, say, the statement as it was. Returns those languages' codes."""
    _check_editable(statement.version)
    _check_outcome_wording(statement.domain, reverse_scored=reverse_scored)
    cleaned = _clean_text(text)
    dropped: list[str] = []
    if cleaned != statement.text:
        unseen = statement.texts.exclude(language__in=list(translations or {}))
        dropped = sorted(unseen.values_list("language", flat=True))
        unseen.delete()
    statement.text = cleaned
    statement.reverse_scored = reverse_scored
    statement.save(update_fields=["text", "reverse_scored"])
    _set_translations(statement, translations or {})
    return dropped


@transaction.atomic
def remove_statement(*, statement: Statement) -> None:
    _check_editable(statement.version)
    others = statement.version.statements.filter(domain_id=statement.domain_id).exclude(
        pk=statement.pk
    )
    if not others.exists() and not statement.domain.is_outcome:
        raise ValidationError(gettext("Every domain needs at least one statement."))
    statement.delete()


def _check_outcome_wording(domain: Domain, *, reverse_scored: bool) -> None:
    """An outcome is shown as the share who agree, so agreeing must mean the outcome."""
    if domain.is_outcome and reverse_scored:
        raise ValidationError(
            gettext(
                "An outcome statement cannot be negatively worded: it is shown as the share who "
                "agree, so word it so that agreeing is the outcome (e.g. “I intend to stay”)."
            )
        )


# --- cycles --------------------------------------------------------------------------------


@transaction.atomic
def create_cycle(
    *,
    unit: Unit,
    kind: str,
    instrument: InstrumentVersion,
    name: str,
    opens_on: date,
    closes_on: date,
    created_by: User | None,
    pulse_size: int = PULSE_MAX,
    opens_automatically: bool = False,
    names_in_languages: Mapping[str, str] | None = None,
) -> Cycle:
    """A draft cycle for every team below `unit`, with its statements chosen and stored;
    scheduled to open by itself on its opening date with `opens_automatically`. Without a
    name, it gets one made from its kind, unit and month, in every language its surveys offer."""
    if kind not in Cycle.Kind.values:
        raise ValidationError(gettext("A cycle is either a full diagnostic or a pulse."))
    if closes_on < opens_on:
        raise ValidationError(gettext("The closing date must be on or after the opening date."))
    if unit.is_archived:
        raise ValidationError(gettext("This unit is archived; restore it before starting a cycle."))
    if instrument.organisation_id not in (None, unit.organisation_id):
        raise ValidationError(gettext("That questionnaire belongs to another organisation."))
    if opens_automatically and opens_on <= timezone.localdate():
        raise ValidationError(
            gettext(
                "A cycle that opens by itself needs an opening date after today; open this one "
                "by hand once it is created."
            )
        )
    teams = list(Unit.objects.within(unit).teams().active())
    if not teams:
        raise ValidationError(
            gettext("“%(unit)s” has no active teams to take part.") % {"unit": unit.name}
        )
    name = name.strip()
    organisation = Organisation.objects.get(pk=unit.organisation_id)  # its languages as they are
    names = _names_offered(organisation, names_in_languages or {})
    if not name:
        # A second cycle of the month would share the name everywhere cycles are listed.
        taken = Cycle.objects.filter(
            organisation_id=unit.organisation_id,
            name=_made_name(kind=kind, unit=unit, opens_on=opens_on, language=None, day=False),
        ).exists()
        name = _made_name(kind=kind, unit=unit, opens_on=opens_on, language=None, day=taken)
        for language in organisation.offered_languages[1:]:
            names.setdefault(
                language,
                _made_name(kind=kind, unit=unit, opens_on=opens_on, language=language, day=taken),
            )

    cycle = Cycle.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        instrument=instrument,
        kind=kind,
        name=name[:120],
        names_in_languages=names,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=created_by,
        opens_automatically=opens_automatically,
    )
    statements = list(instrument.statements.select_related("domain"))
    if kind == Cycle.Kind.PULSE:
        if not PULSE_MIN <= pulse_size <= PULSE_MAX:
            raise ValidationError(
                gettext("A pulse has %(min)s to %(max)s statements.")
                % {"min": PULSE_MIN, "max": PULSE_MAX}
            )
        # A pulse's size counts the conditions' statements; it also asks every outcome
        # statement (§12), after them, so outcomes can be followed between full diagnostics.
        outcomes = sorted(
            (s for s in statements if s.domain.is_outcome),
            key=lambda s: (s.domain.position, s.position, s.code),
        )
        chosen = choose_pulse_statements(
            [
                Candidate(s.code, s.domain.position, s.position)
                for s in statements
                if not s.domain.is_outcome
            ],
            history=pulse_history(unit, before=cycle),
            size=pulse_size,
        )
        by_code = {s.code: s for s in statements}
        ordered = [by_code[code] for code in chosen] + outcomes
    else:
        ordered = sorted(statements, key=lambda s: (s.domain.position, s.position, s.code))
    CycleStatement.objects.bulk_create(
        CycleStatement(cycle=cycle, statement=s, position=i) for i, s in enumerate(ordered, 1)
    )
    CycleTeam.objects.bulk_create(CycleTeam(cycle=cycle, team=team) for team in teams)
    return cycle


def _made_name(*, kind: str, unit: Unit, opens_on: date, language: str | None, day: bool) -> str:
    """A cycle's name from its kind, unit and month (and day, with `day`), in `language`
    (None: English, as stored names are)."""
    with translation.override(language):
        when = date_format(opens_on, "j F Y" if day else "F Y")
        return f"{Cycle.Kind(kind).label} {unit.name} {when}"[:120]


def _names_offered(organisation: Organisation, names: Mapping[str, str]) -> dict[str, str]:
    """The names given in languages the organisation's surveys offer besides English, trimmed;
    an empty one is left out, so staff reading in that language see the English name."""
    offered = organisation.offered_languages[1:]
    return {
        language: name.strip()[:120]
        for language, name in names.items()
        if language in offered and name.strip()
    }


def check_pulse_period_open(organisation: Organisation, opens_on: date, *, today: date) -> None:
    """A pulse may not open in a pooling period that has ended: that pool has been shown, and
    adding to it would let anyone subtract the old figures from the new (§5)."""
    start, end = pulse_period_of(organisation, opens_on)
    if end < today:
        current, _ = pulse_period_of(organisation, today)
        raise ValidationError(
            gettext(
                "A pulse opening on %(opens)s would join pulses pooled from %(start)s to "
                "%(end)s, which are already shown. Choose an opening date from %(current)s on."
            )
            % {
                "opens": dateformat.format(opens_on, "j F Y"),
                "start": dateformat.format(start, "j F"),
                "end": dateformat.format(end, "j F Y"),
                "current": dateformat.format(current, "j F Y"),
            }
        )


# What decides whether a cycle takes answers, codes or changes (`availability`), as the row
# locks below read it from the database.
_CYCLE_STATE = ("status", "opens_automatically", "opens_on", "closes_on")


def _stored_status(cycle: Cycle) -> str | None:
    """The cycle's status as stored (None if it is gone), its row locked until the transaction
    ends, and the copy's status, schedule and dates brought up to date from it, so that a
    change decided from a copy read earlier (another request's page, a stalled request) cannot
    undo or skip another's: reopen a closed cycle, delete an open one's invites, or give a
    scheduled draft an opening date that has come."""
    locked = Cycle.objects.select_for_update(no_key=True).filter(pk=cycle.pk)
    stored = locked.values_list(*_CYCLE_STATE).first()
    if stored is None:
        return None
    for name, value in zip(_CYCLE_STATE, stored, strict=True):
        setattr(cycle, name, value)
    return cycle.status


@transaction.atomic
def open_cycle(*, cycle: Cycle, today: date | None = None, automatically: bool = False) -> Cycle:
    """Open a draft: by hand (`automatically` False), or by the clock on its opening date
    (`open_and_close_cycles`). Either way every check below runs."""
    if _stored_status(cycle) != Cycle.Status.DRAFT:
        raise ValidationError(gettext("Only a draft cycle can be opened."))
    today = today or timezone.localdate()
    if cycle.closes_on < today:
        raise ValidationError(gettext("The closing date has passed; change it before opening."))
    if cycle.kind == Cycle.Kind.PULSE:
        check_pulse_period_open(cycle.organisation, cycle.opens_on, today=today)
    cycle.status = Cycle.Status.OPEN
    cycle.opened_at = timezone.now()
    cycle.opens_automatically = automatically
    cycle.schedule_refused = ""
    cycle.save(update_fields=["status", "opened_at", "opens_automatically", "schedule_refused"])
    store_bounding_headcounts(cycle=cycle)
    return cycle


@transaction.atomic
def close_cycle(
    *, cycle: Cycle, automatically: bool = False, closed_at: datetime | None = None
) -> Cycle:
    """Close a cycle now (early, or after its closing date; `automatically` when the clock does
    it after its last day). A closed cycle never reopens. Addresses kept for reminders go.
    `closed_at`, for organisations built after the fact (demo, benchmark): when it closed."""
    # Locked first, so that closing waits for every submission holding the cycle open
    # (`hold_cycle_open`) and its time is taken after the last of them has committed.
    if _stored_status(cycle) != Cycle.Status.OPEN:
        raise ValidationError(gettext("Only an open cycle can be closed."))
    cycle.status = Cycle.Status.CLOSED
    cycle.closed_at = closed_at or timezone.now()
    cycle.closed_automatically = automatically
    cycle.save(update_fields=["status", "closed_at", "closed_automatically"])
    SurveyDraft.objects.filter(cycle=cycle).delete()  # answers nobody can submit any more
    ReminderAddress.objects.filter(cycle=cycle).delete()  # kept only until the cycle closes
    return cycle


# A team's part in a cycle: what a cycle's figures, bounds and pages are read from. Once the
# cycle has opened it stays with the unit left where the team was when the team moves
# (`move_unit`), and so do the codes given out for it (answers made with them are stored
# there). What a team does next (actions, issues, its roles) goes with the team.
KEPT_WITH_AN_OPENED_CYCLE: tuple[type[Model], ...] = (
    CycleTeam,
    Invite,
    InviteBatch,
    ReminderAddress,
    Response,
    DomainScore,
    Comment,
    StructuralFigures,
    TeamTally,
    DomainTally,
    StatementTally,
)


@dataclass(frozen=True)
class UnitMoved:
    unit: Unit
    # How many cycles that had opened it had a part in, left where it was.
    cycles_left: int


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit, moved_by: User | None = None) -> UnitMoved:
    """Move a unit, with everything below it, under another unit of its organisation.

    Its part in every cycle that has opened stays where it was: with a unit of the same name
    and kind left, archived, at its old place in the tree (with the units between,
    `organisations.services.move_unit_leaving`). A cycle is read on the tree it opened with, so
    no figure of it, open or closed, changes with a move, and no move can be read as the
    difference between two of them (docs/anonymity.md). A draft's part (its teams were fixed
    when it was made) moves with the unit, so it too is read on the tree it opens with. The
    roles held at a moved unit read the places it left (`organisations.access.Reach`)."""
    claim_units_version()  # before any other lock (see there)
    was = unit_scope(unit)
    subtree = Unit.objects.within(unit)
    involved = set(
        CycleTeam.objects.filter(team__in=subtree).values_list("cycle_id", flat=True)
    ) | set(Cycle.objects.filter(unit__in=subtree).values_list("pk", flat=True))
    # Locked as closing locks them: the move waits for every answer being stored, and answers
    # stored after it read the codes' new place (`hold_cycle_open`).
    opened = [
        cycle.pk
        for cycle in Cycle.objects.select_for_update().filter(pk__in=involved).order_by("pk")
        if cycle.status != Cycle.Status.DRAFT
    ]
    teams_left = {
        team_id
        for model in KEPT_WITH_AN_OPENED_CYCLE
        for team_id in model._default_manager.filter(cycle_id__in=opened, team__in=subtree)
        .values_list("team_id", flat=True)
        .distinct()
    }
    runners_left = set(
        Cycle.objects.filter(pk__in=opened, unit__in=subtree).values_list("unit_id", flat=True)
    )
    moved, places = move_unit_leaving(
        unit=unit, new_parent=new_parent, leave=teams_left | runners_left
    )
    now = unit_scope(moved)
    record(
        organisation=moved.organisation_id,
        user=moved_by,
        action=AuditEvent.Action.UNIT_MOVED,
        scope=now,
        detail=f"moved from {was}"
        + (f"; its part in cycles that had opened ({len(opened)}) stays there" if opened else ""),
        old={"unit": was},
        new={"unit": now},
    )
    if not places:
        return UnitMoved(moved, 0)
    for model in KEPT_WITH_AN_OPENED_CYCLE:
        model._default_manager.filter(cycle_id__in=opened, team_id__in=teams_left).update(
            team_id=_left_in_place(teams_left, places)
        )
    Cycle.objects.filter(pk__in=opened, unit_id__in=runners_left).update(
        unit_id=_left_in_place(runners_left, places, column="unit_id")
    )
    drop_emptied_former_places(unit=moved)
    return UnitMoved(moved, len(opened))


def _left_in_place(
    unit_ids: Iterable[int], places: Mapping[int, Unit], *, column: str = "team_id"
) -> Case:
    """Each of these units' id replaced by that of the unit left in its place."""
    return Case(
        *(When(**{column: unit_id}, then=Value(places[unit_id].pk)) for unit_id in unit_ids),
        output_field=IntegerField(),
    )


@transaction.atomic
def schedule_cycle(*, cycle: Cycle, automatically: bool, today: date | None = None) -> Cycle:
    """Have the clock open a draft on its opening date (shown as Scheduled), or stop it. The
    checks of `open_cycle` run on that date; a cycle that cannot open then stays a draft."""
    if _stored_status(cycle) != Cycle.Status.DRAFT:
        raise ValidationError(gettext("Only a draft cycle can be scheduled to open."))
    today = today or timezone.localdate()
    if automatically and cycle.opens_on <= today:
        raise ValidationError(
            gettext(
                "The opening date, %(opens)s, is not after today: open the cycle now, or change "
                "its dates and schedule it again."
            )
            % {"opens": dateformat.format(cycle.opens_on, "j F Y")}
        )
    cycle.opens_automatically = automatically
    cycle.schedule_refused = ""
    cycle.save(update_fields=["opens_automatically", "schedule_refused"])
    return cycle


@transaction.atomic
def update_draft_cycle(
    *,
    cycle: Cycle,
    name: str,
    opens_on: date,
    closes_on: date,
    today: date | None = None,
    names_in_languages: Mapping[str, str] | None = None,
) -> Cycle:
    """Change a draft's name, dates and names in other languages (when given: a language left
    empty loses its name)."""
    if _stored_status(cycle) != Cycle.Status.DRAFT:
        raise ValidationError(gettext("Only a draft cycle can be changed."))
    if closes_on < opens_on:
        raise ValidationError(gettext("The closing date must be on or after the opening date."))
    if cycle.opens_automatically and opens_on <= (today or timezone.localdate()):
        raise ValidationError(
            gettext(
                "This cycle is scheduled to open by itself, so its opening date must be after "
                "today. Choose a later date, or stop the schedule and open it now."
            )
        )
    cycle.name = name.strip() or cycle.name
    if names_in_languages is not None:
        cycle.names_in_languages = _names_offered(cycle.organisation, names_in_languages)
    cycle.opens_on = opens_on
    cycle.closes_on = closes_on
    cycle.save(update_fields=["name", "names_in_languages", "opens_on", "closes_on"])
    return cycle


@transaction.atomic
def delete_draft_cycle(*, cycle: Cycle) -> None:
    if _stored_status(cycle) != Cycle.Status.DRAFT:
        raise ValidationError(
            gettext("Only a draft cycle can be deleted; close an open one instead.")
        )
    Invite.objects.filter(cycle=cycle).delete()
    ReminderAddress.objects.filter(cycle=cycle).delete()
    cycle.delete()


# --- invites -------------------------------------------------------------------------------


def invite_url(code: str) -> str:
    return settings.SITE_URL + reverse("survey:link", kwargs={"code": invite_codes.display(code)})


def _check_can_invite(cycle: Cycle, team: Unit, today: date) -> None:
    # Read again and held: closing waits, so no code, and no address kept for its reminder, is
    # added once it has closed (closing deletes the addresses); and a move (`move_unit`) has
    # either left the team's part in the cycle elsewhere already or waits for these codes.
    stored = _cycle_held(cycle.pk)
    if not CycleTeam.objects.filter(cycle=cycle, team=team).exists():
        raise ValidationError(
            gettext("“%(team)s” is not taking part in this cycle.") % {"team": team.name}
        )
    if stored is None or availability(stored, today=today) == Availability.CLOSED:
        raise ValidationError(gettext("This cycle has closed, so it takes no more codes."))


@transaction.atomic
def issue_invites(
    *,
    cycle: Cycle,
    team: Unit,
    count: int,
    today: date | None = None,
    made_by: User | None = None,
    by_email: bool = False,
) -> list[str]:
    """Make `count` new one-time codes. Returns the codes: this is the only time they exist.

    Each batch is in the organisation's audit log with who made it and how many the team now
    has: someone who can read a team's results and answer codes they made could push a small
    team past the threshold with answers they know (docs/anonymity.md, "Codes answered by
    whoever made them")."""
    if not 1 <= count <= MAX_CODES_PER_REQUEST:
        raise ValidationError(
            gettext("Ask for between 1 and %(max)s codes at a time.")
            % {"max": MAX_CODES_PER_REQUEST}
        )
    _check_can_invite(cycle, team, today or timezone.localdate())
    while True:
        codes = [invite_codes.new_code() for _ in range(count)]
        try:
            with transaction.atomic():
                Invite.objects.bulk_create(
                    Invite(cycle=cycle, team=team, code_hash=invite_codes.hash_code(code))
                    for code in codes
                )
        except IntegrityError:  # pragma: no cover - a 1 in 2**59 collision: draw again
            continue
        # Codes made bound the responses, which the disclosure engine reads beside them.
        add_codes_made(cycle_id=cycle.pk, team_id=team.pk, count=count)
        _record_codes_made(cycle=cycle, team=team, count=count, user=made_by, by_email=by_email)
        return codes


def _record_codes_made(
    *, cycle: Cycle, team: Unit, count: int, user: User | None, by_email: bool
) -> None:
    in_all = codes_made(cycle, teams=[team]).get(team.pk, 0)
    how = "e-mailed" if by_email else "to hand out"
    record(
        organisation=cycle.organisation_id,
        user=user,
        action=AuditEvent.Action.CODES_MADE,
        scope=unit_scope(team),
        detail=f"{count} code{'s' if count != 1 else ''} {how} for {cycle.name} "
        f"({in_all} made for the team in this cycle)",
        new={
            "cycle": cycle.pk,
            "team": team.pk,
            "codes": count,
            "in_all": in_all,
            "by_email": by_email,
        },
    )


def parse_email_list(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or new lines; each checked."""
    from django.core.validators import validate_email

    addresses = [part.strip() for part in re.split(r"[\s,;]+", text) if part.strip()]
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            gettext("These are not e-mail addresses: %(addresses)s")
            % {"addresses": ", ".join(bad[:10])}
        )
    unique = list(dict.fromkeys(a.lower() for a in addresses))
    if len(unique) > MAX_CODES_PER_REQUEST:
        raise ValidationError(
            gettext("Send at most %(max)s invitations at a time.") % {"max": MAX_CODES_PER_REQUEST}
        )
    return unique


INVITE_CHUNK_SIZE = 50
"""Messages one job sends over one SMTP connection; a batch of 500 is ten jobs."""


def in_survey_languages(
    organisation: Organisation, write: Callable[[], tuple[str, str]]
) -> tuple[str, str]:
    """A subject and body for staff, who have no account and so no chosen language: `write`d
    in every language the organisation's surveys offer, as one message, Welsh (or any other
    language) first and English last, as bilingual correspondence from Welsh public bodies
    usually is, so that nobody gets an e-mail they cannot read."""
    languages = organisation.offered_languages
    subjects = []
    bodies = []
    for language in [*languages[1:], languages[0]]:
        with translation.override(language):
            subject, body = write()
        subjects.append(subject)
        bodies.append(body)
    # A cycle's name may hold a line break, which no header may.
    return header_line(" / ".join(dict.fromkeys(subjects))), "\n----\n\n".join(bodies)


def invite_email(*, cycle: Cycle, team: Unit, code: str) -> tuple[str, str]:
    """The subject and body of the e-mail that carries one code, in every language the
    organisation's surveys offer (`in_survey_languages`). The survey itself opens in the
    language the browser asks for, with the chooser on every page."""

    def write() -> tuple[str, str]:
        values = {
            "cycle": cycle.shown_name,
            "team": team.name,
            "link": invite_url(code),
            "enter": f"{settings.SITE_URL}{reverse('survey:enter_code')}",
            "code": code,
            "closes": date_format(cycle.closes_on, "j F Y"),
        }
        subject = gettext("Your invitation: %(cycle)s") % values
        body = (
            gettext(
                "You are invited to answer an anonymous survey about the working conditions "
                "of %(team)s: %(cycle)s.\n\n"
                "Answer here (the link works once):\n%(link)s\n\n"
                "Or go to %(enter)s and type the code %(code)s.\n\n"
                "It closes on %(closes)s. Your answers cannot be traced back to you or to "
                "this e-mail: the code is not linked to what you answer.\n"
            )
            % values
        )
        return subject, body

    return in_survey_languages(cycle.organisation, write)


@dataclass(frozen=True)
class QueuedInvites:
    """A batch just recorded, and the (address, code) pairs its job is to send. The pairs exist
    only in memory and in the job's message: the database holds the batch's counts alone."""

    batch: InviteBatch
    messages: list[tuple[str, str]]


@transaction.atomic
def queue_email_invites(
    *,
    cycle: Cycle,
    team: Unit,
    addresses: Sequence[str],
    today: date | None = None,
    made_by: User | None = None,
) -> QueuedInvites:
    """Make one code per address and record a batch of that many e-mails, all queued."""
    if not addresses:
        raise ValidationError(gettext("Give at least one e-mail address."))
    codes = issue_invites(
        cycle=cycle, team=team, count=len(addresses), today=today, made_by=made_by, by_email=True
    )
    batch = InviteBatch.objects.create(cycle=cycle, team=team, total=len(addresses))
    if _sends_reminders(cycle.organisation_id):
        keep_reminder_addresses(cycle=cycle, team=team, addresses=addresses)
    return QueuedInvites(batch=batch, messages=list(zip(addresses, codes, strict=True)))


def _sends_reminders(organisation_id: int) -> bool:
    """Whether the organisation sends reminders now, read under the lock on its row that its
    settings take (FOR NO KEY UPDATE): turning reminders off (organisations.services.
    update_settings, which deletes the kept addresses) either waits for this transaction or is
    seen by it, so no address is kept after they are off."""
    if not can_keep_addresses():
        return False
    setting = (
        Organisation.objects.select_for_update(no_key=True)
        .filter(pk=organisation_id)
        .values_list("cycle_reminders", flat=True)
        .first()
    )
    return bool(setting)


def invite_delivery_key(*, batch_id: int, address: str) -> str:
    """How a batch records that an address was dealt with: a keyed hash, never the address."""
    message = f"invite-delivery:{batch_id}:{address.lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def send_invite_messages(
    *, batch_id: int, messages: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Send each message of a batch not yet dealt with, over one SMTP connection. Returns the
    messages the mail server did not take, for the job to try again later.

    Each message is sent inside its own transaction, which first claims the address's delivery
    key: a second run of the same job (a retry, a redelivery after a worker stopped) finds the
    key taken and skips it, and a send that fails rolls the claim back. The batch's count is
    raised after the send, so chunks of one batch hold its row for a moment only, not while
    the mail server answers. A message is sent twice only when its claim is rolled back after
    the mail server took it: the database failing between the send and the commit, the worker
    killed in that moment (the job is delivered again), or the server taking a message while
    the connection to it fails."""
    batch = (
        InviteBatch.objects.select_related("cycle__organisation", "team")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:  # the cycle was deleted since: nothing left to send for
        return []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        logger.warning("Invite batch %s: the mail server did not answer", batch_id)
        return list(messages)
    undelivered: list[tuple[str, str]] = []
    try:
        for address, code in messages:
            if not _send_one_invite(batch, address=address, code=code, connection=connection):
                undelivered.append((address, code))
    finally:
        connection.close()
    return undelivered


def _takes_no_more_answers(cycle: Cycle) -> bool:
    """Closed, or open past its closing day until the clock closes it: no code can be spent any
    more, so what bounds its responses stays as it is (`results.Summed.codes_held`)."""
    return availability(cycle, today=timezone.localdate()) == Availability.CLOSED


def _send_one_invite(
    batch: InviteBatch, *, address: str, code: str, connection: BaseEmailBackend
) -> bool:
    subject, body = invite_email(cycle=batch.cycle, team=batch.team, code=code)
    key = invite_delivery_key(batch_id=batch.pk, address=address)
    try:
        with transaction.atomic():
            held = _cycle_held(batch.cycle_id)
            if held is None or _takes_no_more_answers(held):
                return True  # it stays waiting, never sent (`results.Summed.codes_held`)
            _, claimed = InviteDelivery.objects.get_or_create(
                batch=batch, key=key, defaults={"delivered": True}
            )
            if claimed:
                EmailMessage(subject, body, None, [address], connection=connection).send()
                InviteBatch.objects.filter(pk=batch.pk).update(sent=F("sent") + 1)
    except (smtplib.SMTPException, OSError):
        logger.warning("Invite batch %s: one message was not taken; it will be retried", batch.pk)
        return False
    return True


@transaction.atomic
def record_undelivered_invites(*, batch_id: int, messages: Iterable[tuple[str, str]]) -> int:
    """Give up on messages (address, code) the retries could not send: each counts once as
    failed, and its code, which nobody was shown, is voided, so that the team's codes made
    (which bound its responses, `results.Summed`) count only codes someone may hold. A code
    is voided even if it was used (a message the mail server refused can still have arrived):
    keeping used ones would let whoever sent the e-mail read from the codes made whether that
    address answered. Codes made may then fall below the responses, and bound nothing.

    Once the cycle has closed, nothing changes (`results.Summed.codes_held`): the messages are
    only marked dealt with, so that no retry sends them."""
    batch = InviteBatch.objects.filter(pk=batch_id).first()
    held = None if batch is None else _cycle_held(batch.cycle_id)
    if batch is None or held is None:  # the cycle was deleted since
        return 0
    # Read again once the cycle is held: a move may have left the batch's team elsewhere.
    batch = InviteBatch.objects.get(pk=batch_id)
    frozen = _takes_no_more_answers(held)
    newly_failed = voided = 0
    for address, code in messages:
        key = invite_delivery_key(batch_id=batch_id, address=address)
        _, created = InviteDelivery.objects.get_or_create(
            batch_id=batch_id, key=key, defaults={"delivered": False}
        )
        if not created or frozen:
            continue
        newly_failed += 1
        invite = Invite.objects.filter(
            code_hash=invite_codes.hash_code(code), cycle_id=batch.cycle_id, team_id=batch.team_id
        ).first()
        if invite is not None:
            invite.delete()
            voided += 1
    if newly_failed:
        InviteBatch.objects.filter(pk=batch_id).update(failed=F("failed") + newly_failed)
    if voided:
        TeamTally.objects.filter(cycle_id=batch.cycle_id, team_id=batch.team_id).update(
            codes_made=F("codes_made") - voided
        )
    return newly_failed


# --- the clock: cycles opening and closing on their dates ----------------------------------


@dataclass(frozen=True)
class ClockRun:
    """What one run of the clock did, by cycle id (for the job's log: no names, no figures)."""

    opened: list[int]
    refused: list[int]
    closed: list[int]
    notices: int
    drafts_deleted: int


def cycle_url(cycle: Cycle) -> str:
    return settings.SITE_URL + reverse("diagnostics:cycle_detail", args=[cycle.pk])


def open_and_close_cycles(*, today: date) -> ClockRun:
    """The clock's daily run (just after midnight, Europe/London): close every open cycle whose
    closing day has ended, open every scheduled draft whose opening day has come, and tell the
    people who run each one; then delete the survey drafts nobody can submit any more. Idempotent:
    each change is made under a lock on the cycle after checking it is still due, and each notice
    goes through `send_notice_once`; notices the mail server refused are sent by the next run (a
    day's changes are told for two days)."""
    closed = [pk for pk in _due_to_close(today) if _close_if_due(pk, today=today)]
    opened: list[int] = []
    refused: list[int] = []
    for pk in _due_to_open(today):
        outcome = _open_if_due(pk, today=today)
        if outcome is True:
            opened.append(pk)
        elif outcome is False:
            refused.append(pk)
    return ClockRun(
        opened=opened,
        refused=refused,
        closed=closed,
        notices=_tell_runners(today),
        drafts_deleted=delete_stale_drafts(today=today),
    )


def delete_stale_drafts(*, today: date) -> int:
    """Delete the survey drafts nobody can submit any more: those of a closed cycle, or of one
    whose closing day has passed. Closing a cycle deletes its drafts, but a draft can still be
    left: one saved by a request that read the cycle open just before it closed, one of a cycle
    whose date passed while the clock was not running, and one a migration kept from before
    spent codes. Surveys do not sweep them as they save (that cost every response a statement):
    the clock does, nightly. Returns how many went."""
    stale = SurveyDraft.objects.filter(
        Q(cycle__status=Cycle.Status.CLOSED) | Q(cycle__closes_on__lt=today)
    )
    deleted, _ = stale.delete()
    return deleted


def _due_to_close(today: date) -> list[int]:
    due = Cycle.objects.filter(status=Cycle.Status.OPEN, closes_on__lt=today)
    return list(due.order_by("pk").values_list("pk", flat=True))


def _due_to_open(today: date) -> list[int]:
    due = Cycle.objects.filter(
        status=Cycle.Status.DRAFT, opens_automatically=True, opens_on__lte=today
    )
    return list(due.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def _close_if_due(pk: int, *, today: date) -> bool:
    cycle = Cycle.objects.select_for_update(no_key=True).filter(pk=pk).first()
    if cycle is None or cycle.status != Cycle.Status.OPEN or cycle.closes_on >= today:
        return False  # closed, changed or deleted since it was listed
    close_cycle(cycle=cycle, automatically=True)
    logger.info("The clock closed cycle %s", pk)
    return True


@transaction.atomic
def _open_if_due(pk: int, *, today: date) -> bool | None:
    """True: opened; False: it could not open, so it stays a draft and says why; None: nothing
    to do (opened, unscheduled or deleted since it was listed)."""
    cycle = Cycle.objects.select_for_update(no_key=True).filter(pk=pk).first()
    if (
        cycle is None
        or cycle.status != Cycle.Status.DRAFT
        or not cycle.opens_automatically
        or cycle.opens_on > today
    ):
        return None
    try:
        with transaction.atomic():
            open_cycle(cycle=cycle, today=today, automatically=True)
    except ValidationError as exc:
        cycle.refresh_from_db()
        cycle.opens_automatically = False
        cycle.schedule_refused = " ".join(exc.messages)[:300]
        cycle.save(update_fields=["opens_automatically", "schedule_refused"])
        logger.info("The clock could not open cycle %s; it stays a draft", pk)
        return False
    logger.info("The clock opened cycle %s", pk)
    return True


def _tell_runners(today: date) -> int:
    """Send the notices of the clock's recent changes not yet sent; the number sent now."""
    since = today - timedelta(days=1)
    sent = 0
    opened = Cycle.objects.filter(opens_automatically=True, opened_at__date__gte=since).exclude(
        status=Cycle.Status.DRAFT
    )
    for cycle in opened.select_related("unit", "created_by"):
        sent += _notify(cycle, kind="cycle-opened", about=f"cycle:{cycle.pk}", today=today)
    closed = Cycle.objects.filter(
        status=Cycle.Status.CLOSED, closed_automatically=True, closed_at__date__gte=since
    )
    for cycle in closed.select_related("unit", "created_by"):
        sent += _notify(cycle, kind="cycle-closed", about=f"cycle:{cycle.pk}", today=today)
    refused = Cycle.objects.filter(status=Cycle.Status.DRAFT).exclude(schedule_refused="")
    for cycle in refused.select_related("unit", "created_by"):
        about = f"cycle:{cycle.pk}:{cycle.opens_on:%Y-%m-%d}"
        sent += _notify(cycle, kind="cycle-not-opened", about=about, today=today)
    return sent


def _notify(cycle: Cycle, *, kind: str, about: str, today: date) -> int:
    """Each recipient's notice, in the language they chose."""
    if kind == "cycle-not-opened" and cycle.created_by and cycle.created_by.is_active:
        recipients = [cycle.created_by]  # who scheduled it; the rest see a draft
    else:
        recipients = cycle_runners(cycle)
    sent = 0
    for person in recipients:
        with in_language_of(person):
            subject, body = clock_notice(cycle, kind=kind)
        sent += send_notice_once(
            kind=kind, about=about, to=person.email, subject=subject, body=body, today=today
        )
    return sent


def clock_notice(cycle: Cycle, *, kind: str) -> tuple[str, str]:
    """The subject and body of a notice about the clock opening, closing or failing to open a
    cycle. A link to the cycle's page and its dates; no figure of any kind."""
    values = {
        "cycle": cycle.name,
        "unit": cycle.unit.name,
        "opens": dateformat.format(cycle.opens_on, "j F Y"),
        "closes": dateformat.format(cycle.closes_on, "j F Y"),
        "url": cycle_url(cycle),
        "refused": cycle.schedule_refused,
        "why": gettext(
            "You get this because you run this cycle: you set it up, run the part of the "
            "organisation it covers, or manage one of its teams."
        ),
    }
    if kind == "cycle-opened":
        subject = gettext("Opened: %(cycle)s") % values
        body = (
            gettext(
                "“%(cycle)s” for %(unit)s opened on %(opens)s, as scheduled. It takes answers "
                "until the end of %(closes)s.\n\n"
                "Codes work from now. Make codes or e-mail them to your teams from the cycle's "
                "page:\n%(url)s\n\n%(why)s\n"
            )
            % values
        )
    elif kind == "cycle-closed":
        subject = gettext("Closed: %(cycle)s") % values
        body = (
            gettext(
                "“%(cycle)s” for %(unit)s closed at the end of its last day, %(closes)s. "
                "Unused codes no longer work and no more answers are taken; any addresses kept "
                "for reminders have been deleted.\n\n"
                "Read the results, where there are enough answers to show them, from the "
                "cycle's page:\n%(url)s\n\n%(why)s\n"
            )
            % values
        )
    elif kind == "cycle-not-opened":
        subject = gettext("Not opened: %(cycle)s") % values
        body = (
            gettext(
                "“%(cycle)s” for %(unit)s was scheduled to open on %(opens)s, but could not: "
                "%(refused)s\n\n"
                "It is still a draft and nobody has been able to answer it. Change its dates "
                "and schedule it again, or open it by hand, on its page:\n%(url)s\n"
            )
            % values
        )
    else:
        raise ValueError(f"No clock notice called {kind}.")
    return subject, body


# --- reminders before a cycle closes -------------------------------------------------------


def keep_reminder_addresses(*, cycle: Cycle, team: Unit, addresses: Sequence[str]) -> int:
    """Keep the addresses invited to a cycle for its reminder, sealed (`addresses.seal`), tied to
    the cycle and team only, in random order under random ids, each address once per cycle and
    team. Only while the organisation sends reminders (`queue_email_invites` checks). Runs in the
    caller's transaction. Returns how many were new."""
    kept = set()
    for row in ReminderAddress.objects.filter(cycle=cycle, team=team):
        try:
            kept.add(unseal(row.sealed, cycle_id=cycle.pk, team_id=team.pk))
        except UnreadableAddress:
            continue
    new = list({a.strip().lower() for a in addresses} - kept)
    secrets.SystemRandom().shuffle(new)
    ReminderAddress.objects.bulk_create(
        ReminderAddress(
            organisation_id=cycle.organisation_id,
            cycle=cycle,
            team=team,
            sealed=seal(address, cycle_id=cycle.pk, team_id=team.pk),
        )
        for address in new
    )
    return len(new)


def reminder_email(*, cycle: Cycle, team: Unit) -> tuple[str, str]:
    """The reminder: it cannot know who has answered, so it thanks those who have, and carries
    no code (the invitation e-mail has it). No figure of any kind. Like the invitation, in
    every language the organisation's surveys offer (`in_survey_languages`)."""

    def write() -> tuple[str, str]:
        values = {
            "cycle": cycle.shown_name,
            "team": team.name,
            "closes": date_format(cycle.closes_on, "j F Y"),
            "protection": f"{settings.SITE_URL}{reverse('protection')}",
        }
        subject = gettext("Reminder: %(cycle)s closes on %(closes)s") % values
        body = (
            gettext(
                "The anonymous survey about the working conditions of %(team)s, %(cycle)s, "
                "closes at the end of %(closes)s.\n\n"
                "If you have already answered, thank you: there is nothing more to do. This "
                "reminder goes to everyone who was invited by e-mail, because nobody can tell "
                "who has answered.\n\n"
                "If you have not, use the link or code in your invitation e-mail (its subject "
                "is “Your invitation: %(cycle)s”). Each code works once.\n\n"
                "Your address was kept only to send this reminder. It is deleted when the "
                "survey closes. How answers are protected: %(protection)s\n"
            )
            % values
        )
        return subject, body

    return in_survey_languages(cycle.organisation, write)


def send_cycle_reminders(*, today: date) -> int:
    """The daily reminder run: each kept address of an open cycle gets one reminder (kind
    "cycle-reminder", about the cycle) once the cycle is its organisation's number of days from
    closing or fewer, so a missed day is caught up, and never after its last day. Returns how
    many were sent now; running it again sends nothing twice (`send_notice_once`)."""
    cycles = Cycle.objects.filter(
        status=Cycle.Status.OPEN,
        opens_on__lte=today,
        closes_on__gte=today,
        organisation__cycle_reminders=True,
    ).select_related("organisation")
    due = [c for c in cycles if (c.closes_on - today).days <= c.organisation.reminder_days]
    sent = unreadable = 0
    for cycle in due:
        rows = ReminderAddress.objects.filter(cycle=cycle).select_related("team")
        for row in rows:
            try:
                address = unseal(row.sealed, cycle_id=cycle.pk, team_id=row.team_id)
            except AddressesUnavailable:
                logger.warning("Reminders are on but REMINDER_ADDRESS_KEY is not set")
                return sent
            except UnreadableAddress:
                unreadable += 1
                continue
            subject, body = reminder_email(cycle=cycle, team=row.team)
            sent += send_notice_once(
                kind="cycle-reminder",
                about=f"cycle:{cycle.pk}",
                to=address,
                subject=subject,
                body=body,
                today=today,
            )
    if unreadable:
        logger.warning("%s kept addresses did not open with REMINDER_ADDRESS_KEY", unreadable)
    return sent


# --- the survey ----------------------------------------------------------------------------


# The fields of a draft a survey page reads.
DRAFT_FIELDS = ("answers", "about", "comment")
# The survey's lookups are compiled once (sword/precompiled.py).
_INVITE_BY_HASH: PrecompiledLookup[Invite] = PrecompiledLookup(
    lambda code_hash: Invite.objects.select_related("cycle__organisation", "team").filter(
        code_hash=code_hash
    ),
    example="code-hash",
)
_DRAFT_FOR_UPDATE: PrecompiledLookup[SurveyDraft] = PrecompiledLookup(
    lambda key: SurveyDraft.objects.select_for_update().filter(key=key), example="draft-key"
)
_SPENT_BY_KEY: PrecompiledLookup[SpentCode] = PrecompiledLookup(
    lambda key: SpentCode.objects.filter(key=key), example="spent-key"
)


# The link's one query: the invite, whether its code was spent (under either key `is_spent`
# reads) and whether a draft saved before drafts moved off the invites waits under the key the
# migration gave it (`draft_key_for`).
_CODE_STATE: PrecompiledLookup[Invite] = PrecompiledLookup(
    lambda code_hash, spent_key, legacy_spent_key, legacy_draft_key: (
        Invite.objects.select_related("cycle__organisation", "team")
        .filter(code_hash=code_hash)
        .annotate(
            code_spent=Exists(SpentCode.objects.filter(key__in=[spent_key, legacy_spent_key])),
            legacy_draft=Exists(SurveyDraft.objects.filter(key=legacy_draft_key)),
        )
    ),
    examples=("code-hash", "spent-key", "legacy-spent-key", "legacy-draft-key"),
)
# A survey page's one query: the invite, whether its code has been spent since the session
# began, and the session's draft for the invite's cycle. The spent code and the draft are read
# by their own keys (the keyed hash of the code the browser holds, and its draft key); nothing
# stored joins either to the invite.
_SURVEY_STATE: PrecompiledLookup[Invite] = PrecompiledLookup(
    lambda code_hash, spent_key, draft_key: (
        Invite.objects.select_related("cycle__organisation", "team")
        .filter(code_hash=code_hash)
        .annotate(
            code_spent=Exists(SpentCode.objects.filter(key=spent_key)),
            **{
                f"draft_{name}": Subquery(
                    SurveyDraft.objects.filter(key=draft_key, cycle=OuterRef("cycle_id")).values(
                        name
                    )
                )
                for name in DRAFT_FIELDS
            },
        )
    ),
    examples=("code-hash", "spent-key", "draft-key"),
)


@dataclass(frozen=True)
class CodeState:
    """What the link needs to know about a code, from one query (`find_code_state`)."""

    invite: Invite
    spent: bool
    legacy_draft_key: str | None


@dataclass(frozen=True)
class SurveyState:
    """What a survey page works with, from one query (`find_survey_state`)."""

    invite: Invite
    draft: SurveyDraft


def find_code_state(code: str) -> CodeState:
    """`find_invite`, `is_spent` and the draft `draft_key_for` looks for, in one query;
    UnknownCode if there is no invite."""
    if not invite_codes.looks_valid(code):
        raise UnknownCode()
    code_hash = invite_codes.hash_code(code)
    legacy_draft_key = invite_codes.legacy_key(code_hash, purpose="draft")
    invite = _CODE_STATE.first(
        code_hash,
        invite_codes.spent_key(code),
        invite_codes.legacy_key(code_hash, purpose="spent"),
        legacy_draft_key,
    )
    if invite is None:
        raise UnknownCode()
    return CodeState(
        invite=invite,
        spent=bool(getattr(invite, "code_spent")),  # noqa: B009  # an annotation
        legacy_draft_key=legacy_draft_key if getattr(invite, "legacy_draft") else None,  # noqa: B009
    )


def check_code_usable(state: CodeState, *, today: date) -> None:
    """`check_usable` for a code whose state `find_code_state` read."""
    if state.spent:
        raise CodeAlreadyUsed()
    check_open(state.invite, today=today)


def find_survey_state(*, code: str, draft_key: str, today: date) -> SurveyState:
    """What every request of a survey session reads, in one query: the invite, refused
    (UnknownCode, CodeAlreadyUsed, or why its cycle takes no answers today) if its code cannot
    be used now, and the session's draft for the invite's cycle, or a new unsaved one."""
    if not invite_codes.looks_valid(code):
        raise UnknownCode()
    invite = _SURVEY_STATE.first(
        invite_codes.hash_code(code), invite_codes.spent_key(code), draft_key
    )
    if invite is None:
        raise UnknownCode()
    if getattr(invite, "code_spent"):  # noqa: B009  # an annotation
        raise CodeAlreadyUsed()
    check_open(invite, today=today)
    values = [getattr(invite, f"draft_{name}") for name in DRAFT_FIELDS]
    if values[0] is None:  # a saved draft always has answers, if only {}
        return SurveyState(
            invite=invite, draft=SurveyDraft(key=draft_key, cycle_id=invite.cycle_id)
        )
    draft = SurveyDraft.from_db(
        DEFAULT_DB_ALIAS,
        ["key", "cycle_id", *DRAFT_FIELDS],
        [draft_key, invite.cycle_id, *values],
    )
    return SurveyState(invite=invite, draft=draft)


def find_invite(code: str) -> Invite:
    """The invite for a code, whatever its state; UnknownCode if there is none."""
    if not invite_codes.looks_valid(code):
        raise UnknownCode()
    invite = _INVITE_BY_HASH.first(invite_codes.hash_code(code))
    if invite is None:
        raise UnknownCode()
    return invite


def is_spent(*, code: str, invite: Invite) -> bool:
    """Whether the code has been used: its keyed hash is in SpentCode (or, for a code used
    before spent codes moved off the invites, the key the migration gave it)."""
    keys = [
        invite_codes.spent_key(code),
        invite_codes.legacy_key(invite.code_hash, purpose="spent"),
    ]
    return SpentCode.objects.filter(key__in=keys).exists()


def spent_since_session_began(*, code: str) -> bool:
    """Whether a survey session's code has been spent since `check_usable` let the session
    begin: one lookup of its keyed hash. (A code spent before spent codes moved off the
    invites, under the migration's key, never begins a session.)"""
    return _SPENT_BY_KEY.first(invite_codes.spent_key(code)) is not None


def check_usable(invite: Invite, *, code: str, today: date) -> None:
    """Raise the right error when the code cannot be used today."""
    if is_spent(code=code, invite=invite):
        raise CodeAlreadyUsed()
    check_open(invite, today=today)


def check_open(invite: Invite, *, today: date) -> None:
    check_cycle_open(invite.cycle, today=today)


def check_cycle_open(cycle: Cycle, *, today: date) -> None:
    """Raise why a cycle takes no answers today (CycleNotOpen, CycleClosed), if it takes none."""
    state = availability(cycle, today=today)
    if state in (Availability.DRAFT, Availability.SCHEDULED, Availability.NOT_YET_OPEN):
        raise CycleNotOpen(
            gettext("This survey opens on %(date)s. Your code will work then.")
            % {"date": date_format(cycle.opens_on, "j F Y")}
        )
    if state == Availability.CLOSED:
        raise CycleClosed(
            gettext(
                "This survey closed on %(date)s, so it takes no more answers. Thank you for "
                "wanting to take part."
            )
            % {"date": date_format(min(cycle.closes_on, today), "j F Y")}
        )


def clean_answers(
    raw: Mapping[str, Any], *, allowed_codes: Iterable[str], require_all: bool
) -> dict[str, int]:
    """Check answers (statement code → 1..6, or 0 for not applicable) against the survey.

    A code that is not one of the survey's statements, or a value outside the scale, means the
    form was tampered with: nothing is saved.
    """
    allowed = set(allowed_codes)
    cleaned: dict[str, int] = {}
    for code, value in raw.items():
        if code not in allowed:
            raise TamperedForm()
        number = _whole_number(value)
        if number != NOT_APPLICABLE and not 1 <= number <= 6:
            raise TamperedForm()
        cleaned[code] = number
    if require_all and set(cleaned) != allowed:
        raise IncompleteAnswers(gettext("Some statements have no answer yet."))
    return cleaned


def _whole_number(value: Any) -> int:
    """An int, or a string of digits; anything else (floats, booleans, junk) is tampering."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise TamperedForm()


def clean_about(raw: Mapping[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in raw.items():
        if key not in ABOUT_CHOICES:
            raise TamperedForm()
        if value in ("", None):
            continue
        if value not in ABOUT_CHOICES[key]:
            raise TamperedForm()
        cleaned[key] = str(value)
    return cleaned


def clean_comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            gettext("Keep your comment under %(limit)s characters.")
            % {"limit": number_format(MAX_COMMENT_LENGTH, force_grouping=True)}
        )
    return text


def new_draft_key() -> str:
    """A survey session's draft key: random, and known only to the respondent's browser."""
    return secrets.token_urlsafe(24)


def draft_key_for(*, state: CodeState, browser_key: str | None) -> str:
    """The draft key for a survey session opened with this code.

    The browser's own key when it already holds a session for this code; otherwise the key
    under which a draft saved before drafts moved off the invites was kept, if there is one;
    otherwise a new random key.
    """
    return browser_key or state.legacy_draft_key or new_draft_key()


def save_progress(
    *,
    code: str,
    invite: Invite,
    draft_key: str,
    answers: Mapping[str, int] | None = None,
    about: Mapping[str, str] | None = None,
    comment: str | None = None,
    as_read: SurveyDraft | None = None,
) -> SurveyDraft:
    """Keep answers in progress under the survey session's draft key.

    Nothing here touches the invite. The draft's row is locked first, so saves from two tabs
    merge one after the other; the code is checked after the lock, so a save that comes after
    the code was submitted (the submission deletes the draft under the same lock) stores
    nothing: CodeAlreadyUsed.

    A caller that read the draft in this request (`find_survey_state`) passes it as `as_read`:
    the save is then first tried as one statement, an UPDATE of the draft only if its answers
    are still those read (or an INSERT of it when none was read), only if the code is unspent.
    When that statement changes no row (another tab saved in between, the draft went, the key
    belongs to another cycle, or the code was spent), the save takes the locking path above,
    which merges or refuses as it always has.
    """
    if as_read is not None and (answers is not None or about is not None or comment is not None):
        saved = _save_in_one_statement(
            code=code,
            invite=invite,
            draft=as_read,
            answers=answers,
            about=about,
            comment=comment,
        )
        if saved is not None:
            return saved
    return _save_progress_locked(
        code=code,
        invite=invite,
        draft_key=draft_key,
        answers=answers,
        about=about,
        comment=comment,
    )


@lru_cache(maxsize=4)
def _draft_sql(vendor: str) -> tuple[str, str, str]:
    """The draft's one-statement saves: the UPDATE's start, how it compares the answers read,
    and the INSERT (table and column names come from the models; every value is a parameter)."""
    quote = connection.ops.quote_name
    draft = quote(SurveyDraft._meta.db_table)
    spent = quote(SpentCode._meta.db_table)
    unspent = f"NOT EXISTS (SELECT 1 FROM {spent} WHERE {quote('key')} = %s)"  # noqa: S608  # nosec B608
    # PostgreSQL compares jsonb by value; SQLite keeps the text, compared minified.
    answers_read = (
        f"{quote('answers')} = %s"
        if vendor == "postgresql"
        else f"json({quote('answers')}) = json(%s)"
    )
    update = (
        f"UPDATE {draft} SET {{fields}} WHERE {quote('key')} = %s "  # noqa: S608  # nosec B608
        f"AND {quote('cycle_id')} = %s AND {unspent}"
    )
    columns = ("key", "cycle_id", "answers", "about", "comment")
    insert = (
        f"INSERT INTO {draft} ({', '.join(quote(c) for c in columns)}) "  # nosec B608
        f"SELECT {', '.join(['%s'] * len(columns))} WHERE {unspent} "
        f"ON CONFLICT ({quote('key')}) DO NOTHING"
    )
    return update, answers_read, insert


def _save_in_one_statement(
    *,
    code: str,
    invite: Invite,
    draft: SurveyDraft,
    answers: Mapping[str, int] | None,
    about: Mapping[str, str] | None,
    comment: str | None,
) -> SurveyDraft | None:
    """`save_progress` as one UPDATE (or INSERT) guarded by what the caller read; None when it
    changed no row, for the locking path to decide."""
    if draft.cycle_id != invite.cycle_id:
        return None
    merged = dict(draft.answers)
    if answers is not None:
        merged.update({k: int(v) for k, v in answers.items()})
    new_about = dict(about) if about is not None else dict(draft.about)
    new_comment = comment if comment is not None else draft.comment
    update, answers_read, insert = _draft_sql(connection.vendor)
    as_json = connection.ops.adapt_json_value
    spent_key = invite_codes.spent_key(code)
    if draft._state.adding:
        with connection.cursor() as cursor:
            cursor.execute(
                insert,
                [
                    draft.key,
                    invite.cycle_id,
                    as_json(merged, None),
                    as_json(new_about, None),
                    new_comment,
                    spent_key,
                ],
            )
            if cursor.rowcount != 1:
                return None
    else:
        quote = connection.ops.quote_name
        sets: list[str] = []
        params: list[Any] = []
        if answers is not None:
            sets.append(f"{quote('answers')} = %s")
            params.append(as_json(merged, None))
        if about is not None:
            sets.append(f"{quote('about')} = %s")
            params.append(as_json(new_about, None))
        if comment is not None:
            sets.append(f"{quote('comment')} = %s")
            params.append(new_comment)
        sql = update.format(fields=", ".join(sets))
        params += [draft.key, invite.cycle_id, spent_key]
        if answers is not None:  # merged with what was read: only if that is still so
            sql += f" AND {answers_read}"
            params.append(as_json(draft.answers, None))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.rowcount != 1:
                return None
    return SurveyDraft.from_db(
        DEFAULT_DB_ALIAS,
        ["key", "cycle_id", *DRAFT_FIELDS],
        [draft.key, invite.cycle_id, merged, new_about, new_comment],
    )


@transaction.atomic
def _save_progress_locked(
    *,
    code: str,
    invite: Invite,
    draft_key: str,
    answers: Mapping[str, int] | None,
    about: Mapping[str, str] | None,
    comment: str | None,
) -> SurveyDraft:
    """`save_progress` under the draft's row lock."""
    draft = _DRAFT_FOR_UPDATE.first(draft_key)
    if draft is None:
        try:
            with transaction.atomic():
                draft = SurveyDraft.objects.create(key=draft_key, cycle_id=invite.cycle_id)
        except IntegrityError:  # another tab made it first: wait for its lock
            draft = _DRAFT_FOR_UPDATE.first(draft_key)
            assert draft is not None
    if draft.cycle_id != invite.cycle_id:
        raise TamperedForm()
    if spent_since_session_began(code=code):
        raise CodeAlreadyUsed()
    fields = []
    if answers is not None:
        draft.answers = {**draft.answers, **{k: int(v) for k, v in answers.items()}}
        fields.append("answers")
    if about is not None:
        draft.about = dict(about)
        fields.append("about")
    if comment is not None:
        draft.comment = comment
        fields.append("comment")
    if fields:
        draft.save(update_fields=fields)
    return draft


@dataclass(frozen=True)
class Submitted:
    team: Unit
    cycle: Cycle


@transaction.atomic
def submit_response(
    *,
    code: str,
    answers: Mapping[str, Any],
    about: Mapping[str, Any] | None = None,
    comment: str = "",
    today: date | None = None,
    invite: Invite | None = None,
    draft_key: str | None = None,
    checked: bool = False,
) -> Submitted:
    """Use a code once and store one anonymous response, all in one transaction.

    The invite is only read. The code is spent by inserting its keyed hash as a SpentCode's
    primary key, so of two simultaneous submissions with the same code exactly one stores a
    response; the other gets CodeAlreadyUsed. The response keeps team, cycle, date (no time),
    banded demographics and answers under a random id, and nothing that leads back to the
    code; the session's draft (`draft_key`) is deleted. A caller that has just looked the code
    up may pass its `invite` to save a query, and `checked` when that lookup
    (`find_survey_state`, in this request) also found the code unspent: then it is not read
    again (the SpentCode insert still refuses a second use). Whether the cycle is open is read
    again whatever the caller found, inside the transaction, holding it open until the
    response commits (`hold_cycle_open`).
    """
    today = today or timezone.localdate()
    if invite is None or invite_codes.hash_code(code) != invite.code_hash:
        invite, checked = find_invite(code), False
    if not checked and is_spent(code=code, invite=invite):
        raise CodeAlreadyUsed()
    team = invite.team  # whose staff answered, wherever a move leaves the answer
    hold_cycle_open(invite=invite, today=today)
    cycle = invite.cycle
    statements = statement_infos(cycle)
    cleaned = clean_answers(answers, allowed_codes=[s.code for s in statements], require_all=True)
    cleaned_about = clean_about(about or {})
    cleaned_comment = clean_comment(comment)

    try:
        insert_rows(SpentCode, ["key"], [(invite_codes.spent_key(code),)])
    except IntegrityError:
        raise CodeAlreadyUsed() from None

    response = Response(
        id=random_response_id(),
        cycle=cycle,
        team_id=invite.team_id,
        submitted_on=today,
        role_group=cleaned_about.get("role_group", ""),
        service_length=cleaned_about.get("service_length", ""),
        working_pattern=cleaned_about.get("working_pattern", ""),
    )
    insert_rows(
        Response,
        _RESPONSE_FIELDS,
        [[getattr(response, name) for name in _RESPONSE_FIELDS[:-1]] + [_as_date(today)]],
    )
    response._state.adding = False
    store_answers(response=response, statements=statements, answers=cleaned)
    if cleaned_comment:
        Comment.objects.create(cycle=cycle, team_id=invite.team_id, text=cleaned_comment)
    if draft_key:
        _delete_draft(draft_key)
    return Submitted(team=team, cycle=cycle)


# How long, in milliseconds, a submission's transaction may spend on one statement or leave
# PostgreSQL waiting between two, before PostgreSQL ends it (and rolls it back). It holds its
# cycle open, which closing the cycle waits for, so a stalled worker cannot hold that up longer.
SUBMISSION_TIMEOUT_MS = 30_000


def hold_cycle_open(*, invite: Invite, today: date) -> None:
    """Refuse (CycleNotOpen, CycleClosed) unless the invite's cycle takes answers today, read
    again inside the caller's transaction, and keep it from closing until that transaction ends.

    On PostgreSQL the cycle's row is locked FOR SHARE, which closing it (FOR NO KEY UPDATE, then
    UPDATE) waits for: once a cycle's closing has committed, every submission that found it open
    has committed or rolled back, and any later one reads it closed. So no response reaches a
    closed cycle, however long a request takes and whatever server runs it; remembered plans
    rely on that (`settled_plans`). Share locks do not wait for each other, so submissions to
    one cycle still run side by side. The lock, and `SUBMISSION_TIMEOUT_MS` on each statement
    and each wait between two, last until the outermost transaction ends (a caller that wraps
    submissions in a transaction of its own, as the demo does when it builds its peer
    organisations, has its later statements under them too). SQLite, the demo's default, has
    no row locks: there the cycle is only read again."""
    stored = _cycle_held(invite.cycle_id, submission=True, invite=invite)
    if stored is None:  # deleted, and its invites with it
        raise UnknownCode()
    check_cycle_open(stored, today=today)


def _cycle_held(
    cycle_id: int, *, submission: bool = False, invite: Invite | None = None
) -> Cycle | None:
    """The cycle's status, schedule and dates as stored, its row share-locked until the
    transaction ends (PostgreSQL), so that closing it waits; `submission`: with the
    submission's limits (`SUBMISSION_TIMEOUT_MS`). None if there is no such cycle.

    `invite`: one of the cycle's codes, whose team is read again once the cycle is held, in
    the same round trip: a unit that moved while the code was being looked up has left the
    code's part in the cycle where it was (`move_unit`, which holds the cycle while it moves
    it), and the answer goes there."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        # One round trip. The limits are whole numbers and the names come from the model; the
        # id is a parameter.
        limits = (
            f"SET LOCAL statement_timeout = {SUBMISSION_TIMEOUT_MS:d};"
            f" SET LOCAL idle_in_transaction_session_timeout = {SUBMISSION_TIMEOUT_MS:d}; "
            if submission
            else ""
        )
        read = (
            f"SELECT {', '.join(map(quote, _CYCLE_STATE))}"  # noqa: S608  # nosec B608
            f" FROM {quote(Cycle._meta.db_table)} WHERE id = %s FOR SHARE"
        )
        params: list[Any] = [cycle_id]
        if invite is not None:
            # A statement of its own, after the lock, so that it reads what a move that the
            # lock waited for committed; the one whose rows come back.
            read += (
                f"; SELECT {', '.join(f'c.{quote(name)}' for name in _CYCLE_STATE)},"  # noqa: S608  # nosec B608
                f" i.{quote('team_id')} FROM {quote(Cycle._meta.db_table)} c"
                f" JOIN {quote(Invite._meta.db_table)} i ON i.{quote('cycle_id')} = c.id"
                " WHERE c.id = %s AND i.id = %s"
            )
            params += [cycle_id, invite.pk]
        with connection.cursor() as cursor:
            cursor.execute(limits + read, params)
            row = cursor.fetchone()
    elif invite is not None:
        row = (
            Cycle.objects.filter(pk=cycle_id, invites__pk=invite.pk)
            .values_list(*_CYCLE_STATE, "invites__team_id")
            .first()
        )
    else:
        row = Cycle.objects.filter(pk=cycle_id).values_list(*_CYCLE_STATE).first()
    if row is None:
        return None
    if invite is not None:
        *row, team_id = row
        invite.team_id = team_id
    return Cycle(pk=cycle_id, **dict(zip(_CYCLE_STATE, row, strict=True)))


_RESPONSE_FIELDS = (
    "id",
    "cycle_id",
    "team_id",
    "role_group",
    "service_length",
    "working_pattern",
    "submitted_on",  # last: a date, adapted for the database
)


def _as_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _delete_draft(key: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The table's name comes from the model; the key is a parameter.
        cursor.execute(
            f"DELETE FROM {quote(SurveyDraft._meta.db_table)} WHERE {quote('key')} = %s",  # noqa: S608  # nosec B608
            [key],
        )


# The columns of a response's answer and domain score rows, in the order written: by
# `store_answers`, and by the benchmark builder's COPY (demo/bench.py), which stores the same rows.
ANSWER_COLUMNS = ("response_id", "statement_id", "value", "score")
DOMAIN_SCORE_COLUMNS = (
    "response_id",
    "domain_id",
    "cycle_id",
    "team_id",
    "submitted_on",
    "score",
    "red",
    "amber",
    "green",
)


def store_answers(
    *, response: Response, statements: Sequence[StatementInfo], answers: Mapping[str, int]
) -> None:
    """Answers, per-domain scores and tallies of one response, in the caller's transaction.
    The response's answer and domain rows are new, so each kind is one plain INSERT; the
    tallies are added to with upserts (`add_to_tallies`)."""
    answer_rows, domain_rows = response_rows(statements, answers)
    insert_rows(
        Answer,
        ANSWER_COLUMNS,
        [(response.pk, row.statement_id, row.value, row.score) for row in answer_rows],
    )
    submitted_on = _as_date(response.submitted_on)
    insert_rows(
        DomainScore,
        DOMAIN_SCORE_COLUMNS,
        [
            (
                response.pk,
                row.domain_id,
                response.cycle_id,
                response.team_id,
                submitted_on,
                row.score,
                row.red,
                row.amber,
                row.green,
            )
            for row in domain_rows
        ],
    )
    add_to_tallies(
        cycle_id=response.cycle_id,
        team_id=response.team_id,
        answer_rows=answer_rows,
        domain_rows=domain_rows,
    )


def default_dates(kind: str, *, today: date) -> tuple[date, date]:
    return today, today + timedelta(days=14 if kind == Cycle.Kind.PULSE else 28)


def record_export(
    *, export: ExportRequest, file_format: str, user: Any, reach: Reach | None = None, via: str = ""
) -> None:
    """The audit event for an export: who, the part of the organisation it holds, and what.
    `user` is None and `reach` None for the command line, which exports everything."""
    level = "all" if export.levels == LEVELS else ", ".join(export.levels)
    what = export.cycle.name
    if export.cycle.kind == Cycle.Kind.PULSE:
        what += f" ({export.scope.full_label})"  # the pool the file holds
    record(
        organisation=export.cycle.organisation_id,
        user=user,
        action=AuditEvent.Action.EXPORTED,
        scope=export_scope(export.cycle, reach),
        detail=f"{what}: {file_format.upper()} by {export.by}, level {level}"
        + (f" ({via})" if via else ""),
    )


# --- results exports prepared in the background (docs/background-jobs.md) -------------------

EXPORT_DIRECTORY = "exports"
MAX_QUEUED_EXPORTS = 5
# A file in exports/ that no record points at (its record was removed with its organisation)
# is deleted once it is this old; younger, it may be a job's file about to be recorded.
UNRECORDED_EXPORT_GRACE = timedelta(hours=1)


def _link_life() -> timedelta:
    return timedelta(hours=settings.EXPORT_LINK_HOURS)


def _export_request_of(job: ExportJob) -> ExportRequest:
    assert job.cycle is not None
    return ExportRequest(cycle=job.cycle, levels=(job.level,) if job.level else LEVELS, by=job.by)


def check_export_options(*, file_format: str, level: str, by: str) -> None:
    """Refuse, in words a person can act on, options the results export does not offer."""
    problems = []
    if file_format not in FORMATS:
        problems.append(gettext("Choose CSV or Excel (XLSX) as the file type."))
    if level and level not in LEVELS:
        problems.append(gettext("Choose the organisation, unit or team level, or all levels."))
    if by not in BY:
        problems.append(gettext("Choose results by domain or by statement."))
    if problems:
        raise ValidationError(problems)


def request_export(
    *,
    user: User,
    cycle: Cycle,
    reach: Reach,
    file_format: str,
    level: str,
    by: str,
    now: datetime | None = None,
) -> tuple[ExportJob, bool]:
    """Record a request for the cycle's results export to be prepared in the background; the
    caller then hands its id to the job `diagnostics.prepare_export`. The same request while
    one like it is still being prepared returns that one (and False)."""
    check_export_options(file_format=file_format, level=level, by=by)
    now = now or timezone.now()
    key = reach_key(reach)
    with transaction.atomic():
        queued = ExportJob.objects.select_for_update().filter(
            requested_by=user, status=ExportJob.Status.QUEUED, expires_at__gt=now
        )
        same = queued.filter(
            cycle=cycle, file_format=file_format, level=level, by=by, reach_key=key
        ).first()
        if same is not None:
            return same, False
        if queued.count() >= MAX_QUEUED_EXPORTS:
            raise ValidationError(
                ngettext(
                    "You already have %(max)s export being prepared. Ask for another once it "
                    "is ready.",
                    "You already have %(max)s exports being prepared. Ask for another once one "
                    "of them is ready.",
                    MAX_QUEUED_EXPORTS,
                )
                % {"max": MAX_QUEUED_EXPORTS}
            )
        job = ExportJob.objects.create(
            organisation_id=cycle.organisation_id,
            cycle=cycle,
            requested_by=user,
            file_format=file_format,
            level=level,
            by=by,
            reach_key=key,
            created_at=now,
            # A request no worker takes up within the link's life is given up (the purge).
            expires_at=now + _link_life(),
        )
    return job, True


def _settle_export(job_id: int, status: str, *, now: datetime) -> None:
    """Close a job that is still queued as failed or expired (a settled job stays as it is)."""
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=status, finished_at=now
    )


def fail_export(*, job_id: int, now: datetime | None = None) -> None:
    """The job could not be handed to the queue: the request says so on 'Your exports'."""
    _settle_export(job_id, ExportJob.Status.FAILED, now=now or timezone.now())


def prepare_export(*, job_id: int, now: datetime | None = None) -> None:
    """Build an export's file: the rows `export_rows` gives the asker with their reach now,
    written row by row to a temporary file, then to the default storage as
    `exports/<token>.<format>`, and the export audited as the in-request download is.

    Idempotent: a job already settled is left alone, and the file is saved under the lock of
    the job's row, replacing any left by a run that stopped before recording it, so running
    twice (or on two workers at once) leaves one file. The asker's reach must still be the one
    they asked with, and the cycle still in it; otherwise the job fails and says no more.
    """
    job = (
        ExportJob.objects.select_related(
            "cycle__organisation", "cycle__unit", "cycle__instrument", "requested_by"
        )
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.status != ExportJob.Status.QUEUED:
        return
    started = now or timezone.now()
    if job.expires_at <= started:
        _settle_export(job.pk, ExportJob.Status.EXPIRED, now=started)
        return
    user, cycle = job.requested_by, job.cycle
    reach = reach_of(user) if user is not None and user.is_active else None
    if (
        reach is None
        or cycle is None
        or reach_key(reach) != job.reach_key
        or not cycles_visible_to(reach).filter(pk=cycle.pk).exists()
    ):
        _settle_export(job.pk, ExportJob.Status.FAILED, now=started)
        return
    export = _export_request_of(job)
    with tempfile.TemporaryFile() as handle:
        rows = export_rows(export, reach)
        if job.file_format == "xlsx":
            write_xlsx(rows, handle, title=cycle.name, columns=export.columns)
        else:
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            text.write(EXCEL_READS_UTF8)
            write_csv(rows, text, columns=export.columns)
            text.flush()
            text.detach()
        handle.seek(0)
        with transaction.atomic():
            locked = ExportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ExportJob.Status.QUEUED:
                return  # another run settled it first
            name = f"{EXPORT_DIRECTORY}/{locked.token}.{locked.file_format}"
            default_storage.delete(name)
            locked.file.name = default_storage.save(name, File(handle))
            finished = now or timezone.now()
            locked.status = ExportJob.Status.READY
            locked.finished_at = finished
            locked.expires_at = finished + _link_life()
            locked.save(update_fields=["file", "status", "finished_at", "expires_at"])
            record_export(
                export=export,
                file_format=job.file_format,
                user=user,
                reach=reach,
                via=f"prepared in the background, export {job.pk}",
            )


def record_export_download(*, job: ExportJob, user: User, reach: Reach) -> None:
    """Each download of a prepared file is audited, as the in-request download is."""
    record_export(
        export=_export_request_of(job),
        file_format=job.file_format,
        user=user,
        reach=reach,
        via=f"downloaded export {job.pk}, prepared in the background",
    )


def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry (or whose cycle or asker has been
    removed) and mark them expired; give up requests no worker took up in time. Returns how
    many were expired. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    live = [ExportJob.Status.QUEUED, ExportJob.Status.READY]
    stale = ExportJob.objects.filter(
        Q(status__in=live, expires_at__lte=now)
        | Q(status=ExportJob.Status.READY, cycle__isnull=True)
        | Q(status=ExportJob.Status.READY, requested_by__isnull=True)
    )
    expired = 0
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().filter(pk=job_id, status__in=live).first()
            if job is None:
                continue
            name = job.file.name
            job.file.name = ""
            job.status = ExportJob.Status.EXPIRED
            job.save(update_fields=["file", "status"])
        # Deleted once the record no longer points at it; a file left by a failure here is
        # found by the sweep below on a later run.
        if name:
            default_storage.delete(name)
        expired += 1
    _delete_unrecorded_exports(now=now)
    return expired


def _delete_unrecorded_exports(*, now: datetime) -> None:
    try:
        _folders, files = default_storage.listdir(EXPORT_DIRECTORY)
    except FileNotFoundError:
        return
    recorded = {
        name.rsplit("/", 1)[-1]
        for name in ExportJob.objects.exclude(file="").values_list("file", flat=True)
    }
    for name in files:
        if name in recorded:
            continue
        path = f"{EXPORT_DIRECTORY}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (NotImplementedError, OSError):
            continue
        if modified <= now - UNRECORDED_EXPORT_GRACE:
            default_storage.delete(path)


# --- structural thresholds per part of the organisation ------------------------------------


def _threshold_record(found: ThresholdInForce, names: Mapping[str, str]) -> dict[str, Any]:
    """A figure's thresholds in force as the audit log keeps them, with where they are set."""
    if found.set_at is None:
        set_on = "defaults"
    elif found.set_at == "":
        set_on = "the organisation"
    else:
        set_on = " / ".join(
            names.get(found.set_at[:end], "?")
            for end in range(2 * Unit.steplen, len(found.set_at) + 1, Unit.steplen)
        )
    return {
        "good": json_number(found.good),
        "concerning": json_number(found.concerning),
        "set_on": set_on,
    }


def _record_unit_threshold_change(
    *,
    unit: Unit,
    before: Mapping[str, ThresholdInForce],
    after: Mapping[str, ThresholdInForce],
    actor: User | None,
    verb: str,
) -> list[str]:
    """One audit event for every figure whose thresholds in force at the unit changed (in
    value or in where they are set); the labels of those figures."""
    names = unit_names_by_path(unit.organisation)
    changed = [code for code in FIGURE_CODES if before[code] != after[code]]
    if not changed:
        return []
    old = {code: _threshold_record(before[code], names) for code in changed}
    new = {code: _threshold_record(after[code], names) for code in changed}
    detail = "; ".join(
        f"{FIGURES_BY_CODE[code].label}: good {json_number(before[code].good)} → "
        f"{json_number(after[code].good)}, concerning {json_number(before[code].concerning)} → "
        f"{json_number(after[code].concerning)} ({new[code]['set_on']})"
        for code in changed
    )
    record(
        organisation=unit.organisation_id,
        user=actor,
        action=AuditEvent.Action.THRESHOLD_CHANGED,
        scope=readable_path(unit, names),
        detail=f"{verb}: {detail}",
        old=old,
        new=new,
    )
    return [FIGURES_BY_CODE[code].shown_label for code in changed]


def _check_unit_for_thresholds(unit: Unit) -> None:
    if unit.depth == 1:
        raise ValidationError(
            gettext("The organisation's own thresholds are set without choosing a unit.")
        )


@transaction.atomic
def set_unit_thresholds(
    *, unit: Unit, values: Mapping[str, Thresholds | None], actor: User | None = None
) -> list[str]:
    """Set a unit's own thresholds, which its teams and units below inherit unless they set
    their own (§6). A figure given None goes back to inheriting; figures not given are left as
    they are. Each pair is checked with `check_thresholds`; nothing is saved unless all pass.
    Audited as one event for the unit; returns the labels of the figures whose thresholds in
    force there changed."""
    _check_unit_for_thresholds(unit)
    errors = []
    for code, pair in values.items():
        figure = FIGURES_BY_CODE.get(code)
        if figure is None:
            errors.append(gettext("“%(code)s” is not a structural figure.") % {"code": code})
            continue
        if pair is not None:
            problem = check_thresholds(figure, pair.good, pair.concerning)
            if problem:
                errors.append(
                    gettext("%(figure)s: %(problem)s")
                    % {"figure": figure.shown_label, "problem": problem}
                )
    if errors:
        raise ValidationError(errors)
    before = threshold_book(unit.organisation_id).for_unit(unit)
    for code, pair in values.items():
        if pair is None:
            StructuralThreshold.objects.filter(unit=unit, figure=code).delete()
        else:
            StructuralThreshold.objects.update_or_create(
                organisation_id=unit.organisation_id,
                unit=unit,
                figure=code,
                defaults={"good": pair.good, "concerning": pair.concerning},
            )
    after = threshold_book(unit.organisation_id).for_unit(unit)
    return _record_unit_threshold_change(
        unit=unit, before=before, after=after, actor=actor, verb="Set on this unit"
    )


@transaction.atomic
def clear_unit_thresholds(*, unit: Unit, actor: User | None = None) -> list[str]:
    """Remove every threshold set on the unit itself, so it inherits again from the nearest unit
    above it, the organisation or the defaults. Audited; returns the labels of the figures whose
    thresholds in force there changed (none when the unit had no values of its own)."""
    _check_unit_for_thresholds(unit)
    before = threshold_book(unit.organisation_id).for_unit(unit)
    deleted, _ = StructuralThreshold.objects.filter(unit=unit).delete()
    if not deleted:
        return []
    after = threshold_book(unit.organisation_id).for_unit(unit)
    return _record_unit_threshold_change(
        unit=unit, before=before, after=after, actor=actor, verb="Cleared this unit's own"
    )
