"""Benchmarks: percentiles of domain means across the organisations that take part, and
published reference tables. Rows hold percentiles only: no organisation, team or figure of one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from diagnostics.models import Domain


class Benchmark(models.Model):
    class Kind(models.TextChoices):
        COMPUTED = "computed", _("Computed across organisations on this installation")
        REFERENCE = "reference", _("Imported reference table")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    period = models.CharField(
        max_length=60,
        help_text="Computed: the half-year of the cycles' closing dates (2026-H1). Reference: "
        "the period the table says it covers.",
    )
    cohort = models.CharField(
        max_length=60,
        blank=True,
        help_text="Which organisations: all, kind:<type>, size:<band> or both; empty for a "
        "reference table.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="A reference table's source.")
    organisations = models.PositiveIntegerField(
        null=True, blank=True, help_text="Organisations in the cohort with a cycle that period."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "cohort"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "cohort"], name="benchmark_once_per_period_and_cohort"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.REFERENCE:
            return f"Reference: {self.source} ({self.period})"
        return f"Benchmark {self.period} ({self.cohort})"


class BenchmarkRow(models.Model):
    class Level(models.TextChoices):
        ORGANISATION = "org", _("Organisation means")
        TEAM = "team", _("Team means")
        ANY = "any", _("Any level (a reference table)")

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="rows")
    level = models.CharField(max_length=4, choices=Level.choices)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    p20 = models.FloatField()
    p50 = models.FloatField()
    p80 = models.FloatField()
    organisations = models.PositiveIntegerField(
        null=True, blank=True, help_text="Organisations whose figures the row holds."
    )
    groups = models.PositiveIntegerField(
        null=True, blank=True, help_text="Means the row holds (teams, for team means)."
    )

    class Meta:
        ordering = ["benchmark", "level", "domain__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "level", "domain"], name="benchmark_row_once"
            ),
            models.CheckConstraint(
                condition=models.Q(p20__lte=models.F("p50")) & models.Q(p50__lte=models.F("p80")),
                name="benchmark_percentiles_in_order",
            ),
        ]
