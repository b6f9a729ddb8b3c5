"""Results worked out once a cycle has settled (dashboards/warming.py): an org admin's first
pages find their disclosure plans waiting, and nothing else changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import tasks
from dashboards.warming import warm_settled_results
from diagnostics import results as results_module
from diagnostics import settled_plans
from diagnostics.services import close_cycle
from organisations.models import AuditEvent, Membership, Role
from tests.factories import make_member

pytestmark = pytest.mark.usefixtures("fresh_process_memory", "shared_cache")


@pytest.fixture
def shared_cache(monkeypatch):
    """The tests' local-memory cache stands for the shared one (every test runs in one
    process, which is all the sharing they need)."""
    monkeypatch.setattr("dashboards.warming.cache_is_shared", lambda: True)


@pytest.fixture
def settled(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 6, value=lambda i, code: 2 + i % 4)
    respond(cycle, world.team_b, 5, value=4)
    respond(cycle, world.team_c, 7, value=lambda i, code: 1 + i % 6)
    close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    return cycle


class DecidedAfresh(AssertionError):
    pass


def refuse_to_decide(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise DecidedAfresh("a plan was decided on a page the job had warmed")

    monkeypatch.setattr(results_module, "decide", refuse)


def test_it_decides_an_org_admins_first_pages_before_they_ask(
    world, settled, client_for, monkeypatch
):
    done = warm_settled_results(now=timezone.now())
    settled_plans.forget_in_process()  # the pages are served by a worker that never saw them
    refuse_to_decide(monkeypatch)
    other_admin = make_member(world.root, Role.ORG_ADMIN, display_name="Second Admin")
    client = client_for(other_admin)

    pages = [
        reverse("dashboards:profile", args=[world.team_a.pk]),
        reverse("dashboards:trends", args=[world.team_a.pk]),
        reverse("dashboards:profile", args=[world.root.pk]),
        reverse("dashboards:trends", args=[world.root.pk]),
        reverse("dashboards:profile", args=[world.team_c.pk]),
        reverse("dashboards:compare", args=[world.root.pk]),
    ]

    assert done.warmed == [world.organisation.pk]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_it_shows_the_same_figures_as_pages_worked_out_afresh(world, settled, client_for):
    client = client_for(world.org_admin)
    page = reverse("dashboards:profile", args=[world.team_a.pk])
    afresh = client.get(page).context["page"]
    settled_plans.forget_in_process()
    cache.clear()
    warm_settled_results(now=timezone.now())
    settled_plans.forget_in_process()

    warmed = client.get(page).context["page"]

    assert warmed.rows == afresh.rows


def test_it_warms_each_settlement_once_and_audits_no_view(world, settled):
    views_before = AuditEvent.objects.count()

    first = warm_settled_results(now=timezone.now())
    second = warm_settled_results(now=timezone.now())

    assert first.warmed == [world.organisation.pk]
    assert second.warmed == []
    assert AuditEvent.objects.count() == views_before


def test_it_waits_until_a_cycle_has_settled(world, make_cycle, respond):
    cycle = make_cycle(unit=world.root)
    respond(cycle, world.team_a, 5)
    close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=2))

    assert warm_settled_results(now=timezone.now()).warmed == []
    later = warm_settled_results(now=timezone.now() + timedelta(minutes=4))
    assert later.warmed == [world.organisation.pk]


def test_it_warms_again_after_the_settled_counts_are_rebuilt(
    world, settled, django_capture_on_commit_callbacks
):
    from diagnostics.tallies import rebuild_tallies

    warm_settled_results(now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_tallies()

    assert warm_settled_results(now=timezone.now()).warmed == [world.organisation.pk]


def test_it_passes_over_an_organisation_without_an_admin(world, settled):
    Membership.objects.filter(user=world.org_admin).delete()

    done = warm_settled_results(now=timezone.now())

    assert (done.warmed, done.skipped) == ([], [world.organisation.pk])


def test_it_runs_as_a_scheduled_job(world, settled):
    assert tasks.warm_settled_results() == {
        "warmed": [world.organisation.pk],
        "skipped": [],
        "unfinished": [],
    }


def test_it_logs_a_failure_and_tries_again_on_the_next_run(world, settled, monkeypatch, caplog):
    from dashboards import profile

    working = profile.profile

    def broken(*args, **kwargs):
        raise RuntimeError("a page could not be built")

    monkeypatch.setattr(profile, "profile", broken)

    done = warm_settled_results(now=timezone.now())

    assert (done.warmed, done.skipped) == ([], [world.organisation.pk])
    assert "Could not warm the results of organisation" in caplog.text
    monkeypatch.setattr(profile, "profile", working)
    assert warm_settled_results(now=timezone.now()).warmed == [world.organisation.pk]


def test_it_does_nothing_without_a_shared_cache(world, settled, monkeypatch):
    from dashboards import warming

    monkeypatch.setattr(warming, "cache_is_shared", lambda: False)

    assert warm_settled_results(now=timezone.now()) == warming.Warmed(warmed=[], skipped=[])


def test_it_knows_a_process_s_own_memory_is_not_a_shared_cache(settings, monkeypatch):
    monkeypatch.undo()  # the module's own check, not the tests' stand-in
    from dashboards.warming import cache_is_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not cache_is_shared()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert cache_is_shared()


def test_it_leaves_an_organisation_another_run_is_warming(world, settled):
    from dashboards.warming import WARMING_KEY

    cache.add(WARMING_KEY.format(organisation=world.organisation.pk), True)

    assert warm_settled_results(now=timezone.now()).warmed == []
    cache.delete(WARMING_KEY.format(organisation=world.organisation.pk))
    assert warm_settled_results(now=timezone.now()).warmed == [world.organisation.pk]


# -- leaders ------------------------------------------------------------------------------------


def signed_in(user, *, days_ago: int = 1):
    user.last_login = timezone.now() - timedelta(days=days_ago)
    user.save(update_fields=["last_login"])
    return user


def leaders_pages(world) -> list[str]:
    return [
        reverse("dashboards:profile", args=[world.north.pk]),
        reverse("dashboards:trends", args=[world.north.pk]),
        reverse("dashboards:profile", args=[world.team_a.pk]),
        reverse("dashboards:trends", args=[world.team_a.pk]),
        reverse("dashboards:compare", args=[world.north.pk]),
    ]


def test_it_decides_a_leader_s_first_pages_before_they_ask(world, settled, client_for, monkeypatch):
    signed_in(world.leader)
    done = warm_settled_results(now=timezone.now())
    settled_plans.forget_in_process()
    refuse_to_decide(monkeypatch)
    client = client_for(world.leader)

    assert done.warmed == [world.organisation.pk]
    for page in leaders_pages(world):
        assert client.get(page).status_code == 200, page


def test_it_leaves_a_leader_who_has_not_signed_in_lately_to_their_first_visit(
    world, settled, client_for, monkeypatch
):
    signed_in(world.leader, days_ago=91)
    warm_settled_results(now=timezone.now())
    settled_plans.forget_in_process()
    refuse_to_decide(monkeypatch)

    with pytest.raises(DecidedAfresh):
        client_for(world.leader).get(leaders_pages(world)[0])


def test_it_warms_each_family_of_leaders_once(world, settled, monkeypatch):
    from dashboards import warming

    signed_in(world.leader)
    signed_in(make_member(world.north, Role.LEADER, display_name="Second Leader of North"))
    signed_in(
        make_member(world.units["Locality South"], Role.LEADER, display_name="Leader of South")
    )
    signed_in(make_member(world.root, Role.ORG_ADMIN, display_name="Second Admin"))
    built = []
    working = warming._build_first_pages

    def recorded(reach, units, cycle, *, today):
        built.append(sorted(unit.name for unit in units))
        return working(reach, units, cycle, today=today)

    monkeypatch.setattr(warming, "_build_first_pages", recorded)

    warm_settled_results(now=timezone.now())

    assert built == [["Example Council"], ["Locality North"], ["Locality South"]]


def test_it_logs_a_leader_s_failure_and_warms_the_rest(world, settled, monkeypatch, caplog):
    from dashboards import warming

    signed_in(world.leader)
    signed_in(
        make_member(world.units["Locality South"], Role.LEADER, display_name="Leader of South")
    )
    built = []
    working = warming._build_first_pages

    def failing_for_north(reach, units, cycle, *, today):
        if units == [world.north]:
            raise RuntimeError("a page could not be built")
        built.append([unit.name for unit in units])
        return working(reach, units, cycle, today=today)

    monkeypatch.setattr(warming, "_build_first_pages", failing_for_north)

    done = warm_settled_results(now=timezone.now())

    assert done.warmed == [world.organisation.pk]
    assert "Could not warm a leader's results in organisation" in caplog.text
    assert built == [["Example Council"], ["Locality South"]]


def test_it_logs_a_leader_whose_reach_cannot_be_read_and_warms_the_rest(
    world, settled, monkeypatch, caplog
):
    from organisations.access import reach_of

    signed_in(world.leader)
    signed_in(
        make_member(world.units["Locality South"], Role.LEADER, display_name="Leader of South")
    )
    built = record_parts(monkeypatch)

    def unreadable_for_north(user):
        if user == world.leader:
            raise RuntimeError("the leader's memberships could not be read")
        return reach_of(user)

    monkeypatch.setattr("dashboards.warming.reach_of", unreadable_for_north)

    done = warm_settled_results(now=timezone.now())

    assert done.warmed == [world.organisation.pk]
    assert "Could not read a leader's reach in organisation" in caplog.text
    assert built == ["Example Council", "unit sums", "Locality South"]


def test_it_sums_every_unit_so_a_manager_s_plans_read_no_other_team_s_rows(
    world, make_cycle, respond, client_for
):
    from diagnostics.models import StatementTally
    from organisations.services import add_unit

    team_d = add_unit(parent=world.units["Locality South"], name="Team D", is_team=True)
    cycle = make_cycle(unit=world.units["Children's Services"])
    for team, n in ((world.team_a, 6), (world.team_b, 5), (world.team_c, 7), (team_d, 4)):
        respond(cycle, team, n, value=lambda i, code: 1 + i % 6)
    close_cycle(cycle=cycle, closed_at=timezone.now() - timedelta(minutes=6))
    warm_settled_results(now=timezone.now())
    settled_plans.forget_in_process()
    south = world.units["Locality South"].path
    page = reverse("dashboards:profile", args=[world.team_a.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client_for(world.team_manager).get(page).status_code == 200
    tallies = [
        q["sql"] for q in queries.captured_queries if StatementTally._meta.db_table in q["sql"]
    ]
    assert tallies  # the manager's own family was decided on this visit
    assert not any(f"'{south}'" in sql for sql in tallies)
    # Each response's answer counts: read for the teams of the manager's own locality alone.
    scores = [q["sql"] for q in queries.captured_queries if "diagnostics_domainscore" in q["sql"]]
    assert scores
    for sql in scores:
        teams_named = re.search(r"team_id IN \(([^)]*)\)", sql)
        assert teams_named is not None, sql
        named = {int(team) for team in teams_named.group(1).split(",")}
        assert named == {world.team_a.pk, world.team_b.pk}


def test_it_logs_a_failure_to_sum_the_units_and_still_warms_the_leaders(
    world, settled, monkeypatch, caplog
):
    signed_in(world.leader)
    built = record_parts(monkeypatch)

    def fails(organisation, *, reach):
        built.append("unit sums failed")
        raise RuntimeError("the units could not be summed")

    monkeypatch.setattr("dashboards.warming.remember_unit_sums", fails)
    done = warm_settled_results(now=timezone.now())

    assert done.warmed == [world.organisation.pk]
    assert "Could not sum the units of organisation" in caplog.text
    assert built == ["Example Council", "unit sums failed", "Locality North"]


def record_parts(monkeypatch) -> list[str]:
    """What each run builds, in order: pages as the viewers of a family, or the units' sums."""
    from dashboards import warming

    built: list[str] = []
    working_pages, working_sums = warming._build_first_pages, results_module.remember_unit_sums

    def pages(reach, units, cycle, *, today):
        built.append(", ".join(sorted(unit.name for unit in units)))
        return working_pages(reach, units, cycle, today=today)

    def sums(organisation, *, reach):
        built.append("unit sums")
        return working_sums(organisation, reach=reach)

    monkeypatch.setattr(warming, "_build_first_pages", pages)
    monkeypatch.setattr("dashboards.warming.remember_unit_sums", sums)
    return built


def test_it_stops_at_its_time_budget_and_the_next_run_goes_on_from_there(
    world, settled, monkeypatch
):
    from dashboards import warming

    signed_in(world.leader)
    signed_in(
        make_member(world.units["Locality South"], Role.LEADER, display_name="Leader of South")
    )
    built = record_parts(monkeypatch)
    monkeypatch.setattr(warming, "WARMING_BUDGET", timedelta(0))  # one part per run
    runs = [warm_settled_results(now=timezone.now()) for _ in range(5)]

    assert built == ["Example Council", "unit sums", "Locality North", "Locality South"]
    assert [(run.warmed, run.unfinished) for run in runs] == [
        ([], [world.organisation.pk]),
        ([], [world.organisation.pk]),
        ([], [world.organisation.pk]),
        ([world.organisation.pk], []),
        ([], []),  # warmed: nothing left to do
    ]


def test_it_does_everything_in_one_run_within_its_budget(world, settled, monkeypatch):
    from dashboards import warming

    signed_in(world.leader)
    built = record_parts(monkeypatch)
    clock = iter(range(0, 10_000, 60))  # each reading a minute on: five parts in the budget
    done = warm_settled_results(now=timezone.now(), clock=lambda: next(clock))
    assert done.warmed == [world.organisation.pk]
    assert built == ["Example Council", "unit sums", "Locality North"]
    assert timedelta(seconds=warming.WARMING_CLAIM_SECONDS) > warming.WARMING_BUDGET


def test_it_warms_only_what_a_run_that_died_left_undone(world, settled, monkeypatch):
    from dashboards import warming

    signed_in(world.leader)

    def dies(organisation, *, reach):
        raise SystemExit("the worker was stopped")

    monkeypatch.setattr("dashboards.warming.remember_unit_sums", dies)
    with pytest.raises(SystemExit):
        warm_settled_results(now=timezone.now())
    cache.delete(warming.WARMING_KEY.format(organisation=world.organisation.pk))  # it lapsed
    built = record_parts(monkeypatch)
    done = warm_settled_results(now=timezone.now())

    assert done.warmed == [world.organisation.pk]
    assert built == ["unit sums", "Locality North"]  # not the admins' pages again
