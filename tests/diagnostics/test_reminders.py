"""Reminders before a cycle closes: addresses kept only while an organisation sends them,
sealed and tied to the cycle and team alone, one reminder each, deleted at close."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from diagnostics import services
from diagnostics.addresses import UnreadableAddress, seal, unseal
from diagnostics.models import Cycle, Invite, ReminderAddress
from diagnostics.selectors import latest_version_for
from organisations.models import Organisation

CLOSES_ON = date(2027, 6, 30)
ADDRESSES = ["ann.smith@example.org", "bob.jones@example.org", "cat.brown@example.org"]


def _at(day: date, hour_utc: int = 8) -> time_machine.travel:
    """08:00 UTC is 09:00 in London in summer, when the reminders run."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC), tick=False
    )


def _run_reminders() -> None:
    call_command("run_scheduled_jobs", "cycle-reminders")


def _reminders_on(organisation: Organisation, days: int = 3) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(cycle_reminders=True, reminder_days=days)
    organisation.refresh_from_db()


@pytest.fixture
def cycle(world) -> Cycle:
    """A full cycle for Locality North, open from 1 to 30 June 2027."""
    with _at(date(2027, 6, 1)):
        made = services.create_cycle(
            unit=world.north,
            kind=Cycle.Kind.FULL,
            instrument=latest_version_for(world.organisation),
            name="Summer diagnostic",
            opens_on=date(2027, 6, 1),
            closes_on=CLOSES_ON,
            created_by=world.leader,
        )
        return services.open_cycle(cycle=made)


def _invite(cycle: Cycle, team, addresses=ADDRESSES) -> list[tuple[str, str]]:
    with _at(date(2027, 6, 2)):
        queued = services.queue_email_invites(cycle=cycle, team=team, addresses=addresses)
    return queued.messages


def _reminders() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def test_it_keeps_no_address_while_reminders_are_off(world, cycle):
    _invite(cycle, world.team_a)
    assert not ReminderAddress.objects.exists()
    with _at(date(2027, 6, 28)):
        _run_reminders()
    assert _reminders() == []


def test_it_keeps_each_address_sealed_and_tied_to_the_cycle_and_team_only(world, cycle):
    _reminders_on(world.organisation)
    messages = _invite(cycle, world.team_a)
    rows = list(ReminderAddress.objects.all())
    assert len(rows) == 3
    assert {row.team_id for row in rows} == {world.team_a.pk}
    opened = {unseal(row.sealed, cycle_id=cycle.pk, team_id=world.team_a.pk) for row in rows}
    assert opened == set(ADDRESSES)
    # No code, invite, batch or time on the row: only these columns.
    assert {f.column for f in ReminderAddress._meta.concrete_fields} == {
        "id",
        "organisation_id",
        "cycle_id",
        "team_id",
        "sealed",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM diagnostics_reminderaddress")
        raw = " ".join(value for (value,) in cursor.fetchall())
    for address, code in messages:
        assert address not in raw
        assert address.split("@")[0] not in raw
        assert code not in raw
    assert len({len(row.sealed) for row in rows}) == 1  # padded: the length says nothing


def test_it_seals_an_address_so_that_it_opens_only_for_its_own_cycle_and_team(world, cycle):
    sealed = seal("ann.smith@example.org", cycle_id=cycle.pk, team_id=world.team_a.pk)
    assert unseal(sealed, cycle_id=cycle.pk, team_id=world.team_a.pk) == "ann.smith@example.org"
    with pytest.raises(UnreadableAddress):
        unseal(sealed, cycle_id=cycle.pk, team_id=world.team_b.pk)


def test_it_does_not_open_addresses_sealed_under_another_key(world, cycle, settings):
    sealed = seal("ann.smith@example.org", cycle_id=cycle.pk, team_id=world.team_a.pk)
    settings.REMINDER_ADDRESS_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(UnreadableAddress):
        unseal(sealed, cycle_id=cycle.pk, team_id=world.team_a.pk)


def test_it_stores_addresses_in_an_order_and_under_ids_that_say_nothing(world, cycle):
    _reminders_on(world.organisation)
    addresses = [f"person{n:03d}@example.org" for n in range(60)]
    _invite(cycle, world.team_a, addresses)
    rows = ReminderAddress.objects.order_by("id")
    stored = [unseal(r.sealed, cycle_id=cycle.pk, team_id=world.team_a.pk) for r in rows]
    assert sorted(stored) == addresses
    assert stored != addresses  # neither in the order given nor sorted (1 in 60! to fail)
    assert min(r.pk for r in rows) > 10**6  # random ids, not a sequence


def test_it_keeps_an_address_given_twice_once_and_reminds_it_once(world, cycle):
    _reminders_on(world.organisation)
    _invite(cycle, world.team_a)
    _invite(cycle, world.team_a, ["ANN.SMITH@example.org", "dan@example.org"])
    assert ReminderAddress.objects.count() == 4
    with _at(date(2027, 6, 27)):
        _run_reminders()
    assert sorted(m.to[0] for m in _reminders()) == sorted([*ADDRESSES, "dan@example.org"])


def test_it_reminds_each_address_once_when_the_cycle_is_the_days_set_from_closing(world, cycle):
    _reminders_on(world.organisation, days=3)
    messages = _invite(cycle, world.team_a)
    with _at(date(2027, 6, 26)):  # four days to go
        _run_reminders()
    assert _reminders() == []
    with _at(date(2027, 6, 27)):  # three days to go
        _run_reminders()
        _run_reminders()
    with _at(date(2027, 6, 28)):
        _run_reminders()
    reminders = _reminders()
    assert sorted(m.to[0] for m in reminders) == sorted(ADDRESSES)
    body = reminders[0].body
    assert "If you have already answered, thank you" in body
    assert "Your invitation: Summer diagnostic" in body
    assert "30 June 2027" in body
    for _, code in messages:
        assert code not in body  # a reminder carries no code


def test_it_reminds_in_every_language_the_organisation_s_surveys_offer(world, cycle):
    """Invited staff have no account and so no chosen language: like the invitation, the
    reminder is in Welsh first, then English, where the surveys offer Welsh."""
    _reminders_on(world.organisation)
    world.organisation.survey_languages = ["cy"]
    world.organisation.save(update_fields=["survey_languages"])
    _invite(cycle, world.team_a)
    with _at(date(2027, 6, 28)):
        _run_reminders()
    reminders = [m for m in mail.outbox if "Reminder:" in m.subject]
    assert sorted(m.to[0] for m in reminders) == sorted(ADDRESSES)
    assert reminders[0].subject == (
        "Nodyn atgoffa: mae Summer diagnostic yn cau ar 30 Mehefin 2027 / "
        "Reminder: Summer diagnostic closes on 30 June 2027"
    )
    welsh, english = reminders[0].body.split("\n----\n\n")
    assert welsh.startswith("Mae’r arolwg dienw am amodau gwaith Team A, Summer diagnostic")
    assert "“Eich gwahoddiad: Summer diagnostic”" in welsh
    assert english.startswith("The anonymous survey about the working conditions of Team A")


def test_it_catches_up_a_missed_day(world, cycle):
    _reminders_on(world.organisation, days=3)
    _invite(cycle, world.team_a)
    with _at(date(2027, 6, 29)):  # the runs of 27 and 28 June were missed
        _run_reminders()
    assert len(_reminders()) == 3


def test_it_never_reminds_after_the_last_day_even_before_the_clock_closes_it(world, cycle):
    _reminders_on(world.organisation, days=3)
    _invite(cycle, world.team_a)
    with _at(date(2027, 7, 1)):  # the closing job has not run yet: the cycle is still open
        _run_reminders()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert _reminders() == []


def test_it_sends_no_reminder_once_a_cycle_is_closed(world, cycle):
    _reminders_on(world.organisation, days=3)
    _invite(cycle, world.team_a)
    with _at(date(2027, 6, 27)):
        services.close_cycle(cycle=cycle)
        _run_reminders()
    assert _reminders() == []


def test_it_deletes_the_addresses_when_a_manager_closes_the_cycle(world, cycle):
    _reminders_on(world.organisation)
    _invite(cycle, world.team_a)
    other = _other_open_cycle(world)
    _invite(other, world.team_c)
    services.close_cycle(cycle=cycle)
    assert not ReminderAddress.objects.filter(cycle=cycle).exists()
    assert ReminderAddress.objects.filter(cycle=other).count() == 3


def test_it_keeps_no_address_from_a_page_that_read_the_cycle_open_before_it_closed(world, cycle):
    """The closing deletes the addresses; invitations sent from a copy of the cycle read
    before it closed are refused, rather than keep addresses nothing would delete."""
    _reminders_on(world.organisation)
    read_open = Cycle.objects.get(pk=cycle.pk)
    services.close_cycle(cycle=cycle)
    with pytest.raises(ValidationError, match="This cycle has closed"):
        _invite(read_open, world.team_a)
    assert not ReminderAddress.objects.exists()
    assert not Invite.objects.filter(cycle=cycle).exists()


def test_it_deletes_the_addresses_when_the_clock_closes_the_cycle(world, cycle):
    _reminders_on(world.organisation)
    _invite(cycle, world.team_a)
    with time_machine.travel(datetime(2027, 6, 30, 23, 5, tzinfo=UTC), tick=False):
        call_command("run_scheduled_jobs", "cycles-open-and-close")  # 00:05 BST, 1 July
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert not ReminderAddress.objects.exists()


def test_it_deletes_the_addresses_when_a_draft_cycle_is_deleted(world):
    _reminders_on(world.organisation)
    draft = services.create_cycle(
        unit=world.team_a,
        kind=Cycle.Kind.FULL,
        instrument=latest_version_for(world.organisation),
        name="Draft",
        opens_on=date(2027, 6, 1),
        closes_on=CLOSES_ON,
        created_by=None,
    )
    _invite(draft, world.team_a)
    assert ReminderAddress.objects.count() == 3
    services.delete_draft_cycle(cycle=draft)
    assert not ReminderAddress.objects.exists()


def test_it_deletes_every_address_when_the_organisation_turns_reminders_off(
    world, cycle, client_for
):
    _reminders_on(world.organisation)
    _invite(cycle, world.team_a)
    other = _other_open_cycle(world)
    _invite(other, world.team_c)
    # Another organisation's addresses are not touched.
    _reminders_on(world.other_organisation)
    other_org_cycle = _other_open_cycle(world, organisation=world.other_organisation)
    other_team = world.other_units["Other Team"]
    _invite(other_org_cycle, other_team)
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"), _settings_form(world.organisation, reminders=False)
    )
    assert response.status_code == 302
    assert set(ReminderAddress.objects.values_list("cycle_id", flat=True)) == {other_org_cycle.pk}
    world.organisation.refresh_from_db()
    assert not world.organisation.cycle_reminders
    _invite(cycle, world.team_a)  # off now: nothing more is kept
    assert not ReminderAddress.objects.filter(organisation=world.organisation).exists()


def test_it_runs_the_reminders_on_the_beat_schedule_in_london_time(world, cycle):
    _reminders_on(world.organisation, days=1)
    _invite(cycle, world.team_a)
    # 23:30 UTC on 28 June is 00:30 on 29 June in London: one day to go.
    with time_machine.travel(datetime(2027, 6, 28, 23, 30, tzinfo=UTC), tick=False):
        _run_reminders()
    assert len(_reminders()) == 3


# --- the settings page ------------------------------------------------------------------------


def _settings_form(organisation: Organisation, *, reminders: bool, days: object = 3) -> dict:
    data = {
        "name": organisation.name,
        "anonymity_threshold": organisation.anonymity_threshold,
        "comment_threshold": organisation.comment_threshold,
        "pulse_window_days": organisation.pulse_window_days,
        "drivers_minimum": organisation.drivers_minimum,
        "safety_contact": organisation.safety_contact,
        "reminder_days": days,
    }
    if reminders:
        data["cycle_reminders"] = "on"
    return data


def test_it_turns_reminders_on_from_the_settings_page(world, client_for):
    client = client_for(world.org_admin)
    page = client.get(reverse("organisations:settings")).content.decode()
    assert "Reminders before a cycle closes" in page
    response = client.post(
        reverse("organisations:settings"),
        _settings_form(world.organisation, reminders=True, days=5),
    )
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert (world.organisation.cycle_reminders, world.organisation.reminder_days) == (True, 5)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "The reminder goes 1 to 14 days before a cycle closes."),
        (15, "The reminder goes 1 to 14 days before a cycle closes."),
        ("soon", "Give the days before closing as a whole number from 1 to 14."),
    ],
)
def test_it_refuses_days_before_closing_outside_1_to_14(world, client_for, days, message):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        _settings_form(world.organisation, reminders=True, days=days),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    world.organisation.refresh_from_db()
    assert (world.organisation.cycle_reminders, world.organisation.reminder_days) == (False, 3)


def test_it_refuses_to_turn_reminders_on_without_a_key_to_seal_addresses(
    world, client_for, settings
):
    settings.REMINDER_ADDRESS_KEY = ""
    client = client_for(world.org_admin)
    assert "the server has no key" in client.get(reverse("organisations:settings")).content.decode()
    response = client.post(
        reverse("organisations:settings"), _settings_form(world.organisation, reminders=True)
    )
    assert "REMINDER_ADDRESS_KEY" in response.content.decode()
    world.organisation.refresh_from_db()
    assert not world.organisation.cycle_reminders


def test_it_lets_only_an_org_admin_change_reminders(world, client_for):
    url = reverse("organisations:settings")
    form = _settings_form(world.organisation, reminders=True)
    assert client_for(world.leader).post(url, form).status_code == 403
    assert client_for(world.team_manager).post(url, form).status_code == 403
    # The outsider's settings page is their own organisation's: it never reaches this one.
    outsider_form = _settings_form(world.other_organisation, reminders=True)
    assert client_for(world.outsider).post(url, outsider_form).status_code == 302
    world.organisation.refresh_from_db()
    world.other_organisation.refresh_from_db()
    assert not world.organisation.cycle_reminders
    assert world.other_organisation.cycle_reminders


def test_it_says_on_the_privacy_page_what_is_kept_for_reminders(world, client_for):
    page = client_for(world.team_manager).get(reverse("protection")).content.decode()
    assert "reminders before a survey closes" in page
    assert "does not send reminders" in page
    _reminders_on(world.organisation, days=4)
    page = client_for(world.team_manager).get(reverse("protection")).content.decode()
    assert "4 days before" in page
    assert "Deleted when the survey closes" in page


def _other_open_cycle(world, organisation=None) -> Cycle:
    unit = (
        world.other_units["Other Team"]
        if organisation is not None
        else world.units["Locality South"]
    )
    with _at(date(2027, 6, 1)):
        made = services.create_cycle(
            unit=unit,
            kind=Cycle.Kind.FULL,
            instrument=latest_version_for(unit.organisation),
            name="Other",
            opens_on=date(2027, 6, 1),
            closes_on=CLOSES_ON,
            created_by=None,
        )
        return services.open_cycle(cycle=made)


def test_it_tells_the_manager_on_the_codes_page_when_addresses_are_kept(world, cycle, client_for):
    url = reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk])
    client = client_for(world.team_manager)
    assert "do not store them" in client.get(url).content.decode()
    _reminders_on(world.organisation, days=2)
    page = client.get(url).content.decode()
    assert "do not store them" not in page
    assert "one reminder 2 days before the cycle closes" in page
