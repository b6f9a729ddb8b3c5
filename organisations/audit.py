"""Recording the audit log (§5): who viewed or exported results, role and threshold changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from organisations.models import AuditEvent, Organisation, Role, Unit
from organisations.selectors import readable_path, unit_names_by_path

COMMAND_LINE = "command line"
LONG_VALUE = 80
# These record something made, not changed: their values (ids, counts) are kept to be queried,
# and their sentence says them in words, so the page shows no "none → 9".
KEPT_FOR_QUERIES = frozenset({AuditEvent.Action.CODES_MADE, AuditEvent.Action.API_TOKEN_CREATED})
# Reads that the page folds when the same person repeats them one after another.
READS = frozenset({AuditEvent.Action.VIEWED, AuditEvent.Action.API_READ})

# In English, as the log's details keep them; the audit page reads them in its reader's language.
SETTING_LABELS = {
    "name": gettext_noop("name"),
    "name_in_languages": gettext_noop("name in other languages"),
    "anonymity_threshold": gettext_noop("anonymity threshold (k)"),
    "comment_threshold": gettext_noop("comment threshold"),
    "pulse_window_days": gettext_noop("pulse pooling window (days)"),
    "drivers_minimum": gettext_noop("responses needed for drivers"),
    "safety_contact": gettext_noop("safety contact text"),
    "safety_contact_in_languages": gettext_noop("safety contact text in other languages"),
    "survey_languages": gettext_noop("languages surveys offer besides English"),
    "cycle_reminders": gettext_noop("reminders before a cycle closes"),
    "reminder_days": gettext_noop("reminder days before closing"),
    "benchmark_opt_in": gettext_noop("takes part in the benchmark"),
    "benchmark_compare_with": gettext_noop("benchmark compares with"),
}


def record(
    *,
    organisation: Organisation | int,
    user: Any,
    action: str,
    scope: str,
    detail: str = "",
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event. `user` is the signed-in person, or None for the command line.

    A change gives the values it replaced as `old` and those it set as `new` (JSON values, keyed
    alike); `detail` stays the sentence a person reads.
    """
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return AuditEvent.objects.create(
        organisation_id=organisation_id,
        user=user if signed_in else None,
        actor=user.email if signed_in else COMMAND_LINE,
        action=action,
        scope=scope[:500],
        detail=detail[:500],
        old=dict(old or {}),
        new=dict(new or {}),
    )


def unit_scope(unit: Unit) -> str:
    return readable_path(unit, unit_names_by_path(unit.organisation))


def role_text(role: str) -> str:
    """A role's name as the log's details keep it: in English, whatever language the person
    who made the change reads (its label on pages is translated)."""
    with translation.override(None):
        return str(Role(role).label).lower()


def role_values(*, role: str, unit: Unit) -> dict[str, str]:
    """A role as the log keeps it: the role's code and the unit's readable path."""
    return {"role": role, "unit": unit_scope(unit)}


def json_number(value: Decimal) -> int | float:
    """A decimal as a JSON number: 18.00 is 18, 12.50 is 12.5."""
    return int(value) if value == value.to_integral_value() else float(value)


# --- reading the structured values ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One value a change replaced, read for people: its label, before and after ("" = none)."""

    label: str
    before: str
    after: str

    @property
    def is_unchanged(self) -> bool:
        """Kept for context: a role moved to another unit keeps its role."""
        return self.before == self.after

    @property
    def is_long(self) -> bool:
        """Too long to read on one line (a safety contact text): shown folded."""
        return max(len(self.before), len(self.after)) > LONG_VALUE


_EXTRA_LABELS: dict[str, str] = {}


def register_labels(labels: Mapping[str, str]) -> None:
    """Apps above this one name the values they record (diagnostics: its structural figures),
    so the audit page reads them without organisations importing the apps built on it."""
    _EXTRA_LABELS.update(labels)


def _labels() -> dict[str, str]:
    """Each key's label in the reader's language (the labels are English, as the log's details
    keep them, and in the catalogue)."""
    english = {"role": gettext_noop("role"), "unit": gettext_noop("unit")}
    return {
        key: gettext(label) for key, label in {**english, **SETTING_LABELS, **_EXTRA_LABELS}.items()
    }


def _readable(key: str, value: Any) -> str:
    if value is None or value == "" or value == {}:
        return ""
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, Mapping):
        return ", ".join(
            f"{name.replace('_', ' ')} {_readable(name, v)}" for name, v in value.items()
        )
    return str(value)


def changes_of(event: AuditEvent) -> list[Change]:
    """The event's values before and after, one row per key, in the order they were recorded.

    A role that was only granted or removed shows one side; views and exports show none, nor
    do events that made something (KEPT_FOR_QUERIES), whose sentence says it all.
    """
    if event.action in KEPT_FOR_QUERIES:
        return []
    old = event.old if isinstance(event.old, dict) else {}
    new = event.new if isinstance(event.new, dict) else {}
    labels = _labels()
    keys = [*old, *(key for key in new if key not in old)]
    return [
        Change(
            label=labels.get(key, key.replace("_", " ")),
            before=_readable(key, old.get(key)),
            after=_readable(key, new.get(key)),
        )
        for key in keys
    ]


@dataclass
class LogRow:
    """One row of the audit page: an event, its changes, and the times the same person read
    the same thing just before it (`earlier`, newest first), folded into it."""

    event: AuditEvent
    changes: list[Change]
    earlier: list[datetime] = field(default_factory=list)


def log_rows(events: Iterable[AuditEvent]) -> list[LogRow]:
    """Events, newest first, as the page shows them: a read repeated by the same person with
    nothing else logged in between (a home page reloaded, a dashboard read again) is one row
    that lists every time. Every event stays in the log; only the page folds them."""
    rows: list[LogRow] = []
    for event in events:
        last = rows[-1].event if rows else None
        if (
            last is not None
            and event.action in READS
            and (event.action, event.actor, event.scope, event.detail)
            == (last.action, last.actor, last.scope, last.detail)
        ):
            rows[-1].earlier.append(event.at)
        else:
            rows.append(LogRow(event=event, changes=changes_of(event)))
    return rows
