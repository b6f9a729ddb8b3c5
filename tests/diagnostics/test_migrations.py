"""Migrations that move data: run them over a database that already has rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from diagnostics import codes as invite_codes
from diagnostics.errors import CodeAlreadyUsed
from diagnostics.models import (
    RESPONSE_ID_LOWEST,
    Answer,
    Response,
    SpentCode,
    SurveyDraft,
    TeamTally,
)
from diagnostics.services import submit_response
from tests.diagnostics.conftest import all_answers

BEFORE_SPENT_CODES = ("diagnostics", "0005_backfill_tallies")
USED, STARTED, FRESH = "AAAA-BBBB-CCCC", "DDDD-EEEE-FFFF", "GGGG-HHHH-JJJJ"


def migrate(*targets: tuple[str, str]):
    """Migrate to the targets (the latest migrations when none); the apps of that state."""
    executor = MigrationExecutor(connection)
    plan = list(targets) or executor.loader.graph.leaf_nodes()
    executor.migrate(plan)
    executor.loader.build_graph()
    return executor.loader.project_state(plan).apps


def shared_transaction_ids() -> int:
    """Invite and response rows written by one transaction (PostgreSQL's xmin; 0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM diagnostics_invite i JOIN diagnostics_response r "
            "ON i.xmin::text = r.xmin::text"
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def before_spent_codes(transactional_db) -> Iterator[object]:
    """The database as it was before spent codes left the invites; the latest again after."""
    try:
        yield migrate(BEFORE_SPENT_CODES)
    finally:
        migrate()


@pytest.mark.django_db(transaction=True)
def test_it_moves_used_codes_drafts_and_responses_to_unlinkable_storage(
    world, full_cycle, before_spent_codes
):
    old = before_spent_codes
    Invite = old.get_model("diagnostics", "Invite")
    Draft = old.get_model("diagnostics", "SurveyDraft")
    OldResponse = old.get_model("diagnostics", "Response")
    OldAnswer = old.get_model("diagnostics", "Answer")
    team = world.team_a.pk
    invites = {
        code: Invite.objects.create(
            cycle_id=full_cycle.pk, team_id=team, code_hash=invite_codes.hash_code(code)
        )
        for code in (USED, STARTED, FRESH)
    }
    Draft.objects.create(invite=invites[STARTED], answers={"WL1": 2}, comment="Half way")
    with transaction.atomic():  # as submissions were: the invite marked used beside the response
        Invite.objects.filter(pk=invites[USED].pk).update(is_used=True)
        answered = OldResponse.objects.create(
            cycle_id=full_cycle.pk, team_id=team, submitted_on=full_cycle.opens_on
        )
        # the models of that state: today's code reads columns added since
        statement_id = (
            old.get_model("diagnostics", "CycleStatement")
            .objects.filter(cycle_id=full_cycle.pk)
            .order_by("position")
            .values_list("statement_id", flat=True)[0]
        )
        OldAnswer.objects.create(response=answered, statement_id=statement_id, value=5, score=5)
    assert shared_transaction_ids() == (1 if connection.vendor == "postgresql" else 0)

    migrate()

    kept = Response.objects.get()
    assert kept.pk == answered.pk  # ids already given stay, with their answers
    assert Answer.objects.filter(response=kept).count() == 1
    with pytest.raises(CodeAlreadyUsed):  # used before the migration: still used
        submit_response(code=USED, answers=all_answers(full_cycle))
    assert SpentCode.objects.count() == 1

    client = Client()  # part-way through before the migration: carries on where they were
    assert client.get(reverse("survey:link", kwargs={"code": STARTED})).status_code == 302
    start = client.get(reverse("survey:start")).content.decode()
    assert "Continue where you left off" in start
    assert "Half way" in client.get(reverse("survey:review")).content.decode()
    assert SurveyDraft.objects.get().answers == {"WL1": 2}

    submit_response(code=FRESH, answers=all_answers(full_cycle))
    assert Response.objects.exclude(pk=kept.pk).get().pk >= RESPONSE_ID_LOWEST
    assert SpentCode.objects.count() == 2
    assert shared_transaction_ids() == 0  # the old invite no longer shares the old response's


@pytest.mark.django_db(transaction=True)
def test_it_will_not_go_back_to_marking_invites_once_codes_were_spent_apart(
    world, full_cycle, code
):
    submit_response(code=code, answers=all_answers(full_cycle))
    try:
        with pytest.raises(RuntimeError, match="nothing ties them to their invites"):
            migrate(BEFORE_SPENT_CODES)
        assert SpentCode.objects.count() == 1  # the refused step changed nothing
    finally:
        migrate()
    with pytest.raises(CodeAlreadyUsed):
        submit_response(code=code, answers=all_answers(full_cycle))


@pytest.mark.django_db(transaction=True)
def test_it_counts_the_codes_already_made_into_the_team_tallies(world, full_cycle):
    """Migration 0020 counts each team's existing codes into its tally, beside the responses
    the tally holds, and adds a tally for a team with codes and no responses."""
    try:
        old = migrate(("diagnostics", "0018_invite_cycle_team"))
        Invite = old.get_model("diagnostics", "Invite")
        Tally = old.get_model("diagnostics", "TeamTally")
        for team, made in ((world.team_a, 3), (world.team_c, 2)):
            for number in range(made):
                code = f"CODE-{team.pk}-{number}"
                Invite.objects.create(
                    cycle_id=full_cycle.pk, team_id=team.pk, code_hash=invite_codes.hash_code(code)
                )
        Tally.objects.create(cycle_id=full_cycle.pk, team_id=world.team_a.pk, responses=2)
    finally:
        migrate()
    found = TeamTally.objects.filter(cycle=full_cycle).values_list(
        "team_id", "responses", "codes_made"
    )
    assert sorted(found) == sorted([(world.team_a.pk, 2, 3), (world.team_c.pk, 0, 2)])


@pytest.mark.django_db(transaction=True)
def test_it_fixes_the_headcounts_that_bound_the_teams_of_cycles_already_open(
    world, make_cycle, respond
):
    """Migration 0024 sets on the teams of each cycle that has opened the headcount its pages
    give: its own, else the last full diagnostic's that closed before it opened and that the
    team answered; drafts are left to be set when they open."""
    from datetime import timedelta

    from django.utils import timezone

    from diagnostics.models import CycleTeam
    from diagnostics.structural_data import save_figures

    today = timezone.localdate()
    everyone = world.units["Children's Services"]
    earlier = make_cycle(unit=everyone, opens_on=today - timedelta(days=9), closes_on=today)
    save_figures(cycle=earlier, team=world.team_a, values={"headcount": 7}, user=None)
    save_figures(cycle=earlier, team=world.team_b, values={"headcount": 9}, user=None)
    respond(earlier, world.team_a, 5)  # Team B never answered it
    later = make_cycle(
        unit=everyone,
        opens_on=today + timedelta(days=1),
        closes_on=today + timedelta(days=9),
    )
    save_figures(cycle=later, team=world.team_c, values={"headcount": 4}, user=None)
    draft = make_cycle(unit=everyone, opened=False, name="Draft")
    CycleTeam.objects.update(headcount=None, headcount_from=None)
    try:
        migrate(("diagnostics", "0023_bounding_headcount"))
    finally:
        migrate()
    fixed = {
        (row.cycle_id, row.team_id): (row.headcount, row.headcount_from_id)
        for row in CycleTeam.objects.all()
    }
    assert fixed[(earlier.pk, world.team_a.pk)] == (7, earlier.pk)
    assert fixed[(earlier.pk, world.team_b.pk)] == (9, earlier.pk)
    assert fixed[(later.pk, world.team_a.pk)] == (7, earlier.pk)
    assert fixed[(later.pk, world.team_b.pk)] == (None, None)
    assert fixed[(later.pk, world.team_c.pk)] == (4, later.pk)
    assert fixed[(draft.pk, world.team_a.pk)] == (None, None)
