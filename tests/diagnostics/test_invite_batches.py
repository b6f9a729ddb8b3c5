"""Invitation e-mails in batches: recorded as counts, sent by a job, once per address."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError as DatabaseOperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError

from diagnostics import services, settled_plans, tasks
from diagnostics.errors import UnknownCode
from diagnostics.models import Invite, InviteBatch, InviteDelivery, TeamTally
from diagnostics.selectors import codes_made
from tests.diagnostics.conftest import all_answers

ADDRESSES = ["ann@example.org", "bob@example.org", "cat@example.org"]


class RefusingBackend(LocmemBackend):
    """The locmem outbox, but refusing the addresses in `refused` (each once, or always)."""

    refused: dict[str, int] = {}

    def send_messages(self, email_messages):
        for message in email_messages:
            address = message.to[0]
            if self.refused.get(address, 0) > 0:
                self.refused[address] -= 1
                raise smtplib.SMTPRecipientsRefused({address: (550, b"try later")})
        return super().send_messages(email_messages)


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.diagnostics.test_invite_batches.RefusingBackend"
    settings.INVITE_RETRY_SECONDS = 0
    RefusingBackend.refused = {}
    mail.outbox = []
    return RefusingBackend.refused


def _invites_page(cycle, team):
    return reverse("diagnostics:invites_new", args=[cycle.pk, team.pk])


def test_it_queues_a_batch_and_sends_it_in_process_without_a_broker(
    world, client_for, make_cycle, mailoutbox
):
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)
    response = client.post(
        _invites_page(cycle, world.team_a), {"count": 0, "emails": "\n".join(ADDRESSES)}
    )
    assert response.status_code == 302
    assert response["Location"] == _invites_page(cycle, world.team_a)
    assert sorted(m.to[0] for m in mailoutbox) == ADDRESSES
    batch = InviteBatch.objects.get()
    assert (batch.total, batch.sent, batch.failed, batch.queued) == (3, 3, 0, 0)
    page = client.get(response["Location"]).content.decode()
    assert "Invitation e-mails" in page
    assert "3 invitations queued" in page


def test_it_shows_the_batch_counts_only_to_those_who_reach_the_team(
    world, client_for, make_cycle, outsider
):
    cycle = make_cycle(unit=world.team_a)
    InviteBatch.objects.create(cycle=cycle, team=world.team_a, total=5, sent=1, failed=1)
    page = client_for(world.team_manager).get(_invites_page(cycle, world.team_a))
    assert '<td class="text-end">3</td>' in page.content.decode()  # waiting: 5 - 1 - 1
    assert client_for(outsider).get(_invites_page(cycle, world.team_a)).status_code == 404


def test_it_sends_each_message_once_however_often_the_job_runs(world, make_cycle, mailoutbox):
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    for _ in range(3):
        tasks.send_invite_chunk.delay(queued.batch.pk, [list(m) for m in queued.messages])
    assert sorted(m.to[0] for m in mailoutbox) == ADDRESSES
    queued.batch.refresh_from_db()
    assert (queued.batch.sent, queued.batch.failed) == (3, 0)


def test_it_sends_the_invitations_of_a_cycle_named_with_a_line_break(world, make_cycle, mailoutbox):
    """A cycle's name reaches the subject; a line break in it must not stop the batch (nor
    inject a header)."""
    cycle = make_cycle(unit=world.team_a, name="Spring\r\nBcc: attacker@example.com")
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    tasks.send_invite_chunk.delay(queued.batch.pk, [list(m) for m in queued.messages])
    assert sorted(m.to[0] for m in mailoutbox) == ADDRESSES
    assert {m.subject for m in mailoutbox} == {"Your invitation: Spring Bcc: attacker@example.com"}
    assert all(m.recipients() == m.to for m in mailoutbox)


def test_it_retries_a_refused_message_and_sends_the_others_meanwhile(
    world, make_cycle, refusing_mail
):
    refusing_mail["bob@example.org"] = 2
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    undelivered = services.send_invite_messages(batch_id=queued.batch.pk, messages=queued.messages)
    assert [address for address, _ in undelivered] == ["bob@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.org", "cat@example.org"]
    tasks.send_invite_chunk.delay(queued.batch.pk, [list(m) for m in undelivered])
    assert sorted(m.to[0] for m in mail.outbox) == ADDRESSES
    queued.batch.refresh_from_db()
    assert (queued.batch.sent, queued.batch.failed, queued.batch.queued) == (3, 0, 0)


def test_it_counts_a_message_failed_once_after_the_last_retry(world, make_cycle, refusing_mail):
    refusing_mail["bob@example.org"] = 1000
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    for _ in range(2):
        tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    assert refusing_mail["bob@example.org"] == 1000 - 6  # the first try and five retries
    queued.batch.refresh_from_db()
    assert (queued.batch.sent, queued.batch.failed, queued.batch.queued) == (2, 1, 0)
    assert len(mail.outbox) == 2


def test_it_voids_the_code_of_a_message_that_failed_so_it_counts_no_more_among_codes_made(
    world, make_cycle, refusing_mail
):
    refusing_mail["bob@example.org"] = 1000
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    (bob_code,) = [code for address, code in queued.messages if address == "bob@example.org"]
    with pytest.raises(UnknownCode):
        services.find_invite(bob_code)
    assert codes_made(cycle) == {world.team_a.pk: 2}
    assert TeamTally.objects.get(cycle=cycle, team=world.team_a).codes_made == 2
    for address, code in queued.messages:
        if address != "bob@example.org":
            services.find_invite(code)  # the codes delivered still open the survey


def test_it_voids_a_failed_message_s_code_even_if_it_was_used(world, make_cycle):
    """Else the codes made would tell whoever sent the e-mail whether that address answered."""
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    (_address, code), *_others = queued.messages
    services.submit_response(code=code, answers=all_answers(cycle))
    services.record_undelivered_invites(batch_id=queued.batch.pk, messages=queued.messages)
    with pytest.raises(UnknownCode):
        services.find_invite(code)
    assert codes_made(cycle) == {}
    assert TeamTally.objects.get(cycle=cycle, team=world.team_a).codes_made == 0


def test_it_changes_nothing_of_a_closed_cycle_when_its_e_mails_fail_after_it_closed(
    world, make_cycle, django_capture_on_commit_callbacks
):
    """The bounds a closed cycle's plans were decided with, and the counts its pages give, stay
    as they were when it closed; the messages are marked dealt with, so no retry sends them."""
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    services.close_cycle(cycle=cycle)
    before = settled_plans.generation()
    with django_capture_on_commit_callbacks(execute=True):
        failed = services.record_undelivered_invites(
            batch_id=queued.batch.pk, messages=queued.messages
        )
    queued.batch.refresh_from_db()
    assert (failed, queued.batch.failed, queued.batch.queued) == (0, 0, 3)
    assert codes_made(cycle) == {world.team_a.pk: 3}
    assert Invite.objects.filter(cycle=cycle).count() == 3
    assert settled_plans.generation() == before
    assert InviteDelivery.objects.filter(batch=queued.batch, delivered=False).count() == 3


def test_it_sends_nothing_and_voids_nothing_past_the_closing_day_before_the_clock_closes_it(
    world, make_cycle, mailoutbox, time_machine
):
    """No code can be spent after the closing day, so the codes held stay as they were then,
    though the cycle reads open until the clock's run just after midnight."""
    cycle = make_cycle(unit=world.team_a, days=3)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    time_machine.move_to(cycle.closes_on + timedelta(days=1))
    tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    services.record_undelivered_invites(batch_id=queued.batch.pk, messages=queued.messages[:1])
    queued.batch.refresh_from_db()
    assert mailoutbox == []
    assert (queued.batch.sent, queued.batch.failed, queued.batch.queued) == (0, 0, 3)
    assert codes_made(cycle) == {world.team_a.pk: 3}


def test_it_offers_no_codes_on_a_closed_cycle_s_codes_page_and_says_its_counts_stay(
    world, make_cycle, client_for
):
    cycle = make_cycle(unit=world.team_a)
    services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    services.close_cycle(cycle=cycle)
    page = client_for(world.team_manager).get(_invites_page(cycle, world.team_a))
    html = page.content.decode()
    assert "This cycle has closed, so it takes no more codes." in html
    assert 'name="count"' not in html
    assert "these counts stay as they were then" in html


def test_it_sends_no_invitation_once_its_cycle_has_closed(world, make_cycle, mailoutbox):
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    services.close_cycle(cycle=cycle)
    tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    queued.batch.refresh_from_db()
    assert mailoutbox == []
    assert (queued.batch.sent, queued.batch.queued) == (0, 3)


def _north_with_b_s_e_mails_waiting(world, make_cycle, respond):
    """North's cycle: Team A 12 responses of 15 codes, Team B 5 of 5 codes and 3 e-mailed (the
    batch still waiting), Team D 3 of 4; A and B answered everything 4, D 1."""
    from organisations.services import add_unit

    team_d = add_unit(parent=world.north, name="Team D", is_team=True)
    cycle = make_cycle(unit=world.north)
    services.issue_invites(cycle=cycle, team=world.team_a, count=15)
    services.issue_invites(cycle=cycle, team=world.team_b, count=5)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_b, addresses=ADDRESSES)
    services.issue_invites(cycle=cycle, team=team_d, count=4)
    respond(cycle, world.team_a, 12, value=4)
    respond(cycle, world.team_b, 5, value=4)
    respond(cycle, team_d, 3, value=1)
    return cycle, queued


def test_it_bounds_a_team_by_the_codes_it_holds_not_those_still_waiting_to_be_e_mailed(
    world, make_cycle, respond, client_for, mailoutbox
):
    """Team B made 8 codes, 3 of them in e-mails still waiting to be sent: nobody holds those
    yet, so B's "5 or more" is 5, and beside North's 20 and Team A's 12 Team D's "fewer than 5"
    would be 3. Team A is hidden and B's 5 shown. Once the e-mails have gone, B may have up to
    8, and A is shown again."""
    cycle, queued = _north_with_b_s_e_mails_waiting(world, make_cycle, respond)
    leader = client_for(world.leader)
    url = reverse("diagnostics:cycle_detail", args=[cycle.pk])

    def shown() -> dict[str, str]:
        return {row.team.name: row.responses for row in leader.get(url).context["teams"]}

    assert shown() == {"Team A": "5 or more", "Team B": "5", "Team D": "fewer than 5"}
    tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    assert len(mailoutbox) == 3
    assert shown() == {"Team A": "12", "Team B": "5 or more", "Team D": "fewer than 5"}


def test_it_backs_off_exponentially_between_retries(world, make_cycle, settings, refusing_mail):
    settings.INVITE_RETRY_SECONDS = 30
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    countdowns = []
    real_retry = tasks.send_invite_chunk.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return real_retry(*args, **kwargs)

    refusing_mail["bob@example.org"] = 3
    with mock.patch.object(tasks.send_invite_chunk, "retry", side_effect=spy):
        tasks.send_invite_chunk.delay(queued.batch.pk, [list(m) for m in queued.messages])
    assert countdowns == [30, 60, 120]


def test_it_keeps_no_address_or_code_with_the_batch(world, make_cycle, mailoutbox):
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    tasks.send_invite_batch.delay(queued.batch.pk, queued.messages)
    stored = repr(list(InviteBatch.objects.values())) + repr(list(InviteDelivery.objects.values()))
    for address, code in queued.messages:
        assert address not in stored
        assert code not in stored
    assert InviteDelivery.objects.count() == 3
    assert not any(f.name == "batch" for f in Invite._meta.get_fields())


def test_it_counts_the_batch_failed_when_the_queue_does_not_answer(
    world, client_for, make_cycle, mailoutbox
):
    cycle = make_cycle(unit=world.team_a)
    with mock.patch.object(
        tasks.send_invite_batch, "delay", side_effect=OperationalError("no broker")
    ):
        response = client_for(world.team_manager).post(
            _invites_page(cycle, world.team_a),
            {"count": 0, "emails": "\n".join(ADDRESSES)},
            follow=True,
        )
    assert "The e-mail queue is not answering" in response.content.decode()
    batch = InviteBatch.objects.get()
    assert (batch.sent, batch.failed, batch.queued) == (0, 3, 0)
    assert mailoutbox == []


def _failing_once(real, *, on_call: int):
    calls = {"n": 0}

    def run(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == on_call:
            raise DatabaseOperationalError("database table is locked")
        return real(*args, **kwargs)

    return run


def test_it_tries_a_chunk_again_when_the_database_fails_partway(world, make_cycle, mailoutbox):
    cycle = make_cycle(unit=world.team_a)
    queued = services.queue_email_invites(cycle=cycle, team=world.team_a, addresses=ADDRESSES)
    claim = _failing_once(InviteDelivery.objects.get_or_create, on_call=2)
    with mock.patch.object(InviteDelivery.objects, "get_or_create", side_effect=claim):
        tasks.send_invite_chunk.delay(queued.batch.pk, [list(m) for m in queued.messages])
    assert sorted(m.to[0] for m in mailoutbox) == ADDRESSES
    queued.batch.refresh_from_db()
    assert (queued.batch.sent, queued.batch.failed, queued.batch.queued) == (3, 0, 0)


def _shown_by_path(cycle, user) -> dict[str, tuple[int, int]]:
    """Each group's responses, and how many of them answered the first statement in red, where
    the statement export shows them to `user` (its red share is of those responses)."""
    from diagnostics.exports import ExportRequest, all_columns, export_rows
    from organisations.access import reach_of

    shown = {}
    for values in export_rows(ExportRequest(cycle=cycle, by="statement"), reach_of(user)):
        row = dict(zip(all_columns(), values, strict=True))
        if row["unit_path"] not in shown and row["suppressed"] == "no":
            responses = int(row["responses"])
            shown[row["unit_path"]] = (responses, round(int(row["red_pct"]) * responses / 100))
    return shown


def test_it_lets_no_codes_voided_after_closing_change_what_a_closed_cycle_shows(
    world, make_cycle, respond, django_capture_on_commit_callbacks
):
    """North's leader e-mails three of Team B's codes to addresses the mail server will refuse
    and closes the cycle. North has 20 responses: Team A 12 (15 codes), Team B 5 (5 codes and
    the 3 e-mailed), Team D 3 (4 codes). Read at once, B is 5 to 7 and D 1 to 3: North's 20
    and A's 12 are shown. Some 16 minutes later the retries give up and B's 3 codes are voided,
    so B made 5 and reads "5 or more": B is 5, and D 3. The engine now hides A and shows B's 5
    instead. The leader has read both: 20 - 12 - 5 = 3 responses, and from each statement's
    shares (whole percentages of 20, 12 and 5 are exact counts) how many of the three answered
    it red, amber and green: here all three answered the first statement red."""
    cycle, queued = _north_with_b_s_e_mails_waiting(world, make_cycle, respond)
    services.close_cycle(cycle=cycle)
    read_at_closing = _shown_by_path(cycle, world.leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_undelivered_invites(batch_id=queued.batch.pk, messages=queued.messages)
    read_later = _shown_by_path(cycle, world.leader)

    known = {**read_at_closing, **read_later}
    north = "Children's Services / Locality North"
    a, b = f"{north} / Team A", f"{north} / Team B"
    if {north, a, b} <= known.keys():
        responses, red = (known[north][i] - known[a][i] - known[b][i] for i in (0, 1))
        pytest.fail(f"Team D: {responses} responses, {red} of them red on the first statement")
