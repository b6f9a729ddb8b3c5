"""Shared helpers for the §10 management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from organisations.models import Organisation


def read_text_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not a UTF-8 text file.") from exc
    except OSError as exc:
        raise CommandError(f"{path}: cannot read it ({exc.strerror}).") from exc


def organisation_by_slug(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise CommandError(f"No organisation with the slug “{slug}”.") from exc
