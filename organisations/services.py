"""Writes to organisations, their trees and memberships. Each runs in one transaction."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, ForeignObjectRel
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User, normalise_email
from organisations.access import forget_reach
from organisations.audit import SETTING_LABELS, record, role_text, role_values
from organisations.models import (
    UNIT_PATH_SEPARATOR,
    AuditEvent,
    Membership,
    Organisation,
    Role,
    Unit,
)
from organisations.remembered_units import claim_units_version
from organisations.selectors import (
    left_without_admin,
    parent_of,
    path_key,
    readable_paths,
    root_of,
    unit_by_readable_path,
)
from sword.csvsafe import LOST_LETTER_HINT

MAX_NAME_LENGTH = 200

T = TypeVar("T")


class ImportFailed(Exception):
    """A file that cannot be imported: nothing was changed. `errors` names each bad line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- organisations and units -------------------------------------------------------------


@transaction.atomic
def create_organisation(*, name: str, slug: str = "") -> Organisation:
    claim_units_version()  # before any other lock (see there)
    name = name.strip()
    if not name:
        raise ValidationError(gettext("An organisation needs a name."))
    organisation = Organisation.objects.create(name=name, slug=slug or slugify(name)[:80])
    Unit.objects.add_root(create_kwargs={"organisation": organisation, "name": name})
    return organisation


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(gettext("A unit needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            gettext("A unit name can be at most %(limit)s characters.") % {"limit": MAX_NAME_LENGTH}
        )
    if "/" in name:
        raise ValidationError(
            gettext("A unit name cannot contain “/”, which separates levels in paths.")
        )
    return name


def _check_name_free(parent: Unit, name: str, *, exclude: Unit | None = None) -> None:
    # A unit left where a moved unit was keeps that unit's name (the cycles it holds read as
    # they did), and takes none from a unit added or moved here later.
    siblings = Unit.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1, moved_to__isnull=True
    )
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    taken = siblings.filter(name__iexact=name).values_list("name", flat=True).first()
    if taken is not None:
        raise ValidationError(
            gettext("“%(parent)s” already has a unit called “%(name)s”.")
            % {"parent": parent.name, "name": taken}
        )


@transaction.atomic
def add_unit(*, parent: Unit, name: str, is_team: bool) -> Unit:
    claim_units_version()  # before any other lock (see there)
    name = _clean_name(name)
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    if parent.is_team:
        raise ValidationError(gettext("A team cannot contain other units."))
    if parent.is_archived:
        raise ValidationError(gettext("Restore the archived unit before adding to it."))
    _check_name_free(parent, name)
    unit: Unit = Unit.objects.add_child(
        parent,
        create_kwargs={"organisation_id": parent.organisation_id, "name": name, "is_team": is_team},
    )
    return unit


@transaction.atomic
def rename_unit(*, unit: Unit, name: str) -> Unit:
    claim_units_version()  # before any other lock (see there)
    name = _clean_name(name)
    if unit.depth > 1:
        parent = parent_of(unit)
        assert parent is not None
        _check_name_free(parent, name, exclude=unit)
    unit.name = name
    unit.save(update_fields=["name"])
    if unit.depth == 1:
        Organisation.objects.filter(pk=unit.organisation_id).update(name=name)
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit, with everything below it, under another unit of the same organisation, taking
    every result with it. A unit with a part in a cycle that has opened is moved by
    `diagnostics.services.move_unit`, which leaves that part where it was."""
    moved, _left = move_unit_leaving(unit=unit, new_parent=new_parent, leave=())
    return moved


@transaction.atomic
def move_unit_leaving(
    *, unit: Unit, new_parent: Unit, leave: Collection[int]
) -> tuple[Unit, dict[int, Unit]]:
    """Move a unit, with everything below it, under another unit of the same organisation, and
    leave at the old place of each unit of `leave` (ids of the unit or units below it) and of
    each unit between it and the moved unit an archived unit of the same name and kind, at the
    same tree path, to hold what stays there. Returns the moved unit and, for each unit left
    at, the unit left in its place."""
    claim_units_version()  # before any other lock (see there)
    if unit.depth == 1:
        raise ValidationError(gettext("The organisation itself cannot be moved."))
    if unit.is_former_place:
        raise ValidationError(
            gettext(
                "This unit holds results from before a move and stays where it is. "
                "Move the unit it stands for instead."
            )
        )
    if new_parent.organisation_id != unit.organisation_id:
        raise ValidationError(gettext("A unit can only move within its own organisation."))
    if new_parent.is_within(unit):
        raise ValidationError(gettext("A unit cannot move inside itself or one of its own units."))
    if new_parent.is_team:
        raise ValidationError(gettext("A team cannot contain other units."))
    if new_parent.is_archived:
        raise ValidationError(gettext("Restore the archived unit before moving units into it."))
    if unit.path[: -Unit.steplen] == new_parent.path:
        raise ValidationError(
            gettext("“%(unit)s” is already under “%(parent)s”.")
            % {"unit": unit.name, "parent": new_parent.name}
        )
    _check_name_free(new_parent, unit.name, exclude=unit)
    before = {found.pk: found for found in Unit.objects.within(unit)}
    if not set(leave) <= before.keys():
        raise ValueError("Only the moved unit and the units below it can be left behind.")
    left_paths = {
        path
        for unit_id in leave
        for path in ancestor_paths_from(before[unit_id].path, top=unit.path)
    }
    Unit.objects.move(unit, new_parent, "last-child")
    unit.refresh_from_db()
    if not left_paths:
        return unit, {}
    now = timezone.now()
    # The moved units' old paths are free now; each unit left takes its unit's own, so the
    # tree of a cycle that had opened, and every decision that follows its order, is the one
    # it had.
    old = sorted((found for found in before.values() if found.path in left_paths), key=_path)
    children = Counter(found.path[: -Unit.steplen] for found in old)
    left = Unit.objects.bulk_create(
        Unit(
            organisation_id=found.organisation_id,
            name=found.name,
            is_team=found.is_team,
            path=found.path,
            depth=found.depth,
            numchild=children[found.path],
            archived_at=found.archived_at or now,
            # A former place that moves along is left again for the unit it stands for.
            moved_to_id=found.moved_to_id or found.pk,
        )
        for found in old
    )
    Unit.objects.filter(path=before[unit.pk].path[: -Unit.steplen]).update(
        numchild=F("numchild") + 1
    )
    Organisation.objects.filter(pk=unit.organisation_id).update(has_former_places=True)
    return unit, {found.pk: place for found, place in zip(old, left, strict=True)}


@transaction.atomic
def drop_emptied_former_places(*, unit: Unit) -> int:
    """Delete the former places inside this unit (moved along with it) that hold nothing any
    more, their part having been left at the places they had (`move_unit_leaving`). Returns
    how many."""
    dropped = 0
    for place in Unit.objects.within(unit).filter(moved_to__isnull=False).order_by("-depth"):
        if not unit_has_data(place):
            place.delete()
            dropped += 1
    return dropped


def ancestor_paths_from(path: str, *, top: str) -> list[str]:
    """This path and those above it, up to and including `top`'s."""
    return [path[:end] for end in range(len(top), len(path) + 1, Unit.steplen)]


def _path(unit: Unit) -> str:
    return unit.path


def unit_has_data(unit: Unit) -> bool:
    """Whether anything refers to this unit or a unit below it (memberships, cycles, responses...).

    Looks at every relation pointing at units, so data added by later features counts too.
    """
    subtree = Unit.objects.within(unit)
    if Unit.objects.filter(moved_to__in=subtree).exists():
        return True  # the results it had before it moved are kept where it was
    for relation in Unit._meta.related_objects:
        if not isinstance(relation, ForeignObjectRel) or relation.related_model is Unit:
            continue
        model: Any = relation.related_model
        lookup = f"{relation.field.name}__in"
        if model._default_manager.filter(**{lookup: subtree}).exists():
            return True
    return False


@transaction.atomic
def archive_unit(*, unit: Unit) -> int:
    """Archive a unit and every unit below it. Data is kept. Returns how many were archived."""
    claim_units_version()  # before any other lock (see there)
    if unit.depth == 1:
        raise ValidationError(gettext("The organisation itself cannot be archived."))
    return Unit.objects.within(unit).active().update(archived_at=timezone.now())


@transaction.atomic
def restore_unit(*, unit: Unit) -> int:
    claim_units_version()  # before any other lock (see there)
    if unit.is_former_place:
        raise ValidationError(
            gettext(
                "This unit holds results from before a move and stays archived. "
                "Its results are read where the unit was then."
            )
        )
    parent = parent_of(unit)
    if parent is not None and parent.is_archived:
        raise ValidationError(
            gettext("Restore “%(parent)s” first: this unit sits inside it.")
            % {"parent": parent.name}
        )
    # A place a unit moved from stays archived (it holds that unit's part in the cycles that
    # had opened).
    return Unit.objects.within(unit).filter(moved_to__isnull=True).update(archived_at=None)


@transaction.atomic
def delete_unit(*, unit: Unit) -> None:
    """Delete a unit that has never held data; units with data can only be archived."""
    claim_units_version()  # before any other lock (see there)
    if unit.depth == 1:
        raise ValidationError(gettext("The organisation itself cannot be deleted."))
    if unit_has_data(unit):
        raise ValidationError(
            gettext(
                "This unit (or a unit inside it) has data, so it cannot be deleted. "
                "Archive it instead."
            )
        )
    unit.delete()


# --- people ------------------------------------------------------------------------------


def _lock_organisation(organisation_id: int) -> None:
    """Hold the organisation's row until the transaction ends, so that changes to its roles and
    settings take turns.

    Two org admins removing each other at the same moment would each count the other as the
    admin who stays, and both removals would succeed. With the lock taken before counting, the
    second waits for the first to commit and then counts what the first left (PostgreSQL's
    read committed: each statement sees what was committed before it began). FOR NO KEY UPDATE
    leaves rows that only refer to the organisation (audit entries, cycles) free to be written.
    SQLite has no row locks and takes one writer at a time anyway.
    """
    Organisation.objects.select_for_update(no_key=True).only("pk").get(pk=organisation_id)


def _reload(membership: Membership) -> None:
    """Read a role again under the lock: another admin may have changed or removed it since."""
    try:
        membership.refresh_from_db()
    except Membership.DoesNotExist:
        raise ValidationError(
            gettext("That role no longer exists: someone has just removed it.")
        ) from None


def _check_role_fits_unit(role: str, unit: Unit) -> None:
    if role == Role.ORG_ADMIN and unit.depth != 1:
        raise ValidationError(
            gettext("Organisation admins hold their role at the organisation itself.")
        )
    if role == Role.TEAM_MANAGER and not unit.is_team:
        raise ValidationError(gettext("Team managers hold their role at a team."))
    if role == Role.LEADER and unit.is_team:
        raise ValidationError(
            gettext("Leaders hold their role at a unit above teams; choose a unit.")
        )
    if unit.is_archived:
        raise ValidationError(gettext("Roles cannot be given at an archived unit."))


@transaction.atomic
def grant_membership(*, user: User, unit: Unit, role: str, actor: User | None = None) -> Membership:
    if role not in Role.values:
        raise ValidationError(
            gettext("Unknown role “%(role)s”: use org_admin, leader or team_manager.")
            % {"role": role}
        )
    _check_role_fits_unit(role, unit)
    _lock_organisation(unit.organisation_id)
    other_organisation = (
        Membership.objects.filter(user=user).exclude(organisation_id=unit.organisation_id).first()
    )
    if other_organisation is not None:
        raise ValidationError(
            gettext("%(email)s already has a role in another organisation.") % {"email": user.email}
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        unit=unit,
        defaults={"organisation_id": unit.organisation_id, "role": role},
    )
    old_role = membership.role
    changed = not created and old_role != role
    if changed:
        _keep_one_admin(membership, new_role=role)
        membership.role = role
        membership.save(update_fields=["role"])
    if created or changed:
        now = role_values(role=role, unit=unit)
        record(
            organisation=unit.organisation_id,
            user=actor,
            action=AuditEvent.Action.ROLE_GRANTED if created else AuditEvent.Action.ROLE_CHANGED,
            scope=now["unit"],
            detail=f"{user.email} is {role_text(role)}",
            old={} if created else {**now, "role": old_role},
            new=now,
        )
    forget_reach(user)
    return membership


@transaction.atomic
def change_role(
    *, membership: Membership, role: str, unit: Unit | None = None, actor: User | None = None
) -> Membership:
    if role not in Role.values:
        raise ValidationError(gettext("Unknown role."))
    _lock_organisation(membership.organisation_id)
    _reload(membership)
    target_unit = unit or membership.unit
    if target_unit.organisation_id != membership.organisation_id:
        raise ValidationError(gettext("A role can only move within its own organisation."))
    _check_role_fits_unit(role, target_unit)
    if role == membership.role and target_unit.pk == membership.unit_id:
        return membership  # nothing changes, so nothing to record
    _keep_one_admin(membership, new_role=role)
    if (
        Membership.objects.filter(user=membership.user, unit=target_unit)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            gettext("%(name)s already has a role at %(unit)s.")
            % {"name": membership.user, "unit": target_unit}
        )
    old = role_values(role=membership.role, unit=membership.unit)
    new = role_values(role=role, unit=target_unit)
    membership.role = role
    membership.unit = target_unit
    membership.save(update_fields=["role", "unit"])
    record(
        organisation=target_unit.organisation_id,
        user=actor,
        action=AuditEvent.Action.ROLE_CHANGED,
        scope=new["unit"],
        detail=(
            f"{membership.user.email}: was {role_text(old['role'])} at {old['unit']}, "
            f"now {role_text(role)}"
        ),
        old=old,
        new=new,
    )
    forget_reach(membership.user)
    return membership


@transaction.atomic
def remove_membership(*, membership: Membership, actor: User | None = None) -> None:
    _lock_organisation(membership.organisation_id)
    _reload(membership)
    _keep_one_admin(membership, new_role=None)
    old = role_values(role=membership.role, unit=membership.unit)
    record(
        organisation=membership.organisation_id,
        user=actor,
        action=AuditEvent.Action.ROLE_REMOVED,
        scope=old["unit"],
        detail=f"{membership.user.email} was {role_text(membership.role)}",
        old=old,
    )
    membership.delete()
    forget_reach(membership.user)


@transaction.atomic
def delete_account(*, user: User, actor: User | None = None) -> None:
    """Delete a person's account (platform operators do this in the Django admin), recording
    the removal of each role they held, as removing the roles one by one would."""
    held_in = Membership.objects.filter(user=user).values_list("organisation_id", flat=True)
    for organisation_id in sorted(set(held_in)):
        _lock_organisation(organisation_id)
    for membership in Membership.objects.filter(user=user).select_related("unit", "user"):
        remove_membership(membership=membership, actor=actor)
    user.delete()


def check_can_switch_off(*, user: User) -> None:
    """Refuse to leave an organisation without an organisation admin who can sign in (the
    admin's form asks first; `switch_off_account` asks again under the locks)."""
    stranded = left_without_admin([user])
    if stranded:
        raise ValidationError(
            gettext(
                "%(names)s would be left without an organisation admin who can sign in: give "
                "someone else that role first."
            )
            % {"names": ", ".join(organisation.name for organisation in stranded)}
        )


@transaction.atomic
def switch_off_account(*, user: User) -> None:
    """Stop a person signing in (operators do this in the Django admin), never leaving an
    organisation without an organisation admin who can; checked under each organisation's lock,
    as removing roles is."""
    held_in = Membership.objects.filter(user=user, role=Role.ORG_ADMIN).values_list(
        "organisation_id", flat=True
    )
    for organisation_id in sorted(set(held_in)):
        _lock_organisation(organisation_id)
    check_can_switch_off(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])


def _keep_one_admin(membership: Membership, *, new_role: str | None) -> None:
    """Refuse to leave the organisation without an org admin. Callers hold _lock_organisation."""
    if membership.role != Role.ORG_ADMIN or new_role == Role.ORG_ADMIN:
        return
    # Org admins hold their role at the organisation itself, so this is their only admin role.
    if any(o.pk == membership.organisation_id for o in left_without_admin([membership.user])):
        raise ValidationError(gettext("An organisation needs at least one organisation admin."))


def set_password_link(user: User) -> str:
    """The absolute link where a person chooses their own password (also used for invitations)."""

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invite_colleague(
    *, email: str, display_name: str, role: str, unit: Unit, invited_by: User
) -> Membership:
    """Give a colleague a role, creating their account if needed, and e-mail them a link."""
    email = normalise_email(email)
    validate_email(email)
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, display_name=display_name.strip() or email)
    membership = grant_membership(user=user, unit=unit, role=role, actor=invited_by)
    send_invitation(membership=membership, invited_by=invited_by, new_account=created)
    return membership


def send_invitation(*, membership: Membership, invited_by: User, new_account: bool = False) -> None:
    """E-mail the person their role, with a link to choose a password where they have none
    (a new account, or one made by `import_users` that was never sent anything), once the
    transaction that gave it commits."""
    user = membership.user
    organisation = membership.organisation
    context = {
        "user": user,
        "membership": membership,
        "invited_by": invited_by,
        "organisation": organisation,
        "link": set_password_link(user) if new_account or not user.has_usable_password() else None,
    }
    # The name is typed by an org admin: a line break in it would make the mail library refuse
    # the message (a header holds one line).
    subject = gettext("You have been given access to SWORD for %(organisation)s") % {
        "organisation": " ".join(organisation.name.split())
    }
    transaction.on_commit(
        lambda: send_mail(
            subject=subject,
            message=render_to_string("organisations/email/invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    )


@transaction.atomic
def update_person(
    *, membership: Membership, display_name: str, role: str, unit: Unit, actor: User | None
) -> Membership:
    """Change the name colleagues see (an account from `import_users` is named after its
    address until someone gives it one) and the person's role (`change_role`), together."""
    user = membership.user
    name = " ".join(display_name.split())
    if not name:
        raise ValidationError(gettext("Give their name, as colleagues will see it."))
    if name != user.display_name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    return change_role(membership=membership, role=role, unit=unit, actor=actor)


# --- imports (the §10 automation interface) ------------------------------------------------


def _read_csv(content: str, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in required if c not in columns]
    if missing:
        separated = (
            " (the header is separated by semicolons: save the file as comma-separated CSV)"
            if ";" in "".join(columns)
            else ""
        )
        raise ImportFailed([f"line 1: missing column(s): {', '.join(missing)}{separated}"])
    rows = []
    for row in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cleaned.values()):
            continue
        rows.append((reader.line_num, cleaned))
    if not rows:
        raise ImportFailed(["the file has no rows below the header"])
    return rows


def _split_path(path: str) -> list[str]:
    return [" ".join(part.split()) for part in path.split("/")]


# A "/" with no space on one side or both: the documented separator is " / ".
_BARE_SLASH = re.compile(r"\S/|/\S")


def _look_alike(name: str) -> str:
    """A unit name with case, punctuation and spacing dropped, to notice a new name that is
    likely a typo of a sibling's ("Childrens Services" beside "Children's Services")."""
    return "".join(character for character in name.casefold() if character.isalnum())


@dataclass
class StructureImportResult:
    organisation: Organisation
    created_units: int
    existing_units: int
    created_paths: list[str]  # each new unit's, in the order the file gives them
    warnings: list[str]  # lines imported that may not say what was meant


@transaction.atomic
def import_structure(*, organisation_slug: str, content: str) -> StructureImportResult:
    """Create the organisation if needed and every unit on every path; the last level is a team.

    All or nothing: any bad line raises ImportFailed listing every bad line, and nothing changes.
    Lines imported that may not say what was meant are named in `warnings`: a "/" without
    spaces (read as a level break, as elsewhere), a new name that differs from a sibling's only
    in case, punctuation or spacing, and a "?" in a name (often a letter the file lost).
    """
    claim_units_version()  # before any other lock (see there)
    rows = _read_csv(content, ["path"])
    errors: list[str] = []
    warnings: list[str] = []
    wanted: list[tuple[int, list[str]]] = []
    for line, row in rows:
        parts = _split_path(row["path"])
        if not row["path"] or any(not part for part in parts):
            errors.append(f"line {line}: the path is empty or has an empty level")
        elif any(len(part) > MAX_NAME_LENGTH for part in parts):
            errors.append(f"line {line}: a level is longer than {MAX_NAME_LENGTH} characters")
        else:
            wanted.append((line, parts))
            if _BARE_SLASH.search(row["path"]):
                warnings.append(
                    f"line {line}: a “/” without a space on each side was read as a new level: "
                    f"{' › '.join(f'“{part}”' for part in parts)}. Levels are joined by “ / ”, "
                    "and a unit name cannot contain “/”: check this is the tree you meant."
                )

    organisation = Organisation.objects.filter(slug=organisation_slug).first()
    found = unit_by_readable_path(organisation) if organisation else None
    existing = found.by_key() if found is not None else {}
    own_name = path_key(organisation.name) if organisation else None
    team_paths = {
        path_key(UNIT_PATH_SEPARATOR.join(parts)): line for line, parts in wanted
    }  # last level of each path
    for line, parts in wanted:
        if own_name is not None and path_key(parts[0]) == own_name:
            errors.append(
                f"line {line}: paths start below the organisation: leave out “{parts[0]}”"
            )
            continue
        for depth in range(1, len(parts)):
            prefix = UNIT_PATH_SEPARATOR.join(parts[:depth])
            if path_key(prefix) in team_paths:
                errors.append(
                    f"line {line}: “{prefix}” is a team on line {team_paths[path_key(prefix)]} "
                    "and cannot contain other units"
                )
            unit = existing.get(path_key(prefix))
            if unit is not None and unit.is_team:
                errors.append(f"line {line}: “{prefix}” is already a team and cannot contain units")
        full = UNIT_PATH_SEPARATOR.join(parts)
        unit = existing.get(path_key(full))
        if unit is not None and not unit.is_team:
            errors.append(f"line {line}: “{full}” already exists as a unit, not a team")
    if errors:
        raise ImportFailed(errors)

    if organisation is None:
        organisation = create_organisation(
            name=organisation_slug.replace("-", " ").title(), slug=organisation_slug
        )
    if found is None:
        found = unit_by_readable_path(organisation)
        existing = found.by_key()
    readable = {path_key(path): path for path in found}  # as the site writes each path
    root = root_of(organisation)
    there_before = set(existing)
    # Each parent's children (by path_key; "" for the root's) as (look-alike, name, line of
    # the file that created it, or None for a unit there before).
    siblings: dict[str, list[tuple[str, str, int | None]]] = {}
    for key, unit in existing.items():
        if unit.depth > 1:  # the root's path is the organisation's name
            parent_key = key.rpartition(UNIT_PATH_SEPARATOR)[0]
            siblings.setdefault(parent_key, []).append((_look_alike(unit.name), unit.name, None))
    named: set[str] = set()
    lost_letters: set[str] = set()
    created_paths: list[str] = []
    for line, parts in wanted:
        parent = root
        parent_key = ""
        for depth in range(1, len(parts) + 1):
            name = parts[depth - 1]
            key = path_key(UNIT_PATH_SEPARATOR.join(parts[:depth]))
            named.add(key)
            if "?" in name and key not in lost_letters:
                lost_letters.add(key)
                warnings.append(f"line {line}: “{name}” has a “?”. {LOST_LETTER_HINT}")
            unit = existing.get(key)
            if unit is None:
                unit = add_unit(parent=parent, name=name, is_team=depth == len(parts))
                existing[key] = unit
                readable[key] = (
                    f"{readable[parent_key]}{UNIT_PATH_SEPARATOR}{unit.name}"
                    if parent_key
                    else unit.name
                )
                created_paths.append(readable[key])
                warnings.extend(_looks_like_a_sibling(unit.name, line, siblings.get(parent_key)))
                siblings.setdefault(parent_key, []).append(
                    (_look_alike(unit.name), unit.name, line)
                )
            parent = unit
            parent_key = key
    seen = len(named & there_before)
    return StructureImportResult(
        organisation,
        created_units=len(created_paths),
        existing_units=seen,
        created_paths=created_paths,
        warnings=warnings,
    )


def _looks_like_a_sibling(
    name: str, line: int, siblings: list[tuple[str, str, int | None]] | None
) -> list[str]:
    """A warning for each sibling whose name the new unit's resembles (`_look_alike`)."""
    alike = _look_alike(name)
    return [
        f"line {line}: “{name}” looks like the existing “{other}”; check it is not a typo"
        if created_on is None
        else f"line {line}: “{name}” looks like “{other}” (line {created_on}); check it is not a "
        "typo"
        for other_alike, other, created_on in siblings or []
        if alike and other_alike == alike
    ]


@dataclass
class UsersImportResult:
    created_users: int
    memberships: int  # roles given that the person did not hold at the unit
    changed_roles: int  # roles at a unit the person held in another role
    unchanged: int  # lines giving a role the person already held there
    changes: list[str]  # one line for each role given or changed, in file order
    given: list[Membership]  # the roles given or changed


@transaction.atomic
def import_users(
    *, organisation: Organisation, content: str, actor: User | None = None
) -> UsersImportResult:
    """Give each listed person a role at a unit. All or nothing, like import_structure.

    An optional `name` column gives a new account its name (without one, it is named after its
    address), and renames an existing one where the cell is filled in."""
    rows = _read_csv(content, ["email", "role", "unit_path"])
    units = unit_by_readable_path(organisation)
    root = root_of(organisation)
    errors: list[str] = []
    plan: list[tuple[int, str, str, Unit]] = []
    seen: dict[tuple[str, int], tuple[int, str]] = {}  # (line, role) given there first
    names: dict[str, str] = {}
    for line, row in rows:
        email = normalise_email(row.get("email", ""))
        if name := " ".join(row.get("name", "").split()):
            names[email] = name[:120]
        role = row.get("role", "")
        path = row.get("unit_path", "")
        problems = []
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{row.get('email', '')}” is not a valid e-mail address")
        if role not in Role.values:
            problems.append(f"unknown role “{role}” (use org_admin, leader or team_manager)")
        unit = (
            root if path in ("", organisation.name) and role == Role.ORG_ADMIN else units.get(path)
        )
        if unit is None:
            lost_letter = f". {LOST_LETTER_HINT}" if "?" in path else ""
            problems.append(f"no unit with the path “{path}”{lost_letter}")
        elif role in Role.values:
            try:
                _check_role_fits_unit(role, unit)
            except ValidationError as exc:
                problems.append(exc.messages[0])
        earlier = seen.get((email, unit.pk)) if unit is not None else None
        if earlier is not None and earlier[1] != role:
            problems.append(
                f"gives {email} a different role at this unit from line {earlier[0]} "
                f"({earlier[1]}): keep only the line with the role they should hold"
            )
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        assert unit is not None
        if earlier is not None:
            continue  # the same role at the same unit again: given once
        seen[(email, unit.pk)] = (line, role)
        plan.append((line, email, role, unit))

    emails = {email for _, email, _, _ in plan}
    elsewhere = set(
        Membership.objects.filter(user__email__in=emails)
        .exclude(organisation=organisation)
        .values_list("user__email", flat=True)
    )
    for line, email, _role, _unit in plan:
        if email in elsewhere:
            errors.append(f"line {line}: {email} already has a role in another organisation")
    if errors:
        raise ImportFailed(errors)

    existing_users = {user.email: user for user in User.objects.filter(email__in=emails)}
    held = {
        (email, unit_id): role
        for email, unit_id, role in Membership.objects.filter(
            organisation=organisation, user__email__in=emails
        ).values_list("user__email", "unit_id", "role")
    }
    paths = readable_paths(organisation)
    created = given = changed = 0
    changes: list[str] = []
    given_roles: list[Membership] = []
    for _line, email, role, unit in plan:
        user = existing_users.get(email)
        new_account = user is None
        if user is None:
            user = User.objects.create_user(
                email=email, display_name=names.get(email) or email.split("@")[0]
            )
            existing_users[email] = user
            created += 1
        elif names.get(email, user.display_name) != user.display_name:
            user.display_name = names[email]
            user.save(update_fields=["display_name"])
            changes.append(f"renamed: {email}, now “{user.display_name}”")
        membership = grant_membership(user=user, unit=unit, role=role, actor=actor)
        old_role = held.get((email, unit.pk))
        held[(email, unit.pk)] = role
        if old_role is None:
            given += 1
            account = " (new account)" if new_account else ""
            changes.append(f"given: {email}, {role} at {paths[unit.pk]}{account}")
            given_roles.append(membership)
        elif old_role != role:
            changed += 1
            changes.append(f"changed: {email}, {old_role} → {role} at {paths[unit.pk]}")
            given_roles.append(membership)
    return UsersImportResult(
        created_users=created,
        memberships=given,
        changed_roles=changed,
        unchanged=len(plan) - given - changed,
        changes=changes,
        given=given_roles,
    )


@transaction.atomic
def import_people(
    *, organisation: Organisation, content: str, actor: User, send_links: bool
) -> UsersImportResult:
    """`import_users` from the people page: with `send_links`, everyone given a role (or a
    new one) is e-mailed it, with a link to choose a password where they have none, as an
    invitation is, once the import commits."""
    result = import_users(organisation=organisation, content=content, actor=actor)
    if send_links:
        for membership in result.given:
            send_invitation(membership=membership, invited_by=actor)
    return result


def previewed(run: Callable[[], T]) -> T:
    """What `run` would do, undone: it runs in a transaction rolled back at its end, so nothing
    it writes stays and no e-mail it would send on commit goes."""
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


def _has_run_pulses(organisation: Organisation) -> bool:
    # Through the reverse relation: diagnostics builds on organisations, so no import of it here.
    return organisation.cycles.filter(kind="pulse").exclude(status="draft").exists()


def has_opened_cycles(organisation: Organisation) -> bool:
    """Whether any of the organisation's cycles has opened (the threshold is then fixed)."""
    return organisation.cycles.exclude(status="draft").exists()


THRESHOLD_FIXED = _(
    "The anonymity threshold cannot change once a cycle has opened: figures released under the "
    "old threshold and the new could be subtracted to reveal a group smaller than either. It "
    "can be set before the first cycle opens."
)


def _survey_languages(chosen: Any) -> list[str]:
    """The languages besides English an organisation's surveys offer, in the site's order."""
    others = [code for code, _ in settings.LANGUAGES[1:]]
    if not isinstance(chosen, list | tuple) or any(code not in others for code in chosen):
        raise ValidationError(
            gettext("Surveys can be offered only in the site's languages: %(languages)s.")
            % {"languages": ", ".join(others)}
        )
    return [code for code in others if code in chosen]


@transaction.atomic
def update_settings(
    *, organisation: Organisation, values: dict[str, Any], actor: User | None
) -> Organisation:
    """Change the organisation's settings; each change of a threshold is in the audit log, with
    every changed field's value before and after."""
    if "name" in values:
        claim_units_version()  # the root unit takes the name: before any other lock (see there)
    _lock_organisation(organisation.pk)
    organisation.refresh_from_db()  # the values replaced are those stored, not those last read
    k = values.get("anonymity_threshold", organisation.anonymity_threshold)
    if k < 3:
        raise ValidationError(gettext("The anonymity threshold can never be below 3."))
    if k != organisation.anonymity_threshold and has_opened_cycles(organisation):
        raise ValidationError(str(THRESHOLD_FIXED))
    window = values.get("pulse_window_days", organisation.pulse_window_days)
    if window != organisation.pulse_window_days and _has_run_pulses(organisation):
        raise ValidationError(
            gettext(
                "The pulse pooling window cannot change once a pulse has opened: pulses pooled "
                "over the old periods and the new could be subtracted to reveal a small group. "
                "It can be set before the first pulse."
            )
        )
    turning_on = values.get("cycle_reminders") and not organisation.cycle_reminders
    if turning_on and not settings.REMINDER_ADDRESS_KEY:
        raise ValidationError(
            gettext(
                "Reminders cannot be turned on here yet: they keep invited addresses encrypted, "
                "and the key for that (REMINDER_ADDRESS_KEY) has not been set on the server. Ask "
                "whoever runs SWORD for your organisation to set it."
            )
        )
    if "survey_languages" in values:
        values = {**values, "survey_languages": _survey_languages(values["survey_languages"])}
    changes = []
    old_values: dict[str, Any] = {}
    new_values: dict[str, Any] = {}
    for field, value in values.items():
        if field not in SETTING_LABELS:
            raise ValidationError(gettext("Unknown setting “%(field)s”.") % {"field": field})
        old = getattr(organisation, field)
        if old != value:
            shown = (
                "changed"
                if field in ("safety_contact", "safety_contact_in_languages", "name_in_languages")
                else f"{old} → {value}"
            )
            changes.append(f"{SETTING_LABELS[field]}: {shown}")
            old_values[field] = old
            new_values[field] = value
            setattr(organisation, field, value)
    if not changes:
        return organisation
    organisation.full_clean()
    organisation.save()
    if old_values.get("cycle_reminders") is True:
        # Turned off: the addresses kept for reminders are used for nothing else, so they go
        # now. Through the reverse relation: diagnostics builds on organisations.
        organisation.reminder_addresses.all().delete()
    if "name" in values:
        Unit.objects.filter(organisation=organisation, depth=1).update(name=organisation.name)
    record(
        organisation=organisation,
        user=actor,
        action=AuditEvent.Action.THRESHOLD_CHANGED,
        scope=organisation.name,
        detail="; ".join(changes),
        old=old_values,
        new=new_values,
    )
    return organisation
