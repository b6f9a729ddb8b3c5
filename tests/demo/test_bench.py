"""The benchmark loader stores exactly what the submission service would (PostgreSQL only)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from actions.models import Action
from demo.bench import BenchSize, build
from diagnostics.models import Answer, Cycle, DomainScore, Invite, Response, SpentCode
from diagnostics.tallies import NOT_APPLICABLE, StatementInfo, response_rows, tally_differences
from organisations.models import Membership, Role, Unit
from organisations.services import add_unit
from voice.models import VoiceIssue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark data is loaded with COPY"
)

SMALL = BenchSize(directorates=1, services=2, teams=2, headcount=6, full_cycles=1, pulses=2)


def test_it_builds_the_benchmark_organisation_with_matching_tallies(db):
    counts = build(SMALL)
    assert counts["teams"] == 4
    assert Cycle.objects.filter(organisation__slug="bench", kind="full").count() == 1
    assert Cycle.objects.filter(organisation__slug="bench", kind="pulse").count() == 2
    assert Invite.objects.filter(cycle__organisation__slug="bench").count() == 3 * 4 * 6
    assert Response.objects.count() == counts["responses"] == SpentCode.objects.count()
    assert Answer.objects.count() == counts["answers"]
    assert tally_differences() == []


def test_it_gives_every_team_a_manager_an_action_and_a_voice_issue(db):
    counts = build(SMALL)
    teams = Unit.objects.filter(organisation__slug="bench", is_team=True)
    services = Unit.objects.filter(organisation__slug="bench", depth=3, is_team=False)

    # The named manager already leads the first team; every other team and service gets one.
    assert counts["people"] == 3 + 2
    assert {m.unit_id for m in Membership.objects.filter(role=Role.TEAM_MANAGER)} == {
        team.pk for team in teams
    }
    assert {m.unit_id for m in Membership.objects.filter(unit__in=services)} == {
        service.pk for service in services
    }
    assert sorted(Action.objects.values_list("unit", flat=True)) == sorted(t.pk for t in teams)
    assert VoiceIssue.objects.filter(board__team__in=teams).count() == counts["voice_issues"] == 4


def test_it_gives_a_team_the_person_a_rebuild_finds_already_there(db):
    # A rebuild deletes the organisation, not the people: they are found again by e-mail.
    earlier = User.objects.create_user(email="team-1.1.2@bench.example", password=None)

    build(SMALL)

    team = Unit.objects.get(organisation__slug="bench", name="Team 1.1.2")
    assert Membership.objects.get(unit=team).user == earlier
    assert User.objects.filter(email="team-1.1.2@bench.example").count() == 1


def test_it_stores_the_rows_the_submission_service_would(db):
    build(SMALL)
    for response in Response.objects.all()[:20]:
        statements = [
            StatementInfo(
                row.statement.pk,
                row.statement.code,
                row.statement.domain_id,
                row.statement.reverse_scored,
            )
            for row in response.cycle.cycle_statements.select_related("statement")
        ]
        given = dict(
            Answer.objects.filter(response=response).values_list("statement__code", "value")
        )
        answers = {s.code: given.get(s.code, NOT_APPLICABLE) for s in statements}
        expected_answers, expected_domains = response_rows(statements, answers)
        stored_answers = set(
            Answer.objects.filter(response=response).values_list("statement_id", "value", "score")
        )
        assert stored_answers == {(a.statement_id, a.value, a.score) for a in expected_answers}
        stored_domains = set(
            DomainScore.objects.filter(response=response).values_list(
                "domain_id", "score", "red", "amber", "green"
            )
        )
        assert stored_domains == {
            (d.domain_id, d.score, d.red, d.amber, d.green) for d in expected_domains
        }


def test_it_scales_the_teams_through_directorates_and_services():
    assert BenchSize().scaled(1) == BenchSize()
    ten = BenchSize().scaled(10)
    assert (ten.directorates, ten.services, ten.teams) == (6, 50, 10)
    assert ten.directorates * ten.services * ten.teams == 3000
    assert (ten.full_cycles, ten.pulses, ten.headcount) == (6, 24, 20)
    four = BenchSize().scaled(4)
    assert (four.directorates, four.services) == (6, 20)
    seven = BenchSize().scaled(7)  # a prime grows the services only
    assert (seven.directorates, seven.services) == (3, 70)
    with pytest.raises(ValueError, match="whole number"):
        BenchSize().scaled(0)


def test_it_builds_the_tree_that_adding_units_one_by_one_gives(db):
    build(SMALL)
    assert all(problems == [] for problems in Unit.objects.find_problems())
    units = Unit.objects.filter(organisation__slug="bench").order_by("path")
    assert [(u.depth, u.name, u.numchild) for u in units] == [
        (1, "Shire County Council", 1),
        (2, "Directorate 1", 2),
        (3, "Service 1.1", 2),
        (4, "Team 1.1.1", 0),
        (4, "Team 1.1.2", 0),
        (3, "Service 1.2", 2),
        (4, "Team 1.2.1", 0),
        (4, "Team 1.2.2", 0),
    ]
    service = units.get(name="Service 1.2")
    added = add_unit(parent=service, name="Team 1.2.3", is_team=True)
    assert added.path == Unit._get_path(service.path, 4, 3)
    assert all(problems == [] for problems in Unit.objects.find_problems())
