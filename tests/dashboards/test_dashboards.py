"""The dashboards: what leaders and managers see, its agreement with the export, and a fixed
number of queries whatever the number of teams."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Cycle
from diagnostics.selectors import latest_version_for
from diagnostics.services import create_cycle, issue_invites, open_cycle
from diagnostics.structural_data import save_figures
from diagnostics.tallies import NOT_APPLICABLE
from organisations.models import Role
from tests.factories import make_member, make_organisation, make_units


@pytest.fixture
def cycle(world, make_cycle, respond):
    cycle = make_cycle(unit=world.units["Children's Services"])
    respond(cycle, world.team_a, 6, value=lambda i, code: 5 if i < 4 else 2)
    respond(cycle, world.team_b, 2)
    respond(cycle, world.team_c, 7, value=3)
    return cycle


def chart_spec(html: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match is not None, chart_id
    return json.loads(match.group(1))


def export(cycle, level):
    out = io.StringIO()
    call_command("export_results", str(cycle.pk), "--level", level, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def table_means(html: str) -> dict[str, str]:
    """Domain → mean shown in the profile's domain table."""
    found = {}
    pattern = (
        r'<th scope="row">([^<]+?)(?: <span class="badge[^"]*">Urgent</span>)?</th>\s*'
        r'<td><span class="band band-\w+">([\d.]+)'
    )
    for name, mean in re.findall(pattern, html):
        found[name.strip()] = mean
    return found


def test_it_shows_the_same_figures_on_screen_as_the_export(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.team_c.pk]) + f"?cycle={cycle.pk}")
        .content.decode()
    )
    shown = table_means(html)
    rows = [r for r in export(cycle, "team") if r["unit_path"].endswith("Team C")]
    outcomes = {"Intending to stay", "Recommending as a place to practise"}
    assert shown == {r["domain"]: r["mean"] for r in rows if r["domain"] not in outcomes}
    assert len(shown) == 9
    # an outcome's share who agree on the page is the export's green share
    for row in rows:
        if row["domain"] in outcomes:
            assert f"{row['green_pct']}% agree" in html


def test_it_says_fewer_than_k_in_place_of_suppressed_figures(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.team_b.pk]) + f"?cycle={cycle.pk}")
        .content.decode()
    )
    assert "fewer than 5 responses" in html
    assert table_means(html) == {}


def test_it_says_why_a_figure_is_hidden_in_the_language_its_reader_chose(world, cycle, client_for):
    world.org_admin.language = "cy"
    world.org_admin.save(update_fields=["language"])
    client = client_for(world.org_admin)
    profile = client.get(
        reverse("dashboards:profile", args=[world.team_b.pk]) + f"?cycle={cycle.pk}"
    ).content.decode()
    assert "llai na 5 ymateb" in profile
    assert "fewer than 5 responses" not in profile
    compare = client.get(reverse("dashboards:compare", args=[world.north.pk])).content.decode()
    assert 'llai na 5<span class="visually-hidden">: llai na 5 ymateb</span>' in compare
    assert "fewer than 5 responses" not in compare


def test_it_gives_the_team_manager_their_own_team_and_hides_a_revealing_parent(
    world, cycle, client_for
):
    html = (
        client_for(world.team_manager)
        .get(reverse("dashboards:profile", args=[world.team_a.pk]))
        .content.decode()
    )
    assert len(table_means(html)) == 9  # own team (6 responses) shown to its manager
    assert "Locality North</th>" not in html  # North (8) - Team A (6) = 2: no parent column
    leader_html = (
        client_for(world.leader)
        .get(reverse("dashboards:profile", args=[world.team_a.pk]))
        .content.decode()
    )
    assert table_means(leader_html) == {}  # leaders see Team A hidden beside Team B's 2


def test_it_warns_when_fewer_than_half_responded(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.team_c)
    issue_invites(cycle=cycle, team=world.team_c, count=20)
    respond(cycle, world.team_c, 6)
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.team_c.pk]))
        .content.decode()
    )
    assert "30%" in html
    assert "Under half of those invited answered" in html


def test_it_shows_structural_figures_beside_the_domains_they_bear_on(world, cycle, client_for):
    save_figures(
        cycle=cycle,
        team=world.team_c,
        values={"caseload": Decimal(27), "supervision_held": Decimal(95)},
        user=None,
    )
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.team_c.pk]) + f"?cycle={cycle.pk}")
        .content.decode()
    )
    workload_row = html[html.index(">Workload and caseloads<") : html.index(">Supervision<")]
    assert "Average caseload per full-time practitioner: 27" in workload_row
    assert '<span class="band band-red">Red</span>' in workload_row
    supervision_row = html[html.index(">Supervision<") : html.index(">Safety<")]
    assert "Supervision held at the agreed frequency: 95" in supervision_row
    unit_page = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.north.pk]) + f"?cycle={cycle.pk}")
        .content.decode()
    )
    assert '<th scope="col">Structural figures</th>' in html
    assert '<th scope="col">Structural figures</th>' not in unit_page  # figures are per team


def test_it_compares_child_units_with_suppressed_cells_labelled(world, cycle, client_for):
    client = client_for(world.org_admin)
    html = client.get(
        reverse("dashboards:compare", args=[world.units["Children's Services"].pk])
    ).content.decode()
    assert "Locality North" in html
    assert "Locality South" in html
    spec = chart_spec(html, "chart-heatmap")
    assert spec["data"][0]["type"] == "heatmap"
    assert spec["links"][0].startswith("/results/compare/")
    north = client.get(reverse("dashboards:compare", args=[world.north.pk])).content.decode()
    assert 'fewer than 5<span class="visually-hidden">: fewer than 5 responses</span>' in north


def test_it_sorts_rows_by_a_domain(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(
            reverse("dashboards:compare", args=[world.units["Children's Services"].pk]) + "?sort=WL"
        )
        .content.decode()
    )
    table = html[html.index("<tbody>") :]
    assert table.index("Locality South") < table.index(
        "Locality North"
    )  # 3.0 before 4.0... lowest first


def test_it_offers_the_organisation_view_to_org_admins_only(world, cycle, client_for):
    response = client_for(world.org_admin).get(reverse("dashboards:compare_home"))
    assert response["Location"] == reverse("dashboards:compare", args=[world.root.pk])
    assert client_for(world.team_manager).get(reverse("dashboards:compare_home")).status_code == 404
    assert (
        client_for(world.team_manager)
        .get(reverse("dashboards:compare", args=[world.team_a.pk]))
        .status_code
        == 403
    )


def test_it_draws_trends_on_a_time_axis_of_the_cycles_dates(world, make_cycle, respond, client_for):
    first = make_cycle(unit=world.team_c, name="Spring diagnostic")
    respond(first, world.team_c, 6, value=2)
    later = first.closes_on + timedelta(days=1)
    second = make_cycle(
        unit=world.team_c,
        name="Autumn diagnostic",
        opens_on=later,
        closes_on=later + timedelta(days=5),
    )
    respond(second, world.team_c, 6, value=5)
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:trends", args=[world.team_c.pk]))
        .content.decode()
    )
    spec = chart_spec(html, "chart-trend-wl")
    assert spec["data"][0]["x"] == [first.opens_on.isoformat(), later.isoformat()]
    assert spec["data"][0]["customdata"] == ["Spring diagnostic", "Autumn diagnostic"]
    assert spec["data"][0]["y"][0] < spec["data"][0]["y"][1]


def test_it_frames_every_results_page_as_working_conditions(world, cycle, client_for):
    client = client_for(world.org_admin)
    for url in (
        reverse("dashboards:profile", args=[world.team_c.pk]),
        reverse("dashboards:compare", args=[world.root.pk]),
        reverse("dashboards:trends", args=[world.root.pk]),
        reverse("dashboards:lens", args=[world.root.pk]),
    ):
        html = client.get(url).content.decode()
        assert "working conditions your organisation provides" in html, url
        assert "Red means the organisation has work to do" in html, url


def test_it_refuses_a_revealing_breakdown_with_a_clear_message(world, cycle, client_for):
    html = (
        client_for(world.org_admin)
        .get(reverse("dashboards:profile", args=[world.team_c.pk]) + "?role_group=manager")
        .content.decode()
    )
    assert "cannot be shown" in html
    assert "Showing everyone instead" in html


def test_it_shows_the_lens_sentence_with_five_teams(db, respond, client_for):
    organisation = make_organisation("Lens Council", "lens")
    units = make_units(organisation, {"Service": [f"T{i}" for i in range(6)]})
    admin = make_member(units["root"], Role.ORG_ADMIN)
    cycle = open_full_cycle(organisation, units["root"])
    for i in range(6):
        team = units[f"T{i}"]
        save_figures(cycle=cycle, team=team, values={"caseload": Decimal(10 + 3 * i)}, user=None)
        respond(cycle, team, 5, value=max(1, 6 - i))
    url = reverse("dashboards:lens", args=[units["root"].pk]) + "?figure=caseload&domain=WB"
    html = client_for(admin).get(url).content.decode()
    assert "Teams carrying more cases per practitioner report lower wellbeing scores" in html
    assert "across 6 teams" in html
    assert 'id="chart-lens"' in html


def open_full_cycle(organisation, unit) -> Cycle:
    today = timezone.localdate()
    cycle = create_cycle(
        unit=unit,
        kind=Cycle.Kind.FULL,
        instrument=latest_version_for(organisation),
        name="Cycle",
        opens_on=today,
        closes_on=today + timedelta(days=3),
        created_by=None,
    )
    return open_cycle(cycle=cycle)


def build_organisation(slug: str, teams: int):
    organisation = make_organisation(f"Council {slug}", slug)
    per_service = 3
    spec = {
        f"Directorate {d}": {
            f"Service {d}.{s}": [f"Team {d}.{s}.{t}" for t in range(per_service)]
            for s in range(teams // per_service // 2)
        }
        for d in range(2)
    }
    units = make_units(organisation, spec)
    admin = make_member(units["root"], Role.ORG_ADMIN)
    return organisation, units, admin, open_full_cycle(organisation, units["root"])


@pytest.mark.parametrize("page", ["profile", "compare", "trends", "lens", "export"])
def test_it_runs_the_same_number_of_queries_for_12_teams_and_for_60(
    db, page, respond, client_for, django_assert_max_num_queries
):
    counts = []
    for slug, teams in (("small", 12), ("large", 60)):
        _, units, admin, cycle = build_organisation(slug, teams)
        team_units = [u for name, u in units.items() if name.startswith("Team ")]
        assert len(team_units) == teams
        for team in team_units:
            respond(cycle, team, 5)
        client = client_for(admin)
        target = team_units[0] if page == "profile" else units["root"]
        if page == "export":
            url = reverse("diagnostics:results_export", args=[cycle.pk, "csv"])
        else:
            url = reverse(f"dashboards:{page}", args=[target.pk])
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(url)


def test_it_shows_the_latest_pooled_pulses_on_the_dashboard_and_all_on_trends(
    world, make_cycle, respond, client_for
):
    from dashboards.common import DASHBOARD_PULSES

    full = make_cycle(unit=world.team_a, name="Full")
    respond(full, world.team_a, 5)  # a cycle with figures shown, so the page shows results
    window = world.organisation.pulse_window_days
    opening = []
    for number in range(DASHBOARD_PULSES + 2):
        opens = timezone.localdate() + timedelta(days=window * number)
        make_cycle(
            unit=world.team_a,
            kind=Cycle.Kind.PULSE,
            name=f"Pulse {number + 1}",
            opens_on=opens,
            closes_on=opens + timedelta(days=6),
        )
        opening.append(opens)
    client = client_for(world.team_manager)
    profile = client.get(reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": full.pk})
    labels = [point.label for point in profile.context["page"].pulse_points]
    assert len(labels) == DASHBOARD_PULSES
    for label, opens in zip(labels, opening[2:], strict=True):
        assert label.startswith(f"Pulses {opens.day} {opens:%b}")
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert len(trends.context["page"].pulse_points) == DASHBOARD_PULSES + 2


def test_it_gives_every_lens_pair_the_rho_of_its_own_points(db, respond):
    from scipy.stats import spearmanr

    from diagnostics.pooling import cycle_scope
    from diagnostics.results import results_for_scopes
    from diagnostics.structural_data import figures_for, lens

    organisation = make_organisation("Lens Council", "lens")
    units = make_units(organisation, {"Service": [f"T{i}" for i in range(7)]})
    cycle = open_full_cycle(organisation, units["root"])
    teams = [units[f"T{i}"] for i in range(7)]
    for i, team in enumerate(teams):
        values = {"caseload": Decimal(10 + 3 * i), "vacancy_rate": Decimal((i * 7) % 5)}
        if i == 6:
            values = {"caseload": Decimal(30)}  # one team without a vacancy rate
        save_figures(cycle=cycle, team=team, values=values, user=None)
        respond(cycle, team, 5, value=lambda n, code, i=i: 1 + (i + n + len(code)) % 6)
    (results,) = results_for_scopes(organisation, [cycle_scope(cycle)], reach=None)
    found = lens(results, figures_for([cycle.pk]), cycle_id=cycle.pk, teams=teams)
    computed = [r for r in found if r.association.rho is not None]
    assert {r.association.figure.code for r in computed} == {"caseload", "vacancy_rate"}
    for result in computed:
        xs = [p.figure_value for p in result.points]
        ys = [p.domain_mean for p in result.points]
        assert result.association.rho == pytest.approx(spearmanr(xs, ys).statistic)
        assert result.association.teams == len(result.points)


@pytest.fixture
def small_pulses(weekly_pulses):
    """Four pulses of Team A in one period: three of 3 responses, then one of 1."""
    return weekly_pulses(3, 3, 3, 1)


def test_it_never_shows_two_pooled_pulses_that_differ_by_a_small_group(
    world, small_pulses, client_for
):
    """With a window ending at each pulse, 9 pooled to the third and 10 to the fourth would
    give away the fourth pulse's one respondent (§5)."""
    client = client_for(world.team_manager)
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert [p.responses for p in trends.context["page"].pulse_points] == [10]
    for pulse in small_pulses:
        page = client.get(
            reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": pulse.pk}
        )
        assert page.context["page"].group.responses == 10
        assert [point.pulses for point in page.context["page"].pulse_points] == [4]
    from organisations.models import AuditEvent

    viewed = AuditEvent.objects.filter(detail__startswith="Profile, Pulse 4: Pulses ").get()
    assert viewed.detail.endswith("(pooled over 4 pulses)")  # what the page showed


def test_it_compares_units_on_a_pulse_through_the_pool(world, small_pulses, make_cycle, client_for):
    make_cycle(unit=world.team_c, kind=Cycle.Kind.PULSE)  # another locality's: not counted
    client = client_for(world.leader)
    page = client.get(
        reverse("dashboards:compare", args=[world.north.pk]), {"cycle": small_pulses[-1].pk}
    )
    row = next(row for row in page.context["page"].rows if row.unit == world.team_a)
    assert row.responses == 10
    assert "with the other pulses of its period: Pulses " in page.content.decode()
    assert "(pooled over 4 pulses)" in page.content.decode()


def test_it_opens_a_unit_on_the_newest_diagnostic_run_across_it(world, make_cycle, client_for):
    services = world.units["Children's Services"]
    yesterday = timezone.localdate() - timedelta(days=1)
    everyone = make_cycle(unit=services, name="Everyone", opens_on=yesterday)
    one_team = make_cycle(unit=world.team_a, name="Team A alone")
    client = client_for(world.org_admin)
    for page in ("profile", "compare", "lens"):
        response = client.get(reverse(f"dashboards:{page}", args=[services.pk]))
        context = response.context
        shown = context["page"].cycle if page == "compare" else context["cycle"]
        assert shown == everyone, page
    team_page = client.get(reverse("dashboards:profile", args=[world.team_a.pk]))
    assert team_page.context["cycle"] == one_team


def test_it_shows_pulse_comments_once_the_pool_reaches_the_comment_threshold(
    world, small_pulses, client_for
):
    from diagnostics.models import Comment

    Comment.objects.create(cycle=small_pulses[0], team=world.team_a, text="Rota gaps again")
    Comment.objects.create(cycle=small_pulses[3], team=world.team_a, text="Duty is better")
    client = client_for(world.team_manager)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    page = client.get(url, {"cycle": small_pulses[3].pk})
    assert page.context["page"].comments.comments == ("Duty is better", "Rota gaps again")
    world.organisation.comment_threshold = 11
    world.organisation.save()
    assert client.get(url, {"cycle": small_pulses[3].pk}).context["page"].comments.comments == ()


def test_it_lists_a_units_comments_only_from_its_teams_that_reach_the_comment_threshold(
    world, make_cycle, respond, client_for
):
    from diagnostics.models import Comment

    whole = make_cycle(unit=world.root)
    earlier = make_cycle(unit=world.root, name="Earlier")
    for team, count in ((world.team_a, 10), (world.team_b, 9), (world.team_c, 12)):
        respond(whole, team, count)
        Comment.objects.create(cycle=whole, team=team, text=f"{team.name} wrote this")
    Comment.objects.create(cycle=earlier, team=world.team_a, text="In another cycle")
    client = client_for(world.org_admin)

    def comments(unit) -> tuple[tuple[str, ...], str]:
        page = client.get(reverse("dashboards:profile", args=[unit.pk]), {"cycle": whole.pk})
        block = page.context["page"].comments
        return block.comments, block.note

    assert comments(world.root) == (
        ("Team A wrote this", "Team C wrote this"),
        "Comments are shown only from teams whose results are shown here and that have at "
        "least 10 responses.",
    )
    assert comments(world.north) == (
        ("Team A wrote this",),
        "Comments are shown only from teams whose results are shown here and that have at "
        "least 10 responses.",
    )
    assert comments(world.units["Locality South"]) == (("Team C wrote this",), "")


def test_it_keeps_back_the_comments_of_a_team_whose_count_is_hidden(
    world, make_cycle, respond, client_for
):
    """North's 11 is shown, and Team A's 10 is hidden (beside it, it would give Team B's 1
    away): A reads "5 or more", so 5 to 10. Its comments on North's page would say it has at
    least 10, and so that Team B has 1; they are kept back until A's count is shown."""
    from diagnostics.models import Comment

    cycle = make_cycle(unit=world.north)
    respond(cycle, world.team_a, 10)
    respond(cycle, world.team_b, 1)
    Comment.objects.create(cycle=cycle, team=world.team_a, text="Team A wrote this")
    client = client_for(world.leader)
    page = client.get(reverse("dashboards:profile", args=[world.north.pk]), {"cycle": cycle.pk})
    assert page.context["page"].group.responses == 11
    block = page.context["page"].comments
    assert block.comments == ()
    assert block.note.startswith("Comments are shown only from teams whose results are shown")
    assert "Team A wrote this" not in page.content.decode()

    respond(cycle, world.team_b, 4)  # B's 5 is shown, and so is A's 10
    page = client.get(reverse("dashboards:profile", args=[world.north.pk]), {"cycle": cycle.pk})
    assert page.context["page"].comments.comments == ("Team A wrote this",)


def test_it_counts_only_the_unit_s_own_pulses_in_a_pool(
    world, small_pulses, make_cycle, client_for
):
    make_cycle(unit=world.team_c, kind=Cycle.Kind.PULSE, name="South pulse")
    client = client_for(world.org_admin)
    trends = client.get(reverse("dashboards:trends", args=[world.team_a.pk]))
    assert [p.pulses for p in trends.context["page"].pulse_points] == [4]
    page = client.get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": small_pulses[0].pk}
    )
    assert "(pooled over 4 pulses opened in this 90-day period)" in page.content.decode()


def test_it_shows_pooled_statement_figures_only_where_no_pulse_can_be_singled_out(
    world, small_pulses, make_cycle, respond, client_for
):
    """Pulses rotate statements: a statement asked in one small pulse only, set against its
    domain over the pool, would single out that pulse's people; the engine hides it."""
    client = client_for(world.team_manager)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    page = client.get(url, {"cycle": small_pulses[0].pk})
    for row in page.context["page"].statement_rows:
        if row.shown:
            code = row.code
            answered = sum(
                1
                for pulse in small_pulses
                for response in pulse.responses.all()
                if response.answers.filter(statement__code=code).exists()
            )
            assert answered >= world.organisation.anonymity_threshold

    later = timezone.localdate() + timedelta(days=world.organisation.pulse_window_days)
    alone = make_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.PULSE,
        opens_on=later,
        closes_on=later + timedelta(days=6),
    )
    respond(alone, world.team_a, 6)
    page = client.get(url, {"cycle": alone.pk})  # one pulse in its period: the same people
    assert page.context["page"].statements_shown is True
    assert any(row.shown for row in page.context["page"].statement_rows)


def test_it_says_how_many_hidden_statements_the_chart_leaves_out(
    world, make_cycle, respond, client_for
):
    cycle = make_cycle(unit=world.team_a)
    skipped = {"WL1", "SUP1"}  # each answered by 4 of the 6
    respond(
        cycle,
        world.team_a,
        6,
        value=lambda index, code: NOT_APPLICABLE if code in skipped and index < 2 else 4,
    )
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    page = client_for(world.team_manager).get(url, {"cycle": cycle.pk})
    rows = page.context["page"].statement_rows
    hidden = [row.code for row in rows if not row.shown]
    assert skipped <= set(hidden)
    assert len(hidden) < len(rows)
    charted = page.context["page"].distribution_chart["data"][0]["y"]
    assert len(charted) == len(rows) - len(hidden)
    assert f"{len(hidden)} statements are not in the chart" in page.content.decode()
    by_code = {row.code: row for row in rows}
    assert by_code["WL1"].hidden == "fewer than 5 people answered it"  # 4 of the team's 6


def test_it_says_so_once_when_no_statement_can_be_shown(world, make_cycle, respond, client_for):
    cycle = make_cycle(unit=world.team_a)
    respond(cycle, world.team_a, 6, value=lambda index, code: NOT_APPLICABLE if index < 2 else 4)

    page = client_for(world.team_manager).get(
        reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": cycle.pk}
    )

    assert not any(row.shown for row in page.context["page"].statement_rows)
    html = page.content.decode()
    assert "none of them shown)" in html
    assert "No statement's figures can be shown here" in html
    assert '<details class="fold" data-print-open data-fold-on-phone>' in html  # folded


def spring_then_autumn(make_cycle, team) -> tuple[Cycle, Cycle]:
    """Two cycles of the team: "Spring", opened 40 days ago, and "Autumn", opening now."""
    earlier = make_cycle(
        unit=team,
        name="Spring",
        opens_on=timezone.localdate() - timedelta(days=40),
        closes_on=timezone.localdate() + timedelta(days=1),
    )
    return earlier, make_cycle(unit=team, name="Autumn")


def test_it_leaves_out_an_earlier_result_the_breakdown_may_not_reach(
    world, make_cycle, respond, client_for
):
    """5 practitioners and 2 managers before: 'practitioner' there would give away the two."""
    earlier, now = spring_then_autumn(make_cycle, world.team_a)
    respond(earlier, world.team_a, 5, about={"role_group": "practitioner"})
    respond(earlier, world.team_a, 2, about={"role_group": "manager"})
    respond(now, world.team_a, 5, about={"role_group": "practitioner"})
    respond(now, world.team_a, 5, about={"role_group": "manager"})
    client = client_for(world.team_manager)
    url = reverse("dashboards:profile", args=[world.team_a.pk])
    whole = client.get(url, {"cycle": now.pk})
    assert whole.context["page"].previous_label == "Spring"
    broken_down = client.get(url, {"cycle": now.pk, "role_group": "practitioner"})
    assert broken_down.context["page"].filters == {"role_group": "practitioner"}
    assert broken_down.context["page"].previous_label == ""
    assert all(row.previous_mean == "" for row in broken_down.context["page"].rows)


def test_it_says_a_fall_without_a_minus_sign_after_down(world, make_cycle, respond, client_for):
    earlier, now = spring_then_autumn(make_cycle, world.team_a)
    respond(earlier, world.team_a, 5, value=5)
    respond(now, world.team_a, 5, value=2)

    html = (
        client_for(world.team_manager)
        .get(reverse("dashboards:profile", args=[world.team_a.pk]), {"cycle": now.pk})
        .content.decode()
    )

    assert re.search(r"▼ down \d\.\d \(was \d\.\d\)", html)
    assert "down -" not in html
