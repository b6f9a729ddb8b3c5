"""Shared helpers for the §10 management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from organisations.models import Organisation
from sword.csvsafe import NotSpreadsheetText, spreadsheet_text


def read_text_file(path: str, *, utf8_only: bool = False) -> str:
    """A CSV file's text, saved as UTF-8 or as Excel's Windows-1252 (`spreadsheet_text`);
    `utf8_only` for text Windows-1252 cannot hold (Welsh)."""
    try:
        return spreadsheet_text(Path(path).read_bytes(), windows_1252=not utf8_only)
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file.") from exc
    except NotSpreadsheetText as exc:
        if utf8_only:
            raise CommandError(
                f"{path}: not UTF-8 text. Save it as CSV UTF-8: plain CSV loses letters such "
                "as ŵ and ŷ."
            ) from exc
        raise CommandError(f"{path}: not a CSV file's text (save it as CSV UTF-8).") from exc
    except OSError as exc:
        raise CommandError(f"{path}: cannot read it ({exc.strerror}).") from exc


def organisation_by_slug(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise CommandError(f"No organisation with the slug “{slug}”.") from exc
