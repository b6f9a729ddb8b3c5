"""The interventions library and the action plans that close the loop (§7)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from diagnostics.models import Cycle, Domain
from organisations.models import Organisation, Unit


class Intervention(models.Model):
    """A way to improve a domain's conditions: what to do, why it helps, how you will know."""

    class Kind(models.TextChoices):
        QUICK_WIN = "quick_win", _("Quick win")
        DEEPER = "deeper", _("Deeper strategy")

    class Lever(models.TextChoices):
        TEAM = "team", _("Team")
        SERVICE = "service", _("Service")
        ORGANISATION = "organisation", _("Organisation")

    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interventions",
        help_text="Empty for the built-in library every organisation sees.",
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    lever = models.CharField(
        max_length=16, choices=Lever.choices, help_text="The level that owns the lever."
    )
    title = models.CharField(max_length=120)
    what = models.TextField("what to do", max_length=2000)
    why = models.TextField("why it helps", max_length=2000)
    measure = models.TextField("how you will know it worked", max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["domain__position", "kind", "position", "title"]

    def __str__(self) -> str:
        return self.title

    def wording_in(self, language: str) -> InterventionWording:
        """Its words in `language` where it has them all (prefetch `texts`), else in English."""
        text = next((t for t in self.texts.all() if t.language == language), None)
        source: Intervention | InterventionText = text if text is not None else self
        return InterventionWording(
            title=source.title,
            what=source.what,
            why=source.why,
            measure=source.measure,
            language=language if text is not None else settings.LANGUAGES[0][0],
        )


@dataclass(frozen=True)
class InterventionWording:
    title: str
    what: str
    why: str
    measure: str
    language: str


class InterventionText(models.Model):
    """An intervention's words in a language other than English (which are its own fields).

    Written for the built-in library by a data migration, and imported for review with
    `manage.py import_translations`; a library page shows them to people who chose the language.
    """

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, help_text="A code from settings.LANGUAGES.")
    title = models.CharField(max_length=120)
    what = models.TextField("what to do", max_length=2000)
    why = models.TextField("why it helps", max_length=2000)
    measure = models.TextField("how you will know it worked", max_length=2000)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "language"], name="intervention_text_once_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="actions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="actions")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="actions")
    cycle = models.ForeignKey(
        Cycle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The cycle whose results prompted the action.",
    )
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    dropped_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    escalated_to = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="escalated_actions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
