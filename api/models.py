"""Tokens for the read API (PRODUCT §13): made by an organisation admin, stored only as a hash.

A token has no reach of its own: at each use it reads with its creator's roles as they are
then (api.access.token_reach), so a changed or removed role narrows or empties what it sees.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class ApiToken(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The token reads what this person can read at the time of each use.",
    )
    name = models.CharField(
        max_length=80, help_text="What uses it, so you know which to revoke: “Power BI workforce”."
    )
    digest = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        help_text="SHA-256 of the token; the token itself is shown once and never stored whole.",
    )
    shown_start = models.CharField(
        max_length=16,
        blank=True,
        editable=False,
        help_text="The token's first characters, so a token found in a file or a log can be "
        "matched to its row here; too few to guess the rest from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(help_text="The token stops working after this day.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def state_on(self, today: date) -> ApiToken.State:
        if self.revoked_at is not None:
            return self.State.REVOKED
        if today > self.expires_on:
            return self.State.EXPIRED
        return self.State.ACTIVE
