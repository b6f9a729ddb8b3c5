from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.urls import reverse

from voice.models import VoiceBoard, VoiceIssue
from voice.services import board_for, raise_issue


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache: start every test with none."""
    cache.clear()


@pytest.fixture
def board_a(world) -> VoiceBoard:
    return board_for(world.team_a)


@pytest.fixture
def raise_on() -> Callable[..., VoiceIssue]:
    """Put an issue on a board directly (no browser, so it starts with no support)."""

    def make(
        board: VoiceBoard, text: str = "Duty weeks leave no time for visits.", category="caseloads"
    ) -> VoiceIssue:
        return raise_issue(board=board, category=category, text=text)

    return make


def board_path(board: VoiceBoard) -> str:
    return reverse("voice:board", kwargs={"token": board.token})


def raise_path(board: VoiceBoard) -> str:
    return reverse("voice:raise", kwargs={"token": board.token})


def support_path(issue: VoiceIssue) -> str:
    return reverse("voice:support", kwargs={"token": issue.board.token, "issue_id": issue.pk})
