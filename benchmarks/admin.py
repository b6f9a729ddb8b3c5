"""Operators can read the stored benchmarks (percentiles only); they change by the nightly job
and the reference import, not by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from benchmarks.models import Benchmark, BenchmarkRow


class BenchmarkRowInline(admin.TabularInline[BenchmarkRow, Benchmark]):
    model = BenchmarkRow
    fields = ["level", "domain", "p20", "p50", "p80", "organisations", "groups"]
    readonly_fields = ["level", "domain", "p20", "p50", "p80", "organisations", "groups"]
    extra = 0
    can_delete = False


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin[Benchmark]):
    list_display = ["kind", "period", "cohort", "source", "organisations", "created_at"]
    list_filter = ["kind", "period"]
    readonly_fields = ["kind", "period", "cohort", "source", "organisations", "created_at"]
    inlines = [BenchmarkRowInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """A published half-year is kept as it is: deleted, `compute_benchmarks` would make it
        again from whoever takes part now, and two versions of one half-year set side by side
        could tell something of an organisation that joined or left. Importing a reference
        table replaces the reference tables."""
        return False
