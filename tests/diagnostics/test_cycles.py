from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from diagnostics.models import Cycle, CycleTeam, Invite
from diagnostics.services import (
    close_cycle,
    delete_draft_cycle,
    issue_invites,
    open_cycle,
    schedule_cycle,
    update_draft_cycle,
)
from organisations.models import AuditEvent


def test_it_includes_every_active_team_below_the_unit(world, make_cycle):
    cycle = make_cycle(unit=world.units["Children's Services"])
    assert set(CycleTeam.objects.filter(cycle=cycle).values_list("team__name", flat=True)) == {
        "Team A",
        "Team B",
        "Team C",
    }


def test_it_names_an_unnamed_cycle_in_english_whoever_creates_it(world, make_cycle):
    with translation.override("cy"):  # its kind's label reads in Welsh on pages
        assert str(Cycle.Kind.FULL.label) == "Diagnostig llawn"
        cycle = make_cycle(unit=world.north, opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 20))
    assert cycle.name == "Full diagnostic Locality North March 2027"


def test_it_names_a_second_unnamed_cycle_of_the_month_by_its_day(world, make_cycle):
    first = make_cycle(unit=world.north, opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 14))
    second = make_cycle(unit=world.north, opens_on=date(2027, 3, 29), closes_on=date(2027, 4, 9))
    assert first.name == "Full diagnostic Locality North March 2027"
    assert second.name == "Full diagnostic Locality North 29 March 2027"


def test_it_stores_a_pulse_choice_that_rotates_between_pulses_of_the_unit(world, make_cycle):
    seen: set[str] = set()
    previous: set[str] = set()
    outcomes = {"STAY1", "REC1"}
    for _ in range(5):
        pulse = make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)
        asked = list(pulse.cycle_statements.values_list("statement__code", flat=True))
        # every pulse also asks the outcome statements, last, beyond its 9 to 12 conditions
        assert asked[-2:] == ["STAY1", "REC1"]
        codes = set(asked) - outcomes
        assert 9 <= len(codes) <= 12
        assert not codes & previous
        previous = codes
        seen |= codes
    assert len(seen) == 45


def test_it_moves_draft_to_open_to_closed_and_never_reopens(world, make_cycle):
    cycle = make_cycle(opened=False)
    assert cycle.status == Cycle.Status.DRAFT
    open_cycle(cycle=cycle)
    close_cycle(cycle=cycle)
    assert cycle.status == Cycle.Status.CLOSED
    with pytest.raises(ValidationError, match="Only a draft cycle can be opened"):
        open_cycle(cycle=cycle)


def test_it_closes_a_cycle_once_when_two_close_it_from_what_they_read_open(world, make_cycle):
    cycle = make_cycle()
    read_by_the_other = Cycle.objects.get(pk=cycle.pk)
    close_cycle(cycle=cycle)
    first_closed_at = Cycle.objects.get(pk=cycle.pk).closed_at
    assert read_by_the_other.status == Cycle.Status.OPEN  # what the other request still holds
    with pytest.raises(ValidationError, match="Only an open cycle can be closed"):
        close_cycle(cycle=read_by_the_other)
    assert Cycle.objects.get(pk=cycle.pk).closed_at == first_closed_at


def later(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


CHANGES_OF_A_DRAFT = {
    "open": lambda cycle: open_cycle(cycle=cycle),
    "schedule": lambda cycle: schedule_cycle(cycle=cycle, automatically=True),
    "change dates": lambda cycle: update_draft_cycle(
        cycle=cycle, name="Moved", opens_on=later(3), closes_on=later(20)
    ),
    "delete": lambda cycle: delete_draft_cycle(cycle=cycle),
}


@pytest.mark.parametrize("change", CHANGES_OF_A_DRAFT.values(), ids=CHANGES_OF_A_DRAFT.keys())
def test_it_refuses_a_draft_s_change_from_a_copy_read_before_it_opened(world, make_cycle, change):
    """Another request opened and closed the cycle since this one read it as a draft: the
    stored status decides, so a closed cycle never reopens and an open one keeps its codes."""
    cycle = make_cycle(opened=False, opens_on=later(2), closes_on=later(16))
    read_as_a_draft = Cycle.objects.get(pk=cycle.pk)
    Cycle.objects.filter(pk=cycle.pk).update(opens_on=timezone.localdate())
    opened = Cycle.objects.get(pk=cycle.pk)
    open_cycle(cycle=opened)
    issue_invites(cycle=opened, team=world.team_a, count=2)
    close_cycle(cycle=opened)
    before = Cycle.objects.values().get(pk=cycle.pk)

    with pytest.raises(ValidationError, match="Only a draft cycle can be"):
        change(read_as_a_draft)
    assert Cycle.objects.values().get(pk=cycle.pk) == before
    assert Invite.objects.filter(cycle=cycle).count() == 2


def test_it_checks_a_draft_s_new_dates_against_a_schedule_set_since_its_page_was_read(
    world, make_cycle
):
    cycle = make_cycle(opened=False, opens_on=later(2), closes_on=later(16))
    read_unscheduled = Cycle.objects.get(pk=cycle.pk)
    schedule_cycle(cycle=Cycle.objects.get(pk=cycle.pk), automatically=True)
    with pytest.raises(ValidationError, match="scheduled to open by itself"):
        update_draft_cycle(
            cycle=read_unscheduled,
            name="",
            opens_on=timezone.localdate(),
            closes_on=later(16),
        )
    assert Cycle.objects.get(pk=cycle.pk).opens_on == later(2)


def test_it_makes_codes_only_for_teams_in_the_cycle(world, make_cycle):
    cycle = make_cycle(unit=world.north)
    with pytest.raises(ValidationError, match="not taking part"):
        issue_invites(cycle=cycle, team=world.team_c, count=3)
    codes = issue_invites(cycle=cycle, team=world.team_a, count=3)
    assert len(codes) == 3
    stored = set(Invite.objects.values_list("code_hash", flat=True))
    assert not stored & set(codes)  # only hashes are stored


def test_it_refuses_a_team_manager_creating_a_cycle_outside_their_reach(world, client_for):
    client = client_for(world.team_manager)
    today = timezone.localdate()
    response = client.post(
        reverse("diagnostics:cycle_create"),
        {
            "unit": world.team_b.pk,
            "kind": "pulse",
            "instrument": 1,
            "opens_on": today,
            "closes_on": today + timedelta(days=7),
            "pulse_size": 12,
        },
    )
    assert response.status_code == 404
    assert not Cycle.objects.exists()


def _pulse_for(team, **extra) -> dict:
    """The cycle form's fields for a pulse of `team` opening today, with `extra`."""
    from diagnostics.models import InstrumentVersion

    today = timezone.localdate()
    return {
        "unit": team.pk,
        "kind": "pulse",
        "instrument": InstrumentVersion.objects.filter(organisation__isnull=True)[0].pk,
        "opens_on": today,
        "closes_on": today + timedelta(days=7),
        "pulse_size": 10,
        "name": "",
        **extra,
    }


def test_it_lets_a_team_manager_create_a_pulse_for_their_team(world, client_for):
    client = client_for(world.team_manager)
    response = client.post(reverse("diagnostics:cycle_create"), _pulse_for(world.team_a))
    cycle = Cycle.objects.get()
    assert response["Location"] == reverse("diagnostics:cycle_detail", args=[cycle.pk])
    assert cycle.cycle_statements.count() == 10 + 2  # and the two outcome statements
    assert cycle.created_by == world.team_manager


@pytest.mark.parametrize(
    ("opens_in", "runs_for", "field", "message"),
    [
        (-400, 7, "opens_on", "within a year of today"),
        (400, 7, "opens_on", "within a year of today"),
        (0, 400, "closes_on", "a year at most"),
        (3, -2, "closes_on", "on or after the opening date"),
    ],
)
def test_it_refuses_cycle_dates_nobody_could_mean(
    world, client_for, opens_in, runs_for, field, message
):
    from diagnostics.models import InstrumentVersion

    opens = timezone.localdate() + timedelta(days=opens_in)
    response = client_for(world.team_manager).post(
        reverse("diagnostics:cycle_create"),
        {
            "unit": world.team_a.pk,
            "kind": "pulse",
            "instrument": InstrumentVersion.objects.filter(organisation__isnull=True)[0].pk,
            "opens_on": opens,
            "closes_on": opens + timedelta(days=runs_for),
            "pulse_size": 10,
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Cycle.objects.exists()


def test_it_refuses_a_team_manager_codes_for_a_team_outside_their_reach(
    world, client_for, make_cycle
):
    cycle = make_cycle(unit=world.north)
    client = client_for(world.team_manager)
    response = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_b.pk]), {"count": 5}
    )
    assert response.status_code == 404
    assert not Invite.objects.exists()


def test_it_shows_fresh_codes_once_as_a_sheet_and_a_csv(world, client_for, make_cycle):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    response = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]), {"count": 3}
    )
    sheet = client.get(response["Location"]).content.decode()
    assert sheet.count('class="invite-code') == 3
    assert "<svg" in sheet
    csv_response = client.get(reverse("diagnostics:invites_csv", args=[cycle.pk, world.team_a.pk]))
    lines = csv_response.content.decode().strip().splitlines()
    assert lines[0] == "code,url"
    assert len(lines) == 4
    code, url = lines[1].split(",")
    assert url == f"http://testserver/survey/c/{code}/"
    assert code in sheet


def test_it_emails_links_without_storing_the_addresses(world, client_for, make_cycle, mailoutbox):
    from django.db import connection

    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"count": 0, "emails": "ann@example.org\nbob@example.org"},
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.org", "bob@example.org"]
    assert "/survey/c/" in mailoutbox[0].body
    assert Invite.objects.count() == 2
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("diagnostics_"):
                continue
            cursor.execute(f"SELECT * FROM {table}")
            assert "ann@example.org" not in repr(cursor.fetchall())


def test_it_records_who_made_how_many_codes_for_a_team_in_the_audit_log(
    world, client_for, make_cycle
):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    url = reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk])

    client.post(url, {"count": 3})
    client.post(url, {"count": 0, "emails": "ann@example.org"})

    events = AuditEvent.objects.filter(action=AuditEvent.Action.CODES_MADE).order_by("pk")
    team_path = "Children's Services / Locality North / Team A"
    assert [(e.user, e.scope, e.detail) for e in events] == [
        (
            world.team_manager,
            team_path,
            f"3 codes to hand out for {cycle.name} (3 made for the team in this cycle)",
        ),
        (
            world.team_manager,
            team_path,
            f"1 code e-mailed for {cycle.name} (4 made for the team in this cycle)",
        ),
    ]
    assert events[1].new == {
        "cycle": cycle.pk,
        "team": world.team_a.pk,
        "codes": 1,
        "in_all": 4,
        "by_email": True,
    }


def test_it_explains_a_bad_email_address(world, client_for, make_cycle):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    response = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"count": 0, "emails": "not an address"},
    )
    assert "These are not e-mail addresses" in response.content.decode()
    assert not Invite.objects.exists()


def test_it_shows_a_form_wide_error_once_as_an_alert(world, make_cycle, client_for):
    cycle = make_cycle(unit=world.team_a)
    response = client_for(world.team_manager).post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"count": 0, "emails": ""},
    )
    html = response.content.decode()
    assert html.count("Ask for at least one code") == 1
    assert 'role="alert"><p class="mb-0">Ask for at least one code' in html


def test_it_refuses_to_add_a_pulse_to_a_pooling_period_that_has_ended(
    world, make_cycle, client_for
):
    """A back-dated pulse would change a pool already shown: old and new figures subtract."""
    from django.core.exceptions import ValidationError

    from diagnostics.models import InstrumentVersion
    from diagnostics.services import open_cycle

    today = timezone.localdate()  # the organisation's periods start today
    late = make_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.PULSE,
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=5),
        opened=False,
    )
    with pytest.raises(ValidationError, match="already shown"):
        open_cycle(cycle=late)
    late.refresh_from_db()
    assert late.status == Cycle.Status.DRAFT
    response = client_for(world.team_manager).post(
        reverse("diagnostics:cycle_create"),
        {
            "unit": world.team_a.pk,
            "kind": "pulse",
            "instrument": InstrumentVersion.objects.filter(organisation__isnull=True)[0].pk,
            "opens_on": today - timedelta(days=10),
            "closes_on": today + timedelta(days=5),
            "pulse_size": 10,
        },
    )
    assert "already shown" in " ".join(response.context["form"].errors["opens_on"])
    assert Cycle.objects.count() == 1
    make_cycle(unit=world.team_a, kind=Cycle.Kind.PULSE)  # opening today is fine


def test_it_shows_a_pulse_s_team_count_only_as_its_pool_s(world, weekly_pulses, client_for):
    """One pulse's count (even as a side of k) beside its pool's would give another pulse's
    small count away: each pulse's page reads the pool's 9, never its own 7 or 2."""
    pulses = weekly_pulses(7, 2)
    client = client_for(world.team_manager)
    for pulse in pulses:
        page = client.get(reverse("diagnostics:cycle_detail", args=[pulse.pk]))
        assert [row.responses for row in page.context["teams"]] == ["9"]


def test_it_shows_a_team_s_count_only_where_its_figures_are_shown(
    world, make_cycle, respond, client_for
):
    """North's 11 is shown on the dashboards, so Team B's exact 7 would give away Team A's 4:
    B's count reads only as '5 or more'."""
    cycle = make_cycle(unit=world.north)
    respond(cycle, world.team_a, 4)
    respond(cycle, world.team_b, 7)
    client = client_for(world.leader)
    rows = client.get(reverse("diagnostics:cycle_detail", args=[cycle.pk])).context["teams"]
    assert [row.responses for row in rows] == ["fewer than 5", "5 or more"]


@pytest.fixture
def offers_welsh(world):
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    return world.organisation


def test_it_names_an_unnamed_cycle_in_each_language_its_surveys_offer(
    world, make_cycle, offers_welsh
):
    first = make_cycle(unit=world.north, opens_on=date(2027, 3, 1), closes_on=date(2027, 3, 14))
    second = make_cycle(unit=world.north, opens_on=date(2027, 3, 29), closes_on=date(2027, 4, 9))
    assert first.name == "Full diagnostic Locality North March 2027"
    assert first.names_in_languages == {"cy": "Diagnostig llawn Locality North Mawrth 2027"}
    assert second.names_in_languages == {"cy": "Diagnostig llawn Locality North 29 Mawrth 2027"}
    with translation.override("cy"):
        assert first.shown_name == "Diagnostig llawn Locality North Mawrth 2027"
    with translation.override("en-gb"):
        assert first.shown_name == "Full diagnostic Locality North March 2027"


def test_it_keeps_a_cycle_s_names_only_in_languages_its_surveys_offer(world, make_cycle):
    names = {"cy": "  Arolwg y gwanwyn ", "fr": "Enquête de printemps"}
    english_only = make_cycle(name="Spring survey", names_in_languages=names)
    assert english_only.names_in_languages == {}
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    named = make_cycle(name="Spring survey", names_in_languages=names)
    assert named.names_in_languages == {"cy": "Arolwg y gwanwyn"}
    with translation.override("cy"):
        assert named.shown_name == "Arolwg y gwanwyn"
        assert english_only.shown_name == "Spring survey"  # no Welsh name: the English one


def test_it_asks_for_a_name_in_each_language_the_organisation_s_surveys_offer(
    world, client_for, offers_welsh
):

    client = client_for(world.team_manager)
    form = client.get(reverse("diagnostics:cycle_create")).content.decode()
    assert "Name in Welsh" in form
    assert form.index('name="name"') < form.index('name="name_cy"') < form.index('name="opens_on"')
    client.post(
        reverse("diagnostics:cycle_create"),
        _pulse_for(world.team_a, name="Spring pulse", name_cy="Pwls y gwanwyn"),
    )
    cycle = Cycle.objects.get()
    assert cycle.names_in_languages == {"cy": "Pwls y gwanwyn"}
    detail = client.get(reverse("diagnostics:cycle_detail", args=[cycle.pk])).content.decode()
    assert 'In Welsh: <span lang="cy">Pwls y gwanwyn</span>' in detail


def test_it_chooses_the_kind_a_link_asks_for_and_a_pulse_otherwise(world, client_for):
    client = client_for(world.team_manager)
    url = reverse("diagnostics:cycle_create")

    def chosen(query: str) -> list[str]:
        form = client.get(url + query).content.decode()
        return re.findall(r'<input[^>]*name="kind" value="(\w+)"[^>]*checked', form)

    assert chosen("?kind=full") == ["full"]
    assert chosen("?kind=pulse") == ["pulse"]
    assert chosen("") == ["pulse"]
    assert chosen("?kind=weekly") == ["pulse"]  # not a kind: as if not asked


def test_it_asks_for_no_other_name_where_surveys_are_in_english_only(world, client_for):
    form = client_for(world.team_manager).get(reverse("diagnostics:cycle_create"))
    assert 'name="name"' in form.content.decode()
    assert "name_cy" not in form.content.decode()


def test_it_changes_or_clears_a_draft_s_name_in_another_language(
    world, client_for, make_cycle, offers_welsh
):
    cycle = make_cycle(unit=world.team_a, opened=False, name="Spring survey")
    assert cycle.names_in_languages == {}  # named in English only
    client = client_for(world.team_manager)
    url = reverse("diagnostics:cycle_edit", args=[cycle.pk])
    assert 'name="name_cy"' in client.get(url).content.decode()
    dates = {"opens_on": cycle.opens_on, "closes_on": cycle.closes_on, "name": "Spring survey"}
    client.post(url, {**dates, "name_cy": "Arolwg y gwanwyn"})
    cycle.refresh_from_db()
    assert cycle.names_in_languages == {"cy": "Arolwg y gwanwyn"}
    page = client.get(url).content.decode()
    assert 'value="Arolwg y gwanwyn"' in page
    client.post(url, {**dates, "name_cy": ""})
    cycle.refresh_from_db()
    assert cycle.names_in_languages == {}


def test_it_offers_no_results_download_for_a_draft(world, client_for, make_cycle):
    draft = make_cycle(unit=world.team_a, opened=False)
    page = client_for(world.team_manager).get(reverse("diagnostics:cycle_detail", args=[draft.pk]))
    text = page.content.decode()
    assert "Results can be downloaded once the cycle has opened" in text
    assert reverse("diagnostics:results_export", args=[draft.pk, "csv"]) not in text
    opened = make_cycle(unit=world.team_a)
    page = client_for(world.team_manager).get(reverse("diagnostics:cycle_detail", args=[opened.pk]))
    assert reverse("diagnostics:results_export", args=[opened.pk, "csv"]) in page.content.decode()


def test_it_takes_the_day_a_cycle_was_closed_by_hand_as_its_last_day(world, make_cycle):
    today = timezone.localdate()
    early = close_cycle(cycle=make_cycle(days=14))
    assert early.last_day == today  # not its planned closing date
    on_time = make_cycle(days=3)
    assert on_time.last_day == today + timedelta(days=3)  # open: its closing date
    # The clock closes a cycle just after its last day: that day is still the last one.
    close_cycle(
        cycle=on_time, automatically=True, closed_at=timezone.now() + timedelta(days=4, minutes=5)
    )
    assert on_time.last_day == today + timedelta(days=3)
