"""Demo voice boards: collective issues on four teams, some answered, one escalated, one hidden."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations.models import Unit
from voice.models import VoiceAnswer, VoiceIssue
from voice.services import (
    answer_issue,
    board_for,
    escalate_issue,
    hide_issue,
    raise_issue,
    support_issue,
)

Category = VoiceIssue.Category
Status = VoiceIssue.Status


@dataclass(frozen=True)
class DemoIssue:
    team: str
    category: str
    text: str
    supports: int
    days_ago: int
    status: str = Status.NEW
    answer: str = ""
    reason: str = ""
    answered_days_ago: int = 0
    escalate_to: str = ""
    hide_reason: str = ""


ISSUES = [
    DemoIssue(
        "Child Protection North",
        Category.CASELOADS,
        "Since two posts went vacant in the spring, most of us carry 24 or more children. "
        "New cases are allocated the same day, with no chance to say the caseload is full.",
        supports=11,
        days_ago=40,
        status=Status.IN_PROGRESS,
        answer="Heard. Two agency practitioners start next month while we recruit, and no new "
        "case is allocated to anyone over 20 without the service manager's agreement.",
        answered_days_ago=33,
        escalate_to="Children's Services",
    ),
    DemoIssue(
        "Child Protection North",
        Category.SUPERVISION,
        "Supervision is cancelled whenever duty is busy, which is most weeks. Several of us "
        "have not had supervision for two months.",
        supports=9,
        days_ago=35,
        status=Status.DONE,
        answer="Supervision is now booked six months ahead and is never simply cancelled: if it "
        "has to move, it is rebooked within five working days. Held to date: 94%.",
        answered_days_ago=20,
    ),
    DemoIssue(
        "Child Protection North",
        Category.SAFETY,
        "Late home visits to families with a history of violence are often done alone because "
        "nobody else is free, and the lone-working phone check-in is not answered after 5pm.",
        supports=8,
        days_ago=18,
        status=Status.HEARD,
        answer="Heard, and we agree this cannot wait. From Monday, visits flagged as high risk "
        "are paired, and the duty manager answers check-ins until the last visit is logged.",
        answered_days_ago=16,
    ),
    DemoIssue(
        "Child Protection North",
        Category.SYSTEMS,
        "The case recording system logs us out after ten minutes, so notes typed during a "
        "long assessment are lost. It costs each of us about an hour a week.",
        supports=6,
        days_ago=12,
        status=Status.NOT_POSSIBLE,
        answer="We asked IT to lengthen the time-out for the team.",
        reason="The time-out is set by the national security standard the system must meet, "
        "and cannot be changed for one team. IT will add automatic saving of drafts in the "
        "June release instead.",
        answered_days_ago=6,
    ),
    DemoIssue(
        "Child Protection North",
        Category.OTHER,
        "The duty rota is always changed at the last minute by the same senior practitioner, "
        "who never takes a Friday themselves.",
        supports=1,
        days_ago=9,
        hide_reason="It described an individual colleague. Please raise the rota again as an "
        "issue for the team, without naming or describing anyone.",
    ),
    DemoIssue(
        "Assessment North",
        Category.SYSTEMS,
        "Half of the team's laptops take fifteen minutes to start and cannot run video calls, "
        "so we join meetings from our phones.",
        supports=7,
        days_ago=26,
        status=Status.IN_PROGRESS,
        answer="Eight replacement laptops are ordered and will arrive in three weeks; the rest "
        "follow in the next quarter.",
        answered_days_ago=21,
    ),
    DemoIssue(
        "Assessment North",
        Category.CASELOADS,
        "Assessments that pass the 45-day limit are reallocated to whoever has the fewest "
        "cases, without anyone looking at how complex those cases are.",
        supports=4,
        days_ago=7,
    ),
    DemoIssue(
        "Hospital Discharge",
        Category.CASELOADS,
        "Discharge targets went up from eight to twelve a week per worker, but the team is the "
        "same size. We no longer have time to speak to families before people go home.",
        supports=10,
        days_ago=21,
    ),
    DemoIssue(
        "Hospital Discharge",
        Category.SAFETY,
        "There is no safe, private room on the ward to talk to families who are distressed "
        "or angry.",
        supports=5,
        days_ago=14,
    ),
    DemoIssue(
        "Adults East",
        Category.SUPERVISION,
        "Newly qualified workers in the team have had no reflective supervision since the "
        "team manager post became vacant.",
        supports=3,
        days_ago=5,
    ),
]


def _support(issue: VoiceIssue, count: int) -> None:
    """Honest counts: one support row per (made-up) browser."""
    for _ in range(count):
        support_issue(issue=issue, browser_secret=secrets.token_urlsafe(32))


@transaction.atomic
def build_voice(*, units: dict[str, Unit], answerer: User) -> None:
    rng = random.Random(2026)
    today = timezone.localdate()
    for spec in ISSUES:
        board = board_for(units[spec.team])
        issue = raise_issue(board=board, category=spec.category, text=spec.text)
        # A little spread, the same every run.
        supports = max(1, spec.supports + rng.randint(-1, 1))
        _support(issue, supports)
        if spec.status != Status.NEW:
            answer_issue(
                issue=issue,
                status=spec.status,
                answer=spec.answer,
                status_reason=spec.reason,
                answered_by=answerer,
            )
        if spec.escalate_to:
            escalate_issue(issue=issue, to=units[spec.escalate_to])
        if spec.hide_reason:
            hide_issue(issue=issue, reason=spec.hide_reason, hidden_by=answerer)
        if spec.status != Status.NEW:
            VoiceAnswer.objects.filter(issue=issue).update(
                answered_on=today - timedelta(days=spec.answered_days_ago)
            )
        VoiceIssue.objects.filter(pk=issue.pk).update(
            raised_on=today - timedelta(days=spec.days_ago),
            answered_on=(
                today - timedelta(days=spec.answered_days_ago)
                if spec.status != Status.NEW
                else None
            ),
        )
