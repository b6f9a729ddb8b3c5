"""Writes for actions and the interventions library. Each runs in one transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.languages import in_language_of
from accounts.models import User
from actions.models import Action, Intervention, InterventionText
from actions.selectors import TRANSLATION_COLUMNS, possible_owners
from diagnostics.models import Cycle, Domain, Statement, StatementText
from diagnostics.selectors import is_frozen
from notices.services import Notice, long_date, one_line, send_notices
from organisations.models import Membership, Organisation, Unit
from organisations.selectors import people_running
from organisations.services import ImportFailed
from sword.csvsafe import FORMULA_STARTS

# An open action's owner is told this many days before its due date.
ACTION_DUE_SOON_DAYS = 7


def _check_owner(owner: User, unit: Unit, escalated_to: Unit | None) -> None:
    allowed = set(possible_owners(unit, escalated_to).values_list("pk", flat=True))
    if owner.pk not in allowed:
        raise ValidationError(
            gettext("%(owner)s has no role where this action sits, so they could not see it.")
            % {"owner": owner}
        )


@transaction.atomic
def create_action(
    *,
    unit: Unit,
    domain: Domain,
    title: str,
    owner: User,
    due_on: date,
    created_by: User,
    cycle: Cycle | None = None,
    intervention: Intervention | None = None,
    description: str = "",
) -> Action:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(gettext("Give the action a short title."))
    if cycle is not None and cycle.organisation_id != unit.organisation_id:
        raise ValidationError(gettext("That cycle belongs to another organisation."))
    if intervention is not None and intervention.organisation_id not in (
        None,
        unit.organisation_id,
    ):
        raise ValidationError(gettext("That intervention belongs to another organisation."))
    _check_owner(owner, unit, None)
    return Action.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        domain=domain,
        cycle=cycle,
        intervention=intervention,
        title=title[:160],
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        created_by=created_by,
    )


@transaction.atomic
def update_action(
    *,
    action: Action,
    status: str,
    owner: User,
    due_on: date,
    notes: str,
    dropped_reason: str = "",
) -> Action:
    if status not in Action.Status.values:
        raise ValidationError(gettext("Unknown status."))
    dropped_reason = dropped_reason.strip()
    if status == Action.Status.DROPPED and not dropped_reason:
        raise ValidationError(
            gettext("Say why the action was dropped, so others can learn from it.")
        )
    _check_owner(owner, action.unit, action.escalated_to)
    action.status = status
    action.owner = owner
    action.due_on = due_on
    action.notes = notes.strip()
    action.dropped_reason = dropped_reason if status == Action.Status.DROPPED else ""
    action.save(
        update_fields=["status", "owner", "due_on", "notes", "dropped_reason", "updated_at"]
    )
    return action


@transaction.atomic
def escalate_action(*, action: Action, to: Unit, note: str = "") -> Action:
    """Send an action up to the unit that owns the lever; its leaders then see it. From a unit
    it was escalated to, only further up: sent back down, the leaders who own the lever would
    stop seeing it without being told."""
    if to.organisation_id != action.organisation_id or to.path not in action.unit.ancestor_paths():
        raise ValidationError(
            gettext("An action can only be escalated to a unit above the one it is for.")
        )
    holder = action.escalated_to
    if holder is not None and to.path not in holder.ancestor_paths():
        raise ValidationError(
            gettext("This action is with %(unit)s: it can only be escalated further up.")
            % {"unit": holder.name}
        )
    action.escalated_to = to
    if note.strip():
        action.notes = (
            action.notes + "\n\n" if action.notes else ""
        ) + f"Escalated to {to.name}: {note.strip()}"
    action.save(update_fields=["escalated_to", "notes", "updated_at"])
    return action


@transaction.atomic
def add_intervention(
    *,
    organisation: Organisation,
    domain: Domain,
    kind: str,
    lever: str,
    title: str,
    what: str,
    why: str,
    measure: str,
) -> Intervention:
    return Intervention.objects.create(
        organisation=organisation,
        domain=domain,
        kind=kind,
        lever=lever,
        title=title.strip(),
        what=what.strip(),
        why=why.strip(),
        measure=measure.strip(),
        position=1000,
    )


# -- notices (the daily job actions.send_action_notices) ------------------------------------


def action_url(action: Action) -> str:
    return settings.SITE_URL + reverse("actions:detail", kwargs={"action_id": action.pk})


def _owner_notice(action: Action, *, today: date) -> Notice | None:
    """Due soon (within ACTION_DUE_SOON_DAYS) or overdue, to the owner; keyed by the due date,
    so a changed date earns a fresh notice. Rendered in the language active (the caller's
    `in_language_of(owner)`)."""
    owner = action.owner
    title = one_line(action.title)
    due = long_date(action.due_on)
    names = {
        "name": owner.display_name,
        "title": title,
        "unit": action.unit.name,
        "date": due,
        "status": action.get_status_display().lower(),
        "url": action_url(action),
    }
    if action.due_on < today:
        kind = "action-overdue"
        subject = gettext("Overdue: %(title)s") % {"title": title}
        body = gettext(
            "Hello %(name)s,\n\n"
            "The action you own, “%(title)s” for %(unit)s, was due on %(date)s and is still "
            "%(status)s.\n\n"
            "Open it to update its status or change its date:\n%(url)s\n\n"
            "When it is done, mark it done; if it will not happen, drop it with a reason. "
            "You get this e-mail once for each due date.\n\nSWORD\n"
        )
    elif action.due_on <= today + timedelta(days=ACTION_DUE_SOON_DAYS):
        kind = "action-due-soon"
        subject = gettext("Due %(date)s: %(title)s") % {
            "date": date_format(action.due_on, "j F"),
            "title": title,
        }
        body = gettext(
            "Hello %(name)s,\n\n"
            "The action you own, “%(title)s” for %(unit)s, is due on %(date)s.\n\n"
            "Open it to update its status or change its date:\n%(url)s\n\n"
            "When it is done, mark it done; if it will not happen, drop it with a reason. "
            "You get this e-mail once for each due date.\n\nSWORD\n"
        )
    else:
        return None
    body = body % names
    return Notice(
        kind=kind,
        about=f"action:{action.pk}:due:{action.due_on.isoformat()}",
        to=owner.email,
        subject=subject,
        body=body,
    )


def _escalation_notices(action: Action, runners: list[User], *, today: date) -> list[Notice]:
    """To the people who run the unit the action was escalated to: once per escalation, and
    once more (per due date) when it is overdue. The owner hears about that from their own.
    Each in the language its reader chose."""
    notices: list[Notice] = []
    for person in runners:
        with in_language_of(person):
            notices.extend(_escalation_notices_to(person, action, today=today))
    return notices


def _escalation_notices_to(person: User, action: Action, *, today: date) -> list[Notice]:
    target = action.escalated_to
    assert target is not None
    title = one_line(action.title)
    names = {
        "name": person.display_name,
        "title": title,
        "unit": action.unit.name,
        "target": target.name,
        "target_line": one_line(target.name),
        "owner": action.owner.display_name,
        "date": long_date(action.due_on),
        "status": action.get_status_display().lower(),
        "url": action_url(action),
    }
    notices = [
        Notice(
            kind="action-escalated",
            about=f"action:{action.pk}:to:{target.pk}",
            to=person.email,
            subject=gettext("Escalated to %(target_line)s: %(title)s") % names,
            body=gettext(
                "Hello %(name)s,\n\n"
                "An action for %(unit)s was escalated to %(target)s, because the lever it "
                "needs sits there: “%(title)s”, owned by %(owner)s, due on %(date)s. It is in "
                "your actions list; you can update it or take it further up.\n\n"
                "Open it:\n%(url)s\n\nSWORD\n"
            )
            % names,
        )
    ]
    if action.due_on < today and person.pk != action.owner_id:
        notices.append(
            Notice(
                kind="action-escalated-overdue",
                about=f"action:{action.pk}:to:{target.pk}:due:{action.due_on.isoformat()}",
                to=person.email,
                subject=gettext("Overdue, escalated to %(target_line)s: %(title)s") % names,
                body=gettext(
                    "Hello %(name)s,\n\n"
                    "The action “%(title)s”, escalated to %(target)s, was due on %(date)s "
                    "and is still %(status)s. Its owner is %(owner)s.\n\n"
                    "Open it:\n%(url)s\n\nSWORD\n"
                )
                % names,
            )
        )
    return notices


def send_action_notices(*, today: date) -> int:
    """The daily job's work: each open action's owner is told once when it is due soon and
    once when it is overdue (again if its date changes); the people who run the unit an
    action was escalated to are told once, and once more when it is overdue. Done and dropped
    actions send nothing; an owner who no longer holds a role in the organisation is not told.
    Idempotent: every notice goes through notices.services (a fixed number of queries, then
    one transaction per e-mail actually sent). Returns how many e-mails were sent."""
    owner_has_role = Membership.objects.filter(
        user_id=OuterRef("owner_id"), organisation_id=OuterRef("organisation_id")
    )
    horizon = today + timedelta(days=ACTION_DUE_SOON_DAYS)
    actions = list(
        Action.objects.filter(status__in=Action.OPEN_STATUSES)
        .filter(Q(due_on__lte=horizon) | Q(escalated_to__isnull=False))
        .annotate(owner_has_role=Exists(owner_has_role))
        .select_related("owner", "unit", "escalated_to")
        .order_by("pk")
    )
    runners = people_running(a.escalated_to for a in actions if a.escalated_to is not None)
    notices: list[Notice] = []
    for action in actions:
        if action.owner.is_active and action.owner_has_role:
            with in_language_of(action.owner):
                owner_notice = _owner_notice(action, today=today)
            if owner_notice is not None:
                notices.append(owner_notice)
        if action.escalated_to is not None:
            notices.extend(
                _escalation_notices(action, runners[action.escalated_to.pk], today=today)
            )
    return send_notices(notices, today=today)


# --- translations, imported after review ------------------------------------------------------

STATEMENT_MAX_LENGTH = 300
INTERVENTION_LIMITS = {"title": 120, "what": 2000, "why": 2000, "measure": 2000}


@dataclass(frozen=True)
class TranslationsImported:
    changed: int
    unchanged: int
    untranslated: int  # rows with an empty text: left as they are


def _cell(value: str) -> str:
    """A cell as written by sword.csvsafe: a leading apostrophe it added is taken off again."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _read_translation_rows(content: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    columns = [(c or "").strip() for c in (reader.fieldnames or [])]
    missing = [c for c in TRANSLATION_COLUMNS if c not in columns]
    if missing:
        raise ImportFailed([f"line 1: missing column(s): {', '.join(missing)}"])
    rows = []
    for row in reader:
        cleaned = {
            (k or "").strip(): _cell((v or "").strip()) for k, v in row.items() if k is not None
        }
        if any(cleaned.values()):
            rows.append((reader.line_num, cleaned))
    if not rows:
        raise ImportFailed(["the file has no rows below the header"])
    return rows


def _text_of(intervention: Intervention, language: str) -> InterventionText | None:
    return next((t for t in intervention.texts.all() if t.language == language), None)


@transaction.atomic
def import_translations(*, content: str, organisation: Organisation | None) -> TranslationsImported:
    """Store the texts of a file made by `export_translations` and reviewed (the `text` column
    edited): all or nothing, every row checked first.

    With an organisation, only its own questionnaire versions and interventions change; without
    one (the platform operator), only the built-in ones. A text may change only where the
    statement could be edited (its version has not been used by a cycle that opened: texts are
    frozen with the version, so copy the version and import into the copy). A row whose English
    no longer matches is refused: the file is older than the wording it translates. Rows that
    repeat the text already stored, and rows left empty (not translated yet), change nothing,
    so a whole export can be imported back.
    """
    rows = _read_translation_rows(content)
    languages = [code for code, _ in settings.LANGUAGES[1:]]
    owner_id = organisation.pk if organisation is not None else None
    statement_ids: set[int] = set()
    intervention_ids: set[int] = set()
    for _line, row in rows:
        if row.get("id", "").isdigit():
            target = statement_ids if row.get("kind") == "statement" else intervention_ids
            target.add(int(row["id"]))
    reachable = Q(version__organisation__isnull=True)
    if organisation is not None:
        reachable |= Q(version__organisation=organisation)
    statements = {
        s.pk: s
        for s in Statement.objects.filter(reachable, pk__in=statement_ids)
        .select_related("version")
        .prefetch_related("texts")
    }
    owners = Q(organisation__isnull=True)
    if organisation is not None:
        owners |= Q(organisation=organisation)
    interventions = {
        i.pk: i
        for i in Intervention.objects.filter(owners, pk__in=intervention_ids).prefetch_related(
            "texts"
        )
    }
    frozen_versions: dict[int, bool] = {}
    errors: list[str] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    statement_changes: dict[tuple[int, str], str] = {}
    intervention_changes: dict[tuple[int, str], dict[str, str]] = {}
    unchanged = untranslated = 0
    for line, row in rows:
        kind, field, language = row.get("kind", ""), row.get("field", ""), row.get("language", "")
        text = " ".join(row.get("text", "").split()) if kind == "statement" else row.get("text", "")
        problems: list[str] = []
        if language not in languages:
            problems.append(
                f"language “{language}” is not one of the site's other languages "
                f"({', '.join(languages)})"
            )
        key = (kind, row.get("id", ""), field, language)
        if key in seen:
            problems.append(f"the same text is on line {seen[key]} too")
        seen.setdefault(key, line)
        if not text:
            untranslated += 1  # not written yet: nothing to store, and nothing removed
            continue
        ident = int(row["id"]) if row.get("id", "").isdigit() else None
        if kind == "statement":
            statement = statements.get(ident) if ident is not None else None
            if statement is None:
                problems.append(f"no statement with the id “{row.get('id', '')}” here")
            elif field != "text":
                problems.append("a statement's field is “text”")
            elif row.get("english", "") != statement.text:
                problems.append(
                    f"{statement.code}'s English has changed since this file was made; export again"
                )
            elif len(text) > STATEMENT_MAX_LENGTH:
                problems.append(f"keep a statement under {STATEMENT_MAX_LENGTH} characters")
            elif not problems:
                stored = next((t.text for t in statement.texts.all() if t.language == language), "")
                if text == stored:
                    unchanged += 1
                elif statement.version.organisation_id != owner_id:
                    problems.append(
                        f"{statement.code} is in “{statement.version.name}”, which is not "
                        "yours to change: copy the version and import into the copy"
                    )
                elif frozen_versions.setdefault(statement.version_id, is_frozen(statement.version)):
                    problems.append(
                        f"{statement.code} is in “{statement.version.name}”, which is frozen (a "
                        "cycle using it has opened): copy the version and import into the copy"
                    )
                else:
                    statement_changes[statement.pk, language] = text
        elif kind == "intervention":
            intervention = interventions.get(ident) if ident is not None else None
            if intervention is None:
                problems.append(f"no intervention with the id “{row.get('id', '')}” here")
            elif field not in INTERVENTION_LIMITS:
                problems.append("an intervention's field is title, what, why or measure")
            elif row.get("english", "").split() != getattr(intervention, field).split():
                problems.append(
                    f"the English {field} of “{intervention.title}” has changed since this file "
                    "was made; export again"
                )
            elif len(text) > INTERVENTION_LIMITS[field]:
                problems.append(f"keep the {field} under {INTERVENTION_LIMITS[field]} characters")
            elif not problems:
                current = next(
                    (t for t in intervention.texts.all() if t.language == language), None
                )
                if current is not None and getattr(current, field) == text:
                    unchanged += 1
                elif intervention.organisation_id != owner_id:
                    problems.append(f"“{intervention.title}” is not yours to change")
                else:
                    intervention_changes.setdefault((intervention.pk, language), {})[field] = text
        else:
            problems.append(f"kind “{kind}” is neither statement nor intervention")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
    for (intervention_id, language), fields in intervention_changes.items():
        current = next(
            (t for t in interventions[intervention_id].texts.all() if t.language == language), None
        )
        merged = {
            f: fields.get(f, getattr(current, f, "") if current else "")
            for f in INTERVENTION_LIMITS
        }
        if not all(merged.values()):
            absent = ", ".join(f for f, value in merged.items() if not value)
            errors.append(
                f"“{interventions[intervention_id].title}” needs its {absent} in {language} too: "
                "an intervention is shown in a language only with all four"
            )
    if errors:
        raise ImportFailed(errors)
    for (statement_id, language), text in statement_changes.items():
        StatementText.objects.update_or_create(
            statement_id=statement_id, language=language, defaults={"text": text}
        )
    for (intervention_id, language), fields in intervention_changes.items():
        InterventionText.objects.update_or_create(
            intervention_id=intervention_id, language=language, defaults=fields
        )
    return TranslationsImported(
        changed=len(statement_changes) + sum(len(f) for f in intervention_changes.values()),
        unchanged=unchanged,
        untranslated=untranslated,
    )
