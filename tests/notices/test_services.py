from __future__ import annotations

import smtplib
from datetime import date

import pytest
from django.core import mail
from django.utils import translation

from notices.models import SentNotice
from notices.selectors import wants_weekly_digest, without_digest
from notices.services import (
    Notice,
    long_date,
    notice_key,
    one_line,
    send_notice_once,
    send_notices,
    set_weekly_digest,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


def _send(to: str = "sam@example.org", about: str = "cycle:1") -> bool:
    return send_notice_once(
        kind="cycle-reminder", about=about, to=to, subject="Reminder", body="Body", today=TODAY
    )


def test_it_sends_a_notice_once_however_often_it_is_asked():
    assert _send() is True
    assert _send() is False
    assert _send(to="  SAM@example.org ") is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]


def test_it_sends_the_same_notice_to_each_address_and_about_each_thing():
    assert _send(to="a@example.org")
    assert _send(to="b@example.org")
    assert _send(to="a@example.org", about="cycle:2")
    assert len(mail.outbox) == 3


def test_it_keeps_a_keyed_hash_and_never_the_address():
    _send(to="sam@example.org")
    notice = SentNotice.objects.get()
    assert notice.key == notice_key(
        kind="cycle-reminder", about="cycle:1", address="sam@example.org"
    )
    assert "sam" not in notice.key
    assert (notice.kind, notice.sent_on) == ("cycle-reminder", TODAY)


def test_it_leaves_a_refused_notice_unclaimed_for_the_next_run(monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"sam@example.org": (550, b"no")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert _send() is False
    assert not SentNotice.objects.exists()
    monkeypatch.undo()
    assert _send() is True
    assert len(mail.outbox) == 1


def test_it_makes_user_text_fit_a_subject_line():
    assert one_line("Fix\nthe   rota\r\n") == "Fix the rota"
    assert one_line("x" * 130) == "x" * 119 + "…"
    assert long_date(date(2026, 12, 7)) == "Monday 7 December 2026"


def test_it_sends_only_the_notices_not_sent_before(django_assert_num_queries):
    notices = [
        Notice(kind="k", about=f"thing:{n}", to="sam@example.org", subject="S", body="B")
        for n in range(3)
    ]
    assert send_notices(notices[:1], today=TODAY) == 1
    assert send_notices(notices, today=TODAY) == 2
    with django_assert_num_queries(1):  # the ledger, read once for all of them
        assert send_notices(notices, today=TODAY) == 0
    assert [m.subject for m in mail.outbox] == ["S", "S", "S"]


def test_it_keeps_each_person_s_digest_choice():
    person = make_user()
    assert wants_weekly_digest(person) is True
    set_weekly_digest(user=person, wanted=False)
    set_weekly_digest(user=person, wanted=False)
    assert wants_weekly_digest(person) is False
    assert without_digest([person.pk]) == {person.pk}
    set_weekly_digest(user=person, wanted=True)
    assert without_digest([person.pk]) == set()


def test_it_writes_dates_in_the_active_language():
    with translation.override("cy"):
        assert long_date(date(2026, 12, 7)) == "Dydd Llun 7 Rhagfyr 2026"
    assert long_date(date(2026, 12, 7)) == "Monday 7 December 2026"


def test_it_sends_a_subject_holding_a_line_break_on_one_line():
    """Names people type reach subjects (a cycle's, a unit's); a line break in one must neither
    inject a header nor stop the job that sends it."""
    assert send_notice_once(
        kind="cycle-reminder",
        about="cycle:1",
        to="sam@example.org",
        subject="Reminder: Spring\r\nBcc: attacker@example.com",
        body="Body",
        today=TODAY,
    )
    (message,) = mail.outbox
    assert message.subject == "Reminder: Spring Bcc: attacker@example.com"
    assert message.recipients() == ["sam@example.org"]
