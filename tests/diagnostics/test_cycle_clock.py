"""The clock: scheduled drafts open on their opening day, open cycles close once their closing
day has ended (Europe/London), and the people who run them are told once."""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from diagnostics import services
from diagnostics.errors import CycleNotOpen
from diagnostics.models import Cycle, SurveyDraft
from diagnostics.selectors import Availability, availability, latest_version_for
from notices.models import SentNotice

# 30 June 2027 is in British Summer Time: London is an hour ahead of UTC.
LAST_DAY = date(2027, 6, 30)
BEFORE_MIDNIGHT_IN_LONDON = datetime(2027, 6, 30, 22, 30, tzinfo=UTC)  # 23:30 BST, 30 June
AFTER_MIDNIGHT_IN_LONDON = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST, 1 July


def _run_clock() -> None:
    call_command("run_scheduled_jobs", "cycles-open-and-close")


@pytest.fixture
def draft(world):
    """A full cycle for Locality North, set up by the org admin on 20 June, as a draft."""

    def make(opens_on: date, closes_on: date, kind: str = Cycle.Kind.FULL, unit=None) -> Cycle:
        with time_machine.travel(datetime(2027, 6, 20, 9, tzinfo=UTC), tick=False):
            return services.create_cycle(
                unit=unit or world.north,
                kind=kind,
                instrument=latest_version_for(world.organisation),
                name="Summer diagnostic",
                opens_on=opens_on,
                closes_on=closes_on,
                created_by=world.org_admin,
            )

    return make


def _schedule(cycle: Cycle) -> Cycle:
    with time_machine.travel(datetime(2027, 6, 20, 9, tzinfo=UTC), tick=False):
        return services.schedule_cycle(cycle=cycle, automatically=True)


def _recipients(subject_start: str) -> set[str]:
    return {m.to[0] for m in mail.outbox if m.subject.startswith(subject_start)}


def test_it_opens_a_scheduled_cycle_once_its_opening_day_begins_in_london(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(BEFORE_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT
    assert availability(cycle, today=date(2027, 6, 30)) == Availability.SCHEDULED
    assert mail.outbox == []

    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert availability(cycle, today=date(2027, 7, 1)) == Availability.OPEN


def test_it_tells_the_people_who_run_a_cycle_it_opened_with_a_link_and_no_figures(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    # Its creator, the leader of its unit and the manager of one of its teams; not the outsider.
    assert _recipients("Opened: Summer diagnostic") == {
        world.org_admin.email,
        world.leader.email,
        world.team_manager.email,
    }
    body = mail.outbox[0].body
    assert reverse("diagnostics:cycle_detail", args=[cycle.pk]) in body
    assert "28 July 2027" in body
    assert "respon" not in body.lower()


def test_it_writes_each_notice_in_the_language_its_reader_chose(world, draft):
    world.leader.language = "cy"
    world.leader.save(update_fields=["language"])
    _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    (welsh,) = [m for m in mail.outbox if m.to == [world.leader.email]]
    assert welsh.subject == "Wedi agor: Summer diagnostic"
    assert "Agorodd “Summer diagnostic” ar gyfer Locality North" in welsh.body
    assert "tan ddiwedd 28 Gorffenaf 2027" in welsh.body
    assert "Rydych yn cael hwn am eich bod yn rhedeg y cylch hwn" in welsh.body
    assert _recipients("Opened: Summer diagnostic") == {
        world.org_admin.email,
        world.team_manager.email,
    }


def test_it_closes_an_open_cycle_only_after_its_closing_day_has_ended_in_london(world, draft):
    cycle = draft(opens_on=date(2027, 6, 21), closes_on=LAST_DAY)
    with time_machine.travel(datetime(2027, 6, 21, 8, tzinfo=UTC), tick=False):
        services.open_cycle(cycle=cycle)
    with time_machine.travel(BEFORE_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN  # open through the whole of its last day

    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert cycle.closed_automatically
    assert _recipients("Closed: Summer diagnostic") == {
        world.org_admin.email,
        world.leader.email,
        world.team_manager.email,
    }
    assert reverse("diagnostics:cycle_detail", args=[cycle.pk]) in mail.outbox[0].body


def test_it_deletes_the_survey_drafts_nobody_can_submit_any_more(world, draft):
    # A cycle closed by hand, with a draft saved by a request that read it open just before it
    # closed; one whose last day has just ended, with a draft; one still open, with a draft.
    closed = draft(opens_on=date(2027, 6, 21), closes_on=date(2027, 7, 28))
    ending = draft(opens_on=date(2027, 6, 21), closes_on=LAST_DAY)
    south = world.units["Locality South"]
    running = draft(opens_on=date(2027, 6, 21), closes_on=date(2027, 7, 28), unit=south)
    with time_machine.travel(datetime(2027, 6, 21, 8, tzinfo=UTC), tick=False):
        services.open_cycle(cycle=closed)
        services.close_cycle(cycle=closed)
        services.open_cycle(cycle=ending)
        services.open_cycle(cycle=running)
    for key, cycle in (("raced", closed), ("ending", ending), ("running", running)):
        SurveyDraft.objects.create(key=key, cycle=cycle)

    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        run = services.open_and_close_cycles(today=date(2027, 7, 1))
        again = services.open_and_close_cycles(today=date(2027, 7, 1))
    assert set(SurveyDraft.objects.values_list("key", flat=True)) == {"running"}
    assert run.closed == [ending.pk]  # its draft went as it closed; the raced one by the sweep
    assert (run.drafts_deleted, again.drafts_deleted) == (1, 0)


def test_it_sends_nothing_twice_however_often_the_clock_runs(world, draft):
    closing = draft(opens_on=date(2027, 6, 21), closes_on=LAST_DAY)
    with time_machine.travel(datetime(2027, 6, 21, 8, tzinfo=UTC), tick=False):
        services.open_cycle(cycle=closing)
    opening = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
        sent = len(mail.outbox)
        _run_clock()
    with time_machine.travel(datetime(2027, 7, 2, 0, 5, tzinfo=UTC), tick=False):
        _run_clock()  # the next day's run looks back a day for notices still to send
    assert sent == 6  # three people, told once of each cycle
    assert len(mail.outbox) == 6
    opening.refresh_from_db()
    closing.refresh_from_db()
    assert (opening.status, closing.status) == (Cycle.Status.OPEN, Cycle.Status.CLOSED)


def test_it_sends_a_notice_the_mail_server_refused_on_the_next_run(world, draft, monkeypatch):
    _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
        _run_clock()
        monkeypatch.undo()
        assert mail.outbox == []
    with time_machine.travel(datetime(2027, 7, 1, 23, 5, tzinfo=UTC), tick=False):
        _run_clock()  # the next night
    assert len(_recipients("Opened: Summer diagnostic")) == 3


def test_it_leaves_a_scheduled_pulse_that_would_join_a_shown_pool_a_draft_and_tells_why(
    world, draft, client_for
):
    opens_on = date(2027, 7, 1)
    pulse = _schedule(draft(opens_on=opens_on, closes_on=date(2027, 12, 31), kind=Cycle.Kind.PULSE))
    # The clock did not run for months: the pooling period holding 1 July has ended since.
    with time_machine.travel(datetime(2027, 11, 1, 0, 5, tzinfo=UTC), tick=False):
        _run_clock()
        _run_clock()
    pulse.refresh_from_db()
    assert pulse.status == Cycle.Status.DRAFT
    assert not pulse.opens_automatically
    assert "already shown" in pulse.schedule_refused
    refusals = [m for m in mail.outbox if m.subject == "Not opened: Summer diagnostic"]
    assert [m.to for m in refusals] == [[world.org_admin.email]]  # its creator, once
    assert "already shown" in refusals[0].body

    page = client_for(world.leader).get(reverse("diagnostics:cycle_detail", args=[pulse.pk]))
    assert "did not open on 1 July 2027" in page.content.decode()


def test_it_leaves_a_scheduled_cycle_whose_closing_day_has_passed_a_draft(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 3)))
    with time_machine.travel(datetime(2027, 7, 5, 0, 5, tzinfo=UTC), tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT
    assert "closing date has passed" in cycle.schedule_refused
    assert SentNotice.objects.filter(kind="cycle-not-opened").count() == 1


def test_it_never_opens_a_draft_nobody_scheduled(world, draft):
    cycle = draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.DRAFT
    assert mail.outbox == []


def test_it_refuses_to_schedule_a_cycle_whose_opening_day_is_not_after_today(world, draft):
    cycle = draft(opens_on=date(2027, 6, 20), closes_on=date(2027, 7, 28))
    with (
        time_machine.travel(datetime(2027, 6, 20, 9, tzinfo=UTC), tick=False),
        pytest.raises(ValidationError, match="open the cycle now"),
    ):
        services.schedule_cycle(cycle=cycle, automatically=True)
    cycle.refresh_from_db()
    assert not cycle.opens_automatically


def test_it_refuses_to_move_a_scheduled_cycle_to_open_today(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with pytest.raises(ValidationError, match="must be after today"):
        services.update_draft_cycle(
            cycle=cycle,
            name="",
            opens_on=date(2027, 6, 25),
            closes_on=date(2027, 7, 28),
            today=date(2027, 6, 25),
        )
    cycle.refresh_from_db()
    assert cycle.opens_on == date(2027, 7, 1)


def test_it_keeps_opening_and_closing_by_hand_working_without_notices(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        services.open_cycle(cycle=cycle)  # "Open now" on a scheduled draft
        assert not cycle.opens_automatically
        _run_clock()
        services.close_cycle(cycle=cycle)
        _run_clock()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert not cycle.closed_automatically
    assert mail.outbox == []


def test_it_schedules_and_unschedules_from_the_cycle_page(world, draft, client_for):
    cycle = draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28))
    url = reverse("diagnostics:cycle_schedule", args=[cycle.pk])
    page = reverse("diagnostics:cycle_detail", args=[cycle.pk])
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        client = client_for(world.leader)  # signed in on the day, so the session is fresh
        assert "Open automatically on 1 July" in client.get(page).content.decode()
        response = client.post(url, {"automatically": "1"}, follow=True)
        text = response.content.decode()
        assert "opens by itself on 1 July 2027" in text
        assert ">Scheduled<" in text
        cycle.refresh_from_db()
        assert cycle.opens_automatically
        response = client.post(url, {"automatically": "0"}, follow=True)
        assert "will not open by itself" in response.content.decode()
    cycle.refresh_from_db()
    assert not cycle.opens_automatically


def test_it_shows_the_outsider_no_schedule_and_a_team_manager_no_say(world, draft, client_for):
    cycle = draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28))
    url = reverse("diagnostics:cycle_schedule", args=[cycle.pk])
    assert client_for(world.outsider).post(url, {"automatically": "1"}).status_code == 404
    # Team A's manager sees the cycle (their team takes part) but does not run Locality North's.
    assert client_for(world.team_manager).post(url, {"automatically": "1"}).status_code == 403
    assert client_for(world.leader).get(url).status_code == 405
    cycle.refresh_from_db()
    assert not cycle.opens_automatically


def test_it_tells_someone_with_a_code_for_a_scheduled_cycle_when_it_opens(world, draft):
    cycle = _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28)))
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        code = services.issue_invites(cycle=cycle, team=world.team_a, count=1)[0]
        invite = services.find_invite(code)
        with pytest.raises(CycleNotOpen, match="opens on 1 July 2027"):
            services.check_open(invite, today=date(2027, 6, 22))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
        services.check_open(services.find_invite(code), today=date(2027, 7, 1))  # works now


def test_it_tells_the_people_above_when_nobody_runs_the_cycles_own_unit(world, draft):
    cycle = _schedule(
        draft(
            opens_on=date(2027, 7, 1),
            closes_on=date(2027, 7, 28),
            unit=world.units["Children's Services"],
        )
    )
    Cycle.objects.filter(pk=cycle.pk).update(created_by=None)
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    # Nobody holds a role at Children's Services: the org admins above it run it. Locality
    # North's leader runs only part of it; Team A's manager runs one of its teams.
    assert _recipients("Opened: Summer diagnostic") == {
        world.org_admin.email,
        world.team_manager.email,
    }


def _create_form(world, opens_on: date, **extra) -> dict:
    return {
        "unit": world.north.pk,
        "kind": Cycle.Kind.FULL,
        "instrument": latest_version_for(world.organisation).pk,
        "name": "Autumn diagnostic",
        "opens_on": opens_on.isoformat(),
        "closes_on": date(2027, 7, 28).isoformat(),
        "pulse_size": 12,
        **extra,
    }


def test_it_schedules_a_cycle_as_it_is_created(world, client_for):
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        client = client_for(world.leader)
        response = client.post(
            reverse("diagnostics:cycle_create"),
            _create_form(world, date(2027, 7, 1), open_automatically="on"),
            follow=True,
        )
        assert "It opens by itself on 1 July 2027" in response.content.decode()
    cycle = Cycle.objects.get(name="Autumn diagnostic")
    assert (cycle.status, cycle.opens_automatically) == (Cycle.Status.DRAFT, True)
    assert cycle.created_by == world.leader


def test_it_refuses_to_schedule_a_new_cycle_that_opens_today(world, client_for):
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        client = client_for(world.leader)
        response = client.post(
            reverse("diagnostics:cycle_create"),
            _create_form(world, date(2027, 6, 22), open_automatically="on"),
        )
    assert response.status_code == 200
    assert "cannot wait for its opening date" in response.content.decode()
    assert not Cycle.objects.filter(name="Autumn diagnostic").exists()


def test_it_keeps_telling_everyone_when_a_cycle_is_named_with_a_line_break(
    world, client_for, draft
):
    """A leader can post a cycle name holding a line break (the form keeps inner whitespace).
    Put into a subject it is refused by the mail library (no header injection), but it must not
    stop the clock's notices of every other cycle on the installation, day after day."""
    with time_machine.travel(datetime(2027, 6, 22, 9, tzinfo=UTC), tick=False):
        client_for(world.leader).post(
            reverse("diagnostics:cycle_create"),
            _create_form(
                world,
                date(2027, 7, 1),
                name="Autumn\r\nBcc: attacker@example.com",
                open_automatically="on",
            ),
        )
    crafted = Cycle.objects.get(name__startswith="Autumn")
    assert "\n" in crafted.name
    _schedule(draft(opens_on=date(2027, 7, 1), closes_on=date(2027, 7, 28), unit=world.team_c))
    with time_machine.travel(AFTER_MIDNIGHT_IN_LONDON, tick=False):
        _run_clock()
    assert _recipients("Opened: Summer diagnostic")  # the other cycle's runners are told
    crafted_notices = [m for m in mail.outbox if m.subject.startswith("Opened: Autumn")]
    assert crafted_notices
    for message in crafted_notices:
        assert message.subject == "Opened: Autumn Bcc: attacker@example.com"
        assert "attacker@example.com" not in message.recipients()
        assert "\n" not in message.message()["Subject"]
