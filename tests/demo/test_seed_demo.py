from __future__ import annotations

from django.core.management import call_command

from accounts.models import User
from demo.builder import DEMO_PASSWORD, DEMO_SLUG
from organisations.models import Membership, Organisation, Role, Unit


def test_it_builds_the_demo_organisation_and_prints_the_sign_ins(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert Unit.objects.filter(organisation=organisation, depth=2).count() == 2  # directorates
    assert Unit.objects.filter(organisation=organisation, depth=3).count() == 5  # services
    assert Unit.objects.filter(organisation=organisation, is_team=True).count() >= 12
    roles = set(Membership.objects.filter(organisation=organisation).values_list("role", flat=True))
    assert roles == {Role.ORG_ADMIN, Role.LEADER, Role.TEAM_MANAGER}
    assert "admin@northbrook.example" in out
    assert DEMO_PASSWORD in out
    assert User.objects.get(email="manager@northbrook.example").check_password(DEMO_PASSWORD)


def test_it_recreates_the_demo_organisation_when_run_again(db):
    call_command("seed_demo")
    call_command("seed_demo")
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Unit.objects.filter(organisation__slug=DEMO_SLUG, is_team=True).count() == 13
