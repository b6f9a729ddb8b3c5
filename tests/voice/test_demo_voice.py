from __future__ import annotations

from django.db.models import Count
from django.test import Client

from demo.teardown import delete_organisation_data
from demo.voice import build_voice
from organisations.models import Organisation, Role, Unit
from tests.factories import make_member, make_organisation, make_units
from voice.models import VoiceBoard, VoiceIssue, VoiceSupport


def demo_units() -> tuple[Organisation, dict[str, Unit]]:
    organisation = make_organisation("Demo Council", "demo-voice")
    units = make_units(
        organisation,
        {
            "Children's Services": {
                "Locality North": ["Assessment North", "Child Protection North"],
            },
            "Adult Social Care": {
                "Hospital and Reablement": ["Hospital Discharge"],
                "Community Adults": ["Adults East"],
            },
        },
    )
    return organisation, units


def test_it_builds_honest_varied_demo_issues(db):
    organisation, units = demo_units()
    answerer = make_member(units["Locality North"], Role.LEADER)

    build_voice(units=units, answerer=answerer)

    issues = VoiceIssue.objects.annotate(rows=Count("supports"))
    assert 6 <= issues.count() <= 10
    assert all(issue.support_count == issue.rows for issue in issues)
    assert len({issue.support_count for issue in issues}) >= 4
    assert {issue.category for issue in issues} == set(VoiceIssue.Category.values)
    statuses = set(issues.values_list("status", flat=True))
    assert {"new", "heard", "in_progress", "done", "not_possible"} <= statuses
    assert issues.filter(status="not_possible").exclude(status_reason="").exists()
    assert issues.filter(answered_by=answerer).exists()
    escalated = issues.get(escalated_to__isnull=False)
    assert escalated.escalated_to in (units["Locality North"], units["Children's Services"])
    hidden = issues.get(hidden=True)
    assert hidden.hidden_reason
    assert VoiceBoard.objects.filter(team__in=[units["Adults East"]]).exists()
    board = Client().get(f"/voice/b/{hidden.board.token}/").content.decode()
    assert "Hidden by the team manager:" in board
    assert hidden.text[:40] not in board
    # The same data every run.
    first = sorted(issues.values_list("text", "support_count"))
    VoiceIssue.objects.all().delete()
    build_voice(units=units, answerer=answerer)
    assert sorted(VoiceIssue.objects.values_list("text", "support_count")) == first

    # The demo's “recreate” still removes the whole organisation.
    delete_organisation_data(organisation)
    assert not VoiceBoard.objects.exists()
    assert not VoiceSupport.objects.exists()
