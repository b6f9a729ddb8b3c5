"""Voice migrations that move data, run over a database that already has issues."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.diagnostics.test_migrations import migrate
from voice.models import VoiceIssue

BEFORE_ISSUE_ORGANISATIONS = ("voice", "0002_answers_with_role")


@pytest.fixture
def before_issue_organisations(transactional_db, world) -> Iterator[object]:
    """The voice tables as they were before issues kept their organisation; the latest after."""
    try:
        yield migrate(BEFORE_ISSUE_ORGANISATIONS)
    finally:
        migrate()


def test_it_fills_in_each_issues_organisation_from_its_boards_team(
    world, before_issue_organisations
):
    apps = before_issue_organisations
    board_model = apps.get_model("voice", "VoiceBoard")
    issue_model = apps.get_model("voice", "VoiceIssue")
    ours = board_model.objects.create(team_id=world.team_a.pk, token="ours-" + "a" * 20)
    theirs = board_model.objects.create(
        team_id=world.other_units["Other Team"].pk, token="theirs-" + "b" * 20
    )
    for board in (ours, ours, theirs):
        issue_model.objects.create(
            board=board, category="other", text="Too few cars.", raised_on=date(2026, 11, 2)
        )

    migrate()

    assert sorted(VoiceIssue.objects.values_list("board_id", "organisation_id")) == [
        (ours.pk, world.organisation.pk),
        (ours.pk, world.organisation.pk),
        (theirs.pk, world.other_organisation.pk),
    ]
