"""Team voice boards: collective issues raised by staff and answered publicly by leaders (§7).

Nothing here identifies who raised or supported an issue: no user, IP address, user agent,
session or time of day. A support stores only a hash of the issue and a random secret that
lives in the supporter's browser, so supports of different issues cannot be linked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, Role, Unit

ISSUE_TEXT_MAX_LENGTH = 1000


class VoiceBoard(models.Model):
    """A team's board, opened by its secret link. Changing the token retires the old link."""

    team = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="voice_board")
    token = models.CharField(max_length=64, unique=True)
    rotated_at = models.DateTimeField(
        null=True, blank=True, help_text="When a manager last changed the link."
    )

    def __str__(self) -> str:
        return f"Voice board of {self.team}"


class VoiceIssue(models.Model):
    class Category(models.TextChoices):
        CASELOADS = "caseloads", _("Caseloads")
        SUPERVISION = "supervision", _("Supervision")
        SAFETY = "safety", _("Safety")
        SYSTEMS = "systems", _("Systems and equipment")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for an answer")
        HEARD = "heard", _("Heard")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_POSSIBLE = "not_possible", _("Not possible")

    ANSWER_STATUSES = (Status.HEARD, Status.IN_PROGRESS, Status.DONE, Status.NOT_POSSIBLE)

    board = models.ForeignKey(VoiceBoard, on_delete=models.CASCADE, related_name="issues")
    # The board's team's organisation, kept on the issue (a team never leaves its organisation)
    # so that an organisation's issues are read and counted without joining every board and
    # unit: at 3,000 teams that join was most of the home page's database time.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", editable=False
    )
    category = models.CharField(max_length=16, choices=Category.choices)
    text = models.TextField(max_length=ISSUE_TEXT_MAX_LENGTH)
    raised_on = models.DateField(help_text="The date only, never a time of day.")
    support_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    answer = models.TextField(blank=True, help_text="The public answer the team reads.")
    status_reason = models.TextField(
        blank=True, help_text="Why it is not possible (needed for that status)."
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_on = models.DateField(null=True, blank=True)
    # RESTRICT, not PROTECT: the unit cannot be deleted on its own, but deleting a whole tree
    # (which takes the board and its issues with it) may go ahead.
    escalated_to = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="escalated_voice_issues",
    )
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-support_count", "-raised_on", "-pk"]
        indexes = [
            models.Index(fields=["board", "-support_count", "-raised_on"]),
            models.Index(
                fields=["organisation", "status", "-raised_on", "-id"],
                name="voice_issue_org_status_newest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), ISSUE_TEXT_MAX_LENGTH),
                name="voice_issue_text_at_most_1000_characters",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_possible") | ~models.Q(status_reason=""),
                name="voice_issue_not_possible_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(hidden=False) | ~models.Q(hidden_reason=""),
                name="voice_issue_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.text[:60]}"

    @property
    def is_answered(self) -> bool:
        return self.status != self.Status.NEW


class VoiceAnswer(models.Model):
    """One public answer to an issue, kept when a later answer follows it: the board reads an
    issue's answers newest first. It says who answered by the role and unit they answered as
    ("Team manager, Child Protection North"); the board never shows a name. The issue keeps
    its latest status and answer as well, for lists and filters."""

    issue = models.ForeignKey(VoiceIssue, on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(max_length=16, choices=VoiceIssue.Status.choices)
    text = models.TextField()
    status_reason = models.TextField(blank=True)
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="The role the answer was given in; empty if the answerer held none for it.",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the answerer holds that role.",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown to signed-in leaders only, never on the board.",
    )
    answered_on = models.DateField(help_text="The date only.")

    class Meta:
        ordering = ["-answered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.text[:60]}"

    @property
    def answered_as(self) -> str:
        """Who answered, as the team reads it: a role and a unit, never a name."""
        if not self.role:
            return gettext("A leader")
        label = str(Role(self.role).label)
        return f"{label}, {self.unit.name}" if self.unit is not None else label


class VoiceSupport(models.Model):
    """One browser's support for one issue: only sha256(f"{issue.pk}:{browser secret}")."""

    issue = models.ForeignKey(VoiceIssue, on_delete=models.CASCADE, related_name="supports")
    browser_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "browser_hash"], name="voice_one_support_per_browser"
            ),
        ]
