"""Reads about notices: which have been sent, and who turned the weekly digest off."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from notices.models import NoticePreference, SentNotice

_CHUNK = 500


def sent_keys(keys: Iterable[str]) -> set[str]:
    """Of these notice keys (services.notice_key), the ones already sent: a job asks once for
    all its notices and hands only the rest to send_notice_once, so a daily run over every
    open action costs a query per 500 notices, not one per notice."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(SentNotice.objects.filter(key__in=chunk).values_list("key", flat=True))
    return found


def wants_weekly_digest(user: Any) -> bool:
    preference = NoticePreference.objects.filter(user=user).first()
    return preference is None or preference.weekly_digest


def without_digest(user_ids: Iterable[int]) -> set[int]:
    """Of these people, the ones who turned the weekly digest off (one query)."""
    return set(
        NoticePreference.objects.filter(
            user_id__in=list(user_ids), weekly_digest=False
        ).values_list("user_id", flat=True)
    )
