"""Writes for voice boards. Each runs in one transaction."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from accounts.languages import in_language_of
from accounts.models import User
from notices.services import Notice, send_notices
from organisations.models import Membership, Unit
from organisations.selectors import people_running
from voice.browser import support_hash
from voice.models import (
    ISSUE_TEXT_MAX_LENGTH,
    VoiceAnswer,
    VoiceBoard,
    VoiceIssue,
    VoiceSupport,
)

TOKEN_BYTES = 18


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def board_for(team: Unit) -> VoiceBoard:
    """The team's board, made on first use."""
    if not team.is_team:
        raise ValidationError(gettext("Voice boards belong to teams."))
    board, _ = VoiceBoard.objects.get_or_create(team=team, defaults={"token": new_token()})
    return board


@transaction.atomic
def rotate_link(team: Unit) -> VoiceBoard:
    """Give the team's board a new secret link; the old one stops working at once."""
    board = board_for(team)
    board.token = new_token()
    board.rotated_at = timezone.now()
    board.save(update_fields=["token", "rotated_at"])
    return board


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(gettext("Describe the issue."))
    if len(text) > ISSUE_TEXT_MAX_LENGTH:
        raise ValidationError(
            gettext("Keep the issue to %(limit)s characters or fewer (it has %(length)s).")
            % {
                "limit": number_format(ISSUE_TEXT_MAX_LENGTH, force_grouping=True),
                "length": number_format(len(text), force_grouping=True),
            }
        )
    return text


@transaction.atomic
def raise_issue(
    *, board: VoiceBoard, category: str, text: str, browser_secret: str | None = None
) -> VoiceIssue:
    """Put a collective issue on the board, dated (never timed).

    With the raiser's browser secret, raising counts as that browser's support, so the board
    shows how many people want it fixed and the raiser cannot support it a second time.
    """
    if category not in VoiceIssue.Category.values:
        raise ValidationError(gettext("Choose what the issue is about."))
    if board.team.is_archived:
        raise ValidationError(gettext("This team's voice board is closed."))
    issue = VoiceIssue.objects.create(
        board=board,
        organisation_id=board.team.organisation_id,
        category=category,
        text=_clean_text(text),
        raised_on=timezone.localdate(),
    )
    if browser_secret:
        support_issue(issue=issue, browser_secret=browser_secret)
        issue.refresh_from_db(fields=["support_count"])
    return issue


@transaction.atomic
def support_issue(*, issue: VoiceIssue, browser_secret: str) -> bool:
    """Count one browser's support once. False when this browser had already supported it.

    The unique constraint refuses a second support from the same browser, even from a double
    click whose two requests race; the count moves only when the insert succeeds.
    """
    if issue.hidden:
        raise ValidationError(gettext("This issue has been hidden, so it cannot be supported."))
    try:
        with transaction.atomic():
            VoiceSupport.objects.create(
                issue=issue, browser_hash=support_hash(issue.pk, browser_secret)
            )
    except IntegrityError:
        return False
    VoiceIssue.objects.filter(pk=issue.pk).update(support_count=F("support_count") + 1)
    return True


def answering_role(*, user: User, issue: VoiceIssue) -> Membership | None:
    """The role the user answers the issue in: the one held nearest above the team (a team
    manager of the team before a leader of its service), else nearest above the unit the issue
    was escalated to, else None (one query)."""
    memberships = list(
        Membership.objects.filter(
            user=user, organisation_id=issue.board.team.organisation_id
        ).select_related("unit")
    )
    targets = [issue.board.team, issue.escalated_to]
    for target in targets:
        if target is None:
            continue
        covering = [m for m in memberships if target.path.startswith(m.unit.path)]
        if covering:
            return max(covering, key=lambda m: len(m.unit.path))
    return None


@transaction.atomic
def answer_issue(
    *,
    issue: VoiceIssue,
    status: str,
    answer: str,
    answered_by: User,
    status_reason: str = "",
) -> VoiceIssue:
    """Answer the team publicly with a status; “not possible” needs a reason. Each answer is
    kept, with the role and unit it was given in, and the issue shows the latest."""
    if status not in VoiceIssue.ANSWER_STATUSES:
        raise ValidationError(gettext("Choose a status for the answer."))
    answer = answer.replace("\r\n", "\n").strip()
    status_reason = status_reason.replace("\r\n", "\n").strip()
    if not answer:
        raise ValidationError(gettext("Write the answer the team will read."))
    if status == VoiceIssue.Status.NOT_POSSIBLE and not status_reason:
        raise ValidationError(gettext("Say why it is not possible: the team will read the reason."))
    if status != VoiceIssue.Status.NOT_POSSIBLE:
        status_reason = ""
    # Compared with the answer as stored, the row held: a double click waits, then finds it.
    stored = VoiceIssue.objects.select_for_update().get(pk=issue.pk)
    issue.status, issue.answer, issue.status_reason = (
        stored.status,
        stored.answer,
        stored.status_reason,
    )
    if issue.is_answered and (status, answer, status_reason) == (
        issue.status,
        issue.answer,
        issue.status_reason,
    ):
        raise ValidationError(
            gettext(
                "This is the answer the team already reads. Change the status or the words to "
                "publish a new one."
            )
        )
    issue.status = status
    issue.answer = answer
    issue.status_reason = status_reason
    issue.answered_by = answered_by
    issue.answered_on = timezone.localdate()
    issue.save(update_fields=["status", "answer", "status_reason", "answered_by", "answered_on"])
    role = answering_role(user=answered_by, issue=issue)
    VoiceAnswer.objects.create(
        issue=issue,
        status=issue.status,
        text=issue.answer,
        status_reason=issue.status_reason,
        role=role.role if role else "",
        unit=role.unit if role else None,
        answered_by=answered_by,
        answered_on=issue.answered_on,
    )
    return issue


@transaction.atomic
def escalate_issue(*, issue: VoiceIssue, to: Unit) -> VoiceIssue:
    """Send the issue to a unit above the one that has it (the team, or the unit it was last
    escalated to), which owns the lever; the board shows where."""
    team = issue.board.team
    if to.pk == issue.escalated_to_id:
        raise ValidationError(gettext("This issue is already with %(unit)s.") % {"unit": to.name})
    if to.organisation_id != team.organisation_id or to.path not in team.ancestor_paths():
        raise ValidationError(gettext("An issue can only be escalated to a unit above its team."))
    holder = issue.escalated_to
    if holder is not None and to.path not in holder.ancestor_paths():
        raise ValidationError(
            gettext("This issue is with %(unit)s: it can only be escalated further up.")
            % {"unit": holder.name}
        )
    issue.escalated_to = to
    issue.save(update_fields=["escalated_to"])
    return issue


@transaction.atomic
def hide_issue(*, issue: VoiceIssue, reason: str, hidden_by: User) -> VoiceIssue:
    """Hide an issue (for example one that names someone); the board shows the reason instead."""
    reason = reason.replace("\r\n", "\n").strip()
    if not reason:
        raise ValidationError(gettext("Give the reason the team will see in place of the issue."))
    issue.hidden = True
    issue.hidden_reason = reason
    issue.hidden_by = hidden_by
    issue.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    return issue


@transaction.atomic
def unhide_issue(*, issue: VoiceIssue) -> VoiceIssue:
    issue.hidden = False
    issue.hidden_reason = ""
    issue.hidden_by = None
    issue.save(update_fields=["hidden", "hidden_reason", "hidden_by"])
    return issue


# -- notices (the daily job voice.send_escalation_notices) ----------------------------------


def issue_url(issue: VoiceIssue) -> str:
    return settings.SITE_URL + reverse("voice:issue", kwargs={"issue_id": issue.pk})


def send_escalation_notices(*, today: date) -> int:
    """The daily job's work: the people who run the unit an unresolved issue was escalated to
    are told once per escalation (an issue sent further up tells the next unit's people).
    The e-mail names the category, the team and the unit and links to the issue: never the
    issue's words (staff wrote them for the board, not for mailboxes) nor its supporters.
    Answered-and-closed (done, not possible) and hidden issues send nothing. Each in the
    language its reader chose. Idempotent through notices.services. Returns how many e-mails
    were sent."""
    issues = list(
        VoiceIssue.objects.filter(escalated_to__isnull=False, hidden=False)
        .exclude(status__in=[VoiceIssue.Status.DONE, VoiceIssue.Status.NOT_POSSIBLE])
        .select_related("board__team", "escalated_to")
        .order_by("pk")
    )
    runners = people_running(i.escalated_to for i in issues if i.escalated_to is not None)
    notices: list[Notice] = []
    for issue in issues:
        target = issue.escalated_to
        assert target is not None
        for person in runners[target.pk]:
            with in_language_of(person):
                category = issue.get_category_display().lower()
                notices.append(
                    Notice(
                        kind="voice-escalated",
                        about=f"voice-issue:{issue.pk}:to:{target.pk}",
                        to=person.email,
                        subject=gettext("A staff issue was escalated to %(unit)s")
                        % {"unit": target.name},
                        body=gettext(
                            "Hello %(name)s,\n\n"
                            "An issue about %(category)s that staff raised on the voice board of "
                            "%(team)s was escalated to %(unit)s, because the lever it needs sits "
                            "there. The team sees where it went and waits for an answer.\n\n"
                            "Read it and answer it publicly to the team:\n%(url)s\n\n"
                            "SWORD\n"
                        )
                        % {
                            "name": person.display_name,
                            "category": category,
                            "team": issue.board.team.name,
                            "unit": target.name,
                            "url": issue_url(issue),
                        },
                    )
                )
    return send_notices(notices, today=today)
