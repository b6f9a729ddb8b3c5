"""What the scheduled jobs have already sent, so that running a job again sends nothing twice,
and each person's choice of the notices they may turn off."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SentNotice(models.Model):
    """One notice sent (or being sent) to one address. The key is a keyed hash of the notice's
    kind, what it is about and the address (services.notice_key): the address itself is not kept.
    """

    key = models.CharField(max_length=64, primary_key=True)
    kind = models.CharField(max_length=40)
    sent_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["kind", "sent_on"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.sent_on:%Y-%m-%d}"


class NoticePreference(models.Model):
    """A person's choice about the notices they may turn off. Only the weekly digest can be
    turned off: notices about an action someone owns, or work escalated to the unit they run,
    are part of the job. No row means the defaults (the digest on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_preference",
    )
    weekly_digest = models.BooleanField(
        "send me the weekly digest",
        default=True,
        help_text=(
            "A Monday-morning e-mail for leaders and organisation admins: new staff issues, "
            "overdue actions, cycles closing and results newly shown in your part of the "
            "organisation."
        ),
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notice choices of user {self.user_id}"
