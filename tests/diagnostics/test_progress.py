"""The cycle page: a link to its results, response progress per team (banded through the
disclosure engine), and which teams have entered their structural figures."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from itertools import product

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.progress import CycleProgress, cycle_progress
from diagnostics.services import issue_invites, open_cycle
from diagnostics.structural_data import save_figures
from disclosure.release import response_count
from organisations.access import reach_of
from organisations.services import add_unit


def _page(client, cycle):
    return client.get(reverse("diagnostics:cycle_detail", args=[cycle.pk]))


def test_it_links_the_cycle_to_its_results(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.north)
    page = _page(client_for(world.leader), cycle)
    url = reverse("dashboards:profile", args=[world.north.pk]) + f"?cycle={cycle.pk}"
    assert f'href="{url}"' in page.content.decode()


def test_it_links_a_manager_to_their_own_team_s_results_of_a_wider_cycle(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.north)
    page = _page(client_for(world.team_manager), cycle)
    url = reverse("dashboards:profile", args=[world.team_a.pk]) + f"?cycle={cycle.pk}"
    assert f'href="{url}"' in page.content.decode()
    assert reverse("dashboards:profile", args=[world.north.pk]) not in page.content.decode()


def test_it_offers_no_results_link_for_a_draft(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.north, opened=False)
    page = _page(client_for(world.leader), cycle)
    assert reverse("dashboards:profile", args=[world.north.pk]) not in page.content.decode()


def test_it_bands_progress_and_never_shows_an_exact_small_count(
    world, make_cycle, respond, client_for
):
    """North's 11 is shown, so Team B's 7 would give Team A's 4 away: both teams read as bands,
    and no response rate (which would give the count away) is shown beside a band."""
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=6)
    issue_invites(cycle=cycle, team=world.team_b, count=9)
    respond(cycle, world.team_a, 4)
    respond(cycle, world.team_b, 7)
    page = _page(client_for(world.leader), cycle)
    progress = page.context["progress"]
    assert [(row.codes_made, row.responses) for row in page.context["teams"]] == [
        (6, "fewer than 5"),
        (9, "5 or more"),
    ]
    assert [row.rate_percent for row in page.context["teams"]] == [None, None]
    assert progress.unit_responses == "11"
    assert progress.teams_at_k == 1
    html = page.content.decode()
    assert "fewer than 5" in html
    assert "5 or more" in html
    assert "% of codes made" not in html  # 4/6 or 7/9 would give the counts away


def test_it_hides_a_team_where_codes_made_would_pin_a_small_team_beside_it(
    world, make_cycle, respond, client_for
):
    """North's 20 less Team A's 12 leaves 8 for Team B (5 or more) and Team D (fewer than 5);
    Team B made 5 codes, so with Team A shown Team D would have 3. Team A is hidden instead,
    which lets Team B's 5 be shown: 15 for A and D leaves D 1 to 4. With codes to spare for
    Team B, Team A stays shown."""
    team_d = add_unit(parent=world.north, name="Team D", is_team=True)
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=20)
    issue_invites(cycle=cycle, team=world.team_b, count=5)
    issue_invites(cycle=cycle, team=team_d, count=10)
    respond(cycle, world.team_a, 12)
    respond(cycle, world.team_b, 5)
    respond(cycle, team_d, 3)
    page = _page(client_for(world.leader), cycle)
    rows = {row.team.name: row.responses for row in page.context["teams"]}
    assert rows == {"Team A": "5 or more", "Team B": "5", "Team D": "fewer than 5"}
    assert page.context["progress"].unit_responses == "20"

    issue_invites(cycle=cycle, team=world.team_b, count=4)
    page = _page(client_for(world.leader), cycle)
    rows = {row.team.name: row.responses for row in page.context["teams"]}
    assert rows == {"Team A": "12", "Team B": "5 or more", "Team D": "fewer than 5"}


def test_it_hides_the_unit_where_a_manager_s_own_codes_would_give_a_sibling_away(
    world, make_cycle, respond, client_for
):
    """Team A's manager made 1 code, so Team A's "fewer than 5" is 1; North's 5 would leave
    Team B 4. North reads "5 or more" instead. The leader sees both teams' codes (1 and 4), and
    with North's "5 or more" they pin both counts with nothing shown (the residual in
    docs/anonymity.md), so North's 5 tells the leader nothing more and stays shown."""
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=1)
    issue_invites(cycle=cycle, team=world.team_b, count=4)
    respond(cycle, world.team_a, 1)
    respond(cycle, world.team_b, 4)
    progress = _page(client_for(world.team_manager), cycle).context["progress"]
    assert progress.unit_responses == "5 or more"
    assert _page(client_for(world.leader), cycle).context["progress"].unit_responses == "5"


def _worlds(
    unit: int, rows: Sequence[tuple[str, int, int | None]], *, k: int
) -> set[tuple[int, ...]]:
    """Every set of team counts a reader of the cycle page could believe: each team's count
    within its band, at most its codes made and, one response a person, its headcount; adding
    up to the unit's exact count."""
    ranges = []
    for words, codes, headcount in rows:
        top = min(codes, headcount) if headcount is not None else codes
        low, high = (1, k - 1) if words == f"fewer than {k}" else (k, top)
        if words.isdigit():
            low = high = int(words)
        ranges.append(range(low, min(high, top) + 1))
    return {counts for counts in product(*ranges) if sum(counts) == unit}


def _north_of_seven(world, make_cycle, respond, *, headcount: int):
    """North's cycle: Team A 5 responses from 8 codes, with `headcount` people recorded before
    it answered; Team B 2 from 4 codes."""
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=8)
    issue_invites(cycle=cycle, team=world.team_b, count=4)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": headcount}, user=None)
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 2)
    return cycle


def test_it_lets_no_headcount_beside_the_codes_pin_a_small_team(
    world, make_cycle, respond, client_for
):
    """North 7: Team A 5 (8 codes made, 3 of them spares, for a headcount of 5), Team B 2.
    With codes alone A could be 5 or 6 and B 2 or 1, so the engine shows North's 7 and hides
    both teams. But the page sets A's "8 codes for 5 people" beside them: a team of 5 people
    gives at most 5 responses, so A has 5 and B has 2, a count of a group smaller than k."""
    cycle = _north_of_seven(world, make_cycle, respond, headcount=5)

    page = _page(client_for(world.leader), cycle)

    rows = [(row.responses, row.codes_made, row.headcount) for row in page.context["teams"]]
    unit = page.context["progress"].unit_responses
    if unit.isdigit():
        worlds = _worlds(int(unit), rows, k=5)
        assert len({counts[1] for counts in worlds}) > 1, (unit, rows, worlds)


def test_it_lets_no_failed_invitation_e_mails_beside_the_codes_pin_a_small_team(
    world, make_cycle, respond, client_for
):
    """North 7: Team A 5 responses from 8 codes, 3 of them e-mailed to addresses the mail
    server refused; Team B 2 from 4 codes. Codes made say A is 5 or 6, so North's 7 is shown;
    but nobody holds a code whose e-mail failed (it was never shown to anyone), and A's codes
    page says 3 failed: A had at most 5 codes to answer with, so A has 5 and B 2. The failed
    e-mails' codes are voided, so A's codes made read 5, and the engine bounds A by them."""
    from diagnostics.services import queue_email_invites, record_undelivered_invites

    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=5)
    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    queued = queue_email_invites(cycle=cycle, team=world.team_a, addresses=addresses)
    record_undelivered_invites(batch_id=queued.batch.pk, messages=queued.messages)
    issue_invites(cycle=cycle, team=world.team_b, count=4)
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 2)
    leader = client_for(world.leader)

    page = _page(leader, cycle)
    codes = leader.get(reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]))

    assert sum(batch.failed for batch in codes.context["batches"]) == 3
    assert {row.team: row.codes_made for row in page.context["teams"]} == {
        world.team_a: 5,
        world.team_b: 4,
    }
    rows = [(row.responses, row.codes_made, None) for row in page.context["teams"]]
    unit = page.context["progress"].unit_responses
    if unit.isdigit():
        worlds = _worlds(int(unit), rows, k=5)
        assert len({counts[1] for counts in worlds}) > 1, (unit, rows, worlds)


def test_it_says_the_bands_in_the_language_its_reader_chose(world, make_cycle, respond, client_for):
    world.leader.language = "cy"
    world.leader.save(update_fields=["language"])
    cycle = make_cycle(unit=world.north)
    respond(cycle, world.team_a, 4)
    respond(cycle, world.team_b, 7)
    page = _page(client_for(world.leader), cycle)
    rows = page.context["teams"]
    assert [(row.responses, row.suppressed) for row in rows] == [
        ("llai na 5", True),
        ("5 neu fwy", False),
    ]
    html = page.content.decode()
    assert '<span class="suppressed">llai na 5</span>' in html
    assert ">fewer than 5<" not in html


def test_it_shows_an_exact_count_and_its_rate_where_the_team_s_figures_are_shown(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a)
    issue_invites(cycle=cycle, team=world.team_a, count=8)
    respond(cycle, world.team_a, 6)
    page = _page(client_for(world.team_manager), cycle)
    (row,) = page.context["teams"]
    assert (row.responses, row.rate_percent) == ("6", 75)
    assert "75% of codes made" in page.content.decode()


def test_it_counts_a_pulse_through_its_pool_as_the_dashboards_do(
    world, make_cycle, respond, client_for
):
    pulse = make_cycle(unit=world.north, kind="pulse")
    respond(pulse, world.team_a, 6)
    respond(pulse, world.team_b, 2)
    page = _page(client_for(world.leader), pulse)
    progress = page.context["progress"]
    # North's 8 is shown on trends; A's 6 would give B's 2 away, so A reads as a side of k.
    assert [row.responses for row in page.context["teams"]] == ["5 or more", "fewer than 5"]
    assert progress.unit_responses == "8"
    assert progress.pool_label.startswith("Pulses ")
    assert progress.pool_label in page.content.decode()


def test_it_never_reads_one_pulse_s_count_beside_its_pool_s(world, weekly_pulses, client_for):
    """Two pulses of 4 pool to 8, which trends shows: had each pulse's page read its own
    "fewer than 5", the two would have to be 4 each. Each reads the pool's 8 instead, with no
    rate against one pulse's codes."""
    pulses = weekly_pulses(4, 4)
    client = client_for(world.team_manager)
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert [p.responses for p in trends.context["page"].pulse_points] == [8]
    for pulse in pulses:
        issue_invites(cycle=pulse, team=world.team_a, count=5)
        page = _page(client, pulse)
        (row,) = page.context["teams"]
        assert (row.responses, row.rate_percent) == ("8", None)
        assert '<span class="suppressed">' not in page.content.decode()
    home = client.get(reverse("home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert "fewer than 5" not in html
    assert "counted in its pool" in html


def test_it_hides_a_pool_s_count_where_each_pulse_made_only_as_many_codes(
    world, weekly_pulses, client_for
):
    """Two pulses that made 4 codes each pool 8 responses: the pool's 8 would say each pulse
    has 4, so it reads "5 or more" on every page, and trends shows no count for it."""
    pulses = weekly_pulses(4, 4)
    for pulse in pulses:
        issue_invites(cycle=pulse, team=world.team_a, count=4)
    client = client_for(world.team_manager)
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert [p.responses for p in trends.context["page"].pulse_points] == [None]
    for pulse in pulses:
        (row,) = _page(client, pulse).context["teams"]
        assert (row.codes_made, row.responses) == (4, "5 or more")

    # One more code: 5 and 4 codes leave 4 and 4, or 5 and 3, so the pool's 8 pins neither.
    issue_invites(cycle=pulses[0], team=world.team_a, count=1)
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert [p.responses for p in trends.context["page"].pulse_points] == [8]


def test_it_says_which_teams_have_entered_structural_figures(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.north)
    save_figures(cycle=cycle, team=world.team_a, values={"caseload": Decimal(19)}, user=None)
    save_figures(cycle=cycle, team=world.team_b, values={"caseload": None}, user=None)
    page = _page(client_for(world.leader), cycle)
    progress = page.context["progress"]
    assert [row.figures_entered for row in page.context["teams"]] == [True, False]
    assert progress.figures_entered == 1
    html = page.content.decode()
    assert "Not yet" in html
    assert reverse("diagnostics:figures_edit", args=[cycle.pk, world.team_b.pk]) in html


def test_it_sets_codes_made_beside_the_headcount_and_flags_more_codes_than_people(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.north)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 2}, user=None)
    save_figures(cycle=cycle, team=world.team_b, values={"headcount": 6}, user=None)
    issue_invites(cycle=cycle, team=world.team_a, count=3)
    issue_invites(cycle=cycle, team=world.team_b, count=6)

    page = _page(client_for(world.leader), cycle)

    rows = page.context["teams"]
    assert [(row.headcount, row.more_codes_than_people) for row in rows] == [(2, True), (6, False)]
    html = page.content.decode()
    assert html.count("More codes than people") == 1
    assert "for 2 people" in html


def test_it_reads_progress_in_as_many_queries_for_many_teams_as_for_few(
    world, make_cycle, respond, django_assert_max_num_queries
):
    def queries(team_count: int) -> int:
        service = add_unit(parent=world.root, name=f"Service of {team_count}", is_team=False)
        teams = [
            add_unit(parent=service, name=f"Team {n} of {team_count}", is_team=True)
            for n in range(team_count)
        ]
        cycle = make_cycle(unit=service)
        for team in teams[:3]:
            respond(cycle, team, 5)
        reach = reach_of(world.org_admin)
        with CaptureQueriesContext(connection) as captured:
            progress = cycle_progress(cycle, reach)
            rows = progress.rows(progress.team_units, paths={})
        assert len(rows) == team_count
        return len(captured)

    few, many = queries(4), queries(24)
    assert few == many
    assert many <= 12


def test_it_keeps_the_cycle_page_s_queries_bounded(
    world, make_cycle, respond, client_for, django_assert_max_num_queries
):
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 5)
    client = client_for(world.org_admin)
    _page(client, cycle)
    with django_assert_max_num_queries(25):
        assert _page(client, cycle).status_code == 200


def test_it_hides_the_cycle_page_from_an_outsider(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.north)
    assert _page(client_for(world.outsider), cycle).status_code == 404


def test_it_asks_for_structural_figures_only_beside_full_diagnostics(world, make_cycle, client_for):
    pulse = make_cycle(unit=world.team_a, kind="pulse")
    html = _page(client_for(world.team_manager), pulse).content.decode()
    assert "Structural figures entered" not in html
    assert "Not yet" not in html
    assert (
        reverse("diagnostics:figures_edit", args=[pulse.pk, world.team_a.pk]) in html
    )  # headcount


def test_it_groups_large_counts_in_thousands_but_not_the_progress_bar_s_value(
    world, make_cycle, respond, client_for, monkeypatch
):
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=6)
    respond(cycle, world.team_a, 6)
    build = cycle_progress
    make_rows = CycleProgress.rows

    def large(*args, **kwargs):
        progress = build(*args, **kwargs)
        return dataclasses.replace(
            progress,
            team_units=(progress.team_units[0], *progress.team_units * 600),
            teams_at_k=1100,
            with_figures=frozenset(range(-1005, 0)),  # ids no team has
            unit_count=response_count(23456, k=5, exact=True),
        )

    def big_rows(progress, teams, *, paths):
        first, *rest = make_rows(progress, teams, paths=paths)
        big = dataclasses.replace(
            first, codes_made=2468, count=response_count(1234, k=5, exact=True), rate_percent=50
        )
        return (big, *rest)

    monkeypatch.setattr(CycleProgress, "rows", big_rows)
    monkeypatch.setattr("diagnostics.views.cycle_progress", large)
    html = _page(client_for(world.leader), cycle).content.decode()
    assert ": <strong>23,456</strong>" in html
    assert "<strong>1,100 of 1,201</strong> teams have reached" in html
    assert "Structural figures entered for <strong>1,005 of 1,201</strong> teams" in html
    assert "<td>1,234" in html
    assert 'max="2468" value="1234"' in html  # a number the browser can read


def test_it_lists_a_page_of_teams_and_counts_them_all(world, make_cycle, client_for, monkeypatch):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 2)
    cycle = make_cycle(unit=world.root)
    client = client_for(world.org_admin)

    first = _page(client, cycle)
    second = client.get(reverse("diagnostics:cycle_detail", args=[cycle.pk]) + "?page=2")

    assert [row.team for row in first.context["teams"]] == [world.team_a, world.team_b]
    assert [row.team for row in second.context["teams"]] == [world.team_c]
    for number, page in enumerate((first, second), start=1):
        html = page.content.decode()
        assert "<strong>0 of 3</strong> teams have reached" in html
        assert f"Page {number} of 2" in html


def test_it_makes_rows_only_for_the_page_of_teams_shown_and_sums_them_all(
    world, make_cycle, respond, client_for, monkeypatch
):
    monkeypatch.setattr("sword.paging.LIST_PAGE_SIZE", 1)
    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=7)
    issue_invites(cycle=cycle, team=world.team_b, count=3)
    respond(cycle, world.team_a, 5)
    made_for = []
    real_rows = CycleProgress.rows

    def watched_rows(progress, teams, *, paths):
        made_for.append([team.name for team in teams])
        return real_rows(progress, teams, paths=paths)

    monkeypatch.setattr(CycleProgress, "rows", watched_rows)

    page = client_for(world.leader).get(
        reverse("diagnostics:cycle_detail", args=[cycle.pk]) + "?page=2"
    )

    assert made_for == [["Team B"]]
    assert [(row.team, row.codes_made) for row in page.context["teams"]] == [(world.team_b, 3)]
    assert "<strong>1 of 2</strong> teams have reached" in page.content.decode()


def test_it_counts_codes_made_for_the_teams_asked_about(world, make_cycle):
    from diagnostics.selectors import codes_made

    cycle = make_cycle(unit=world.north)
    issue_invites(cycle=cycle, team=world.team_a, count=7)
    issue_invites(cycle=cycle, team=world.team_b, count=3)

    assert codes_made(cycle) == {world.team_a.pk: 7, world.team_b.pk: 3}
    assert codes_made(cycle, teams=[world.team_b]) == {world.team_b.pk: 3}
    assert codes_made(cycle, teams=[]) == {}


def test_it_makes_no_more_units_for_a_pulse_than_for_a_full_diagnostic(
    world, make_cycle, respond, client_for, units_made
):
    # A pulse is counted through its pool by the disclosure engine, as a full diagnostic is:
    # its page makes the units the engine's family needs, and no more than a full one's.
    made = {}
    for kind in ("pulse", "full"):
        cycle = make_cycle(unit=world.north, kind=kind)
        respond(cycle, world.team_a, 6)
        client = client_for(world.leader)
        units_made.clear()
        page = _page(client, cycle)
        assert [row.team.name for row in page.context["teams"]] == ["Team A", "Team B"]
        made[kind] = sorted(units_made)
    assert made["pulse"] == made["full"]


def test_it_lets_no_headcount_pin_each_pulse_of_a_pool(
    world, make_cycle, pulses_a_week_apart, respond, client_for
):
    """Two pulses of Team A made 5 codes each and had 4 responses each: the pool's 8 allows
    (4, 4), (3, 5) and (5, 3), so it is shown. But the codes page of either pulse says the team
    has 4 people (its headcount recorded with the last full diagnostic), and nobody answers one
    pulse twice: each pulse had 4, a count the pages never give for one pulse."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    full = make_cycle(unit=world.team_a, opens_on=today - timedelta(days=3), closes_on=today)
    save_figures(cycle=full, team=world.team_a, values={"headcount": 4}, user=None)
    respond(full, world.team_a, 4)
    pulses = pulses_a_week_apart(world.team_a, after=1)  # after the full diagnostic closed
    for pulse in pulses:
        issue_invites(cycle=pulse, team=world.team_a, count=5)
        respond(pulse, world.team_a, 4)
    manager = client_for(world.team_manager)

    (row,) = _page(manager, pulses[1]).context["teams"]
    codes = manager.get(reverse("diagnostics:invites_new", args=[pulses[1].pk, world.team_a.pk]))

    people = codes.context["headcount"].people
    assert people == 4
    if row.responses.isdigit():
        pool = int(row.responses)
        worlds = {
            (first, pool - first)
            for first in range(0, min(row.codes_made, people) + 1)
            if 0 <= pool - first <= min(row.codes_made, people)
        }
        assert len(worlds) > 1, (pool, row.codes_made, people, worlds)


def test_it_takes_no_bound_from_a_headcount_below_the_team_s_responses(
    world, make_cycle, respond, client_for
):
    """A recorded headcount of 4 for a team that gave 5 responses is wrong (or from another
    time): it bounds nothing, and the codes made (8) still let Team A have 5 or 6."""
    cycle = _north_of_seven(world, make_cycle, respond, headcount=4)
    assert _page(client_for(world.leader), cycle).context["progress"].unit_responses == "7"


def test_it_bounds_a_team_by_its_headcount_where_it_made_no_codes(
    world, make_cycle, respond, client_for
):
    """Responses loaded without codes: the headcount beside them is their only bound. Without
    one, North's 7 is shown; with Team A's 5 people recorded, it would leave Team B 2."""
    leader = client_for(world.leader)
    for headcount, shown in ((None, "7"), (5, "5 or more")):
        cycle = make_cycle(unit=world.north, name=f"Headcount {headcount}")
        save_figures(cycle=cycle, team=world.team_a, values={"headcount": headcount}, user=None)
        respond(cycle, world.team_a, 5)
        respond(cycle, world.team_b, 2)
        assert _page(leader, cycle).context["progress"].unit_responses == shown


def test_it_bounds_a_team_by_its_headcount_where_it_made_fewer_codes_than_responses(
    world, make_cycle, respond, client_for
):
    """Team A's 5 responses were loaded without codes, and 3 codes were made for it since:
    codes fewer than the responses bound nothing, but the cycle page still says "3 codes for 5
    people", so Team A's "5 or more" is 5, and North's 7 would leave Team B 2."""
    cycle = make_cycle(unit=world.north)
    save_figures(cycle=cycle, team=world.team_a, values={"headcount": 5}, user=None)
    respond(cycle, world.team_a, 5)
    respond(cycle, world.team_b, 2)
    issue_invites(cycle=cycle, team=world.team_a, count=3)
    leader = client_for(world.leader)
    page = _page(leader, cycle)
    assert {row.team: (row.codes_made, row.headcount) for row in page.context["teams"]} == {
        world.team_a: (3, 5),
        world.team_b: (0, None),
    }
    assert page.context["progress"].unit_responses != "7"


def test_it_lets_no_headcount_a_manager_records_tell_the_pulses_of_a_pool_apart(
    world, make_cycle, pulses_a_week_apart, respond, client_for
):
    """Three teams' pools of two pulses, each of 8 responses from 5 codes a pulse: (4, 4),
    (3, 5) and (5, 3), which nothing shown tells apart (each pool reads 8). Each team's manager
    records a headcount of 4 on the last full diagnostic's figures form, whatever the team's
    size: the engine takes it as a bound only where no pulse had more than 4 responses, so the
    pool of (4, 4) is now hidden and the two others still read 8. The manager of the first team
    learns that each of its pulses had 4, a single pulse's count that no page gives."""
    from datetime import timedelta

    from django.utils import timezone

    from organisations.models import Role
    from tests.factories import make_member

    team_d = add_unit(parent=world.north, name="Team D", is_team=True)
    splits = {world.team_a: (4, 4), world.team_b: (3, 5), team_d: (5, 3)}
    managers = {
        world.team_a: world.team_manager,
        world.team_b: make_member(world.team_b, Role.TEAM_MANAGER),
        team_d: make_member(team_d, Role.TEAM_MANAGER),
    }
    today = timezone.localdate()
    full = make_cycle(unit=world.north, opens_on=today - timedelta(days=3), closes_on=today)
    pulses = pulses_a_week_apart(world.north)
    for number, pulse in enumerate(pulses):
        for team, split in splits.items():
            issue_invites(cycle=pulse, team=team, count=5)
            respond(pulse, team, split[number])

    def seen(team):
        client = client_for(managers[team])
        (row,) = _page(client, pulses[1]).context["teams"]
        return row.responses

    before = {team: seen(team) for team in splits}
    assert set(before.values()) == {"8"}
    for team, manager in managers.items():
        figures = reverse("diagnostics:figures_edit", args=[full.pk, team.pk])
        client_for(manager).post(figures, {"headcount": 4})
    after = {team: (before[team], seen(team)) for team in splits}
    assert [after[team] for team in splits].count(after[world.team_a]) > 1, after


def test_it_lets_no_headcount_below_a_pulse_s_responses_tell_a_pool_s_pulses_apart(
    world, pulses_a_week_apart, respond, client_for
):
    """Team A and Team B each recorded 4 people with their two pulses before anyone answered,
    and made 5 and 4 codes for them: the pages give both teams the same codes, headcounts and
    pool of 8. With 4 codes, the second pulse had at most 4, so the pool's 8 is (4, 4) or (5, 3).
    Team A had (4, 4), which the headcount of 4 pins, so its pool is hidden. Team B had (5, 3):
    its first pulse's 5 is above its headcount, which then bounds nothing, and its 8 is shown.
    Whoever reads Team B's 8, knowing that a pool of (4, 4) would have been hidden, reads its
    second pulse as 3 (no deed after the responses is needed: the headcount was recorded before
    them, by anyone, or carried from a full diagnostic the team has since outgrown)."""

    from organisations.models import Role
    from tests.factories import make_member

    splits = {world.team_a: (4, 4), world.team_b: (5, 3)}
    managers = {
        world.team_a: world.team_manager,
        world.team_b: make_member(world.team_b, Role.TEAM_MANAGER),
    }
    pulses = pulses_a_week_apart(world.north, opened=False)
    for number, (pulse, codes) in enumerate(zip(pulses, (5, 4), strict=True)):
        for team in splits:
            save_figures(cycle=pulse, team=team, values={"headcount": 4}, user=None)
        open_cycle(cycle=pulse)
        for team, split in splits.items():
            issue_invites(cycle=pulse, team=team, count=codes)
            respond(pulse, team, split[number])

    def seen(team):
        client = client_for(managers[team])
        shown = []
        for pulse in pulses:
            (row,) = _page(client, pulse).context["teams"]
            shown.append((row.codes_made, row.headcount))
        return shown, row.responses

    read = {team: seen(team) for team in splits}
    assert read[world.team_a][0] == read[world.team_b][0] == [(5, 4), (4, 4)]
    assert read[world.team_a] == read[world.team_b], read
