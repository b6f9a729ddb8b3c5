"""Shared look-ups for the cycle commands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from diagnostics.models import Cycle


def cycle_by_id(cycle_id: Any) -> Cycle:
    try:
        return Cycle.objects.select_related("organisation", "unit").get(pk=int(cycle_id))
    except (Cycle.DoesNotExist, ValueError, TypeError) as exc:
        raise CommandError(f"No cycle with the id “{cycle_id}”.") from exc
