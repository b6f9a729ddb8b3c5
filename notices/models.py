"""What the scheduled jobs have already sent, so that running a job again sends nothing twice."""

from __future__ import annotations

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
