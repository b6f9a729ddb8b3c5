from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from actions.models import Action
from demo.builder import DEMO_PASSWORD, DEMO_SLUG
from diagnostics.models import Cycle
from diagnostics.pooling import cycle_scope
from diagnostics.results import results_for_scopes
from organisations.models import Membership, Organisation, Role, Unit


def shown_figures() -> dict[tuple[str, str, str], tuple[float | None, int | None]]:
    """Every team's domain means and counts in each full cycle, as the engine releases them."""
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    cycles = Cycle.objects.filter(organisation=organisation, kind=Cycle.Kind.FULL)
    teams = Unit.objects.filter(organisation=organisation, is_team=True)
    shown = {}
    for cycle in cycles:
        (results,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=None)
        for team in teams:
            for code, cell in results.group(team).domains.items():
                figures = cell.figures
                shown[(cycle.name, team.name, code)] = (
                    figures.mean if figures else None,
                    figures.n if figures else None,
                )
    return shown


def test_it_builds_the_demo_organisation_and_prints_the_sign_ins(seeded_demo):
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert Unit.objects.filter(organisation=organisation, depth=2).count() == 2  # directorates
    assert Unit.objects.filter(organisation=organisation, depth=3).count() == 5  # services
    assert Unit.objects.filter(organisation=organisation, is_team=True).count() >= 12
    roles = set(Membership.objects.filter(organisation=organisation).values_list("role", flat=True))
    assert roles == {Role.ORG_ADMIN, Role.LEADER, Role.TEAM_MANAGER}
    names = list(Cycle.objects.filter(organisation=organisation).values_list("name", flat=True))
    assert len(names) == len(set(names))  # each tells its results apart in every list
    assert "admin@northbrook.example" in seeded_demo.printed
    assert DEMO_PASSWORD in seeded_demo.printed
    assert User.objects.get(email="manager@northbrook.example").check_password(DEMO_PASSWORD)


def test_it_recreates_the_same_demo_organisation_when_run_again(seeded_demo):
    first = shown_figures()
    call_command("seed_demo", stdout=StringIO())
    assert Organisation.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Organisation.objects.filter(slug__startswith="demo-peer-").count() == 5
    assert Unit.objects.filter(organisation__slug=DEMO_SLUG, is_team=True).count() == 13
    again = shown_figures()
    assert len(again) == 2 * 13 * 9
    assert again == first  # a fixed seed: the same figures every time, for stable screenshots


def test_it_dates_each_action_soon_after_the_results_that_prompted_it(seeded_demo):
    actions = list(Action.objects.filter(organisation__slug=DEMO_SLUG).select_related("cycle"))
    assert actions
    today = timezone.localdate()
    for action in actions:
        began = timezone.localdate(action.created_at)
        assert action.cycle is not None
        assert action.cycle.closes_on < began <= today, action.title
    assert any(timezone.localdate(action.created_at) < today for action in actions)
