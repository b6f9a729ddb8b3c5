"""Sending a notice once: the rule every scheduled job's e-mail keeps.

A job (a reminder, an action's due notice, a digest) may run twice, by a retry, a redelivery
after a worker stopped, or beat and a person both starting it; each notice it sends is claimed
first under a key that names the notice and its address, inside the transaction that sends it,
so a second run finds the claim and sends nothing, and a send that fails releases the claim for
the next run.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils.formats import date_format

from notices.models import NoticePreference, SentNotice
from notices.selectors import sent_keys

logger = logging.getLogger(__name__)


def notice_key(*, kind: str, about: str, address: str) -> str:
    """A keyed hash of one notice to one address; the ledger never holds the address."""
    message = f"notice:{kind}:{about}:{address.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def send_notice_once(
    *,
    kind: str,
    about: str,
    to: str,
    subject: str,
    body: str,
    today: date,
    connection: BaseEmailBackend | None = None,
) -> bool:
    """Send one notice unless it was sent before. `kind` names the notice ("cycle-reminder"),
    `about` what it is about and when ("cycle:12", "action:7:overdue", "digest:2026-W48"): the
    same kind, about and address send once, ever. Returns whether it was sent now; a mail server
    that refuses it leaves it unsent and unclaimed, for the next run."""
    key = notice_key(kind=kind, about=about, address=to)
    # Subjects carry names people typed (a cycle's, a unit's); a line break in one would make
    # the mail library refuse the message and stop the whole job, every other notice with it.
    subject = header_line(subject)
    try:
        with transaction.atomic():
            _, claimed = SentNotice.objects.get_or_create(
                key=key, defaults={"kind": kind, "sent_on": today}
            )
            if claimed:
                EmailMessage(subject, body, None, [to], connection=connection).send()
    except (smtplib.SMTPException, OSError):
        logger.warning("A %s notice was not taken by the mail server; the next run retries", kind)
        return False
    return claimed


@transaction.atomic
def set_weekly_digest(*, user: Any, wanted: bool) -> NoticePreference:
    """Turn the person's weekly digest on or off (kept until they change it again)."""
    preference, _ = NoticePreference.objects.select_for_update().get_or_create(user=user)
    if preference.weekly_digest != wanted:
        preference.weekly_digest = wanted
        preference.save(update_fields=["weekly_digest", "changed_at"])
    return preference


@dataclass(frozen=True)
class Notice:
    """One e-mail a job means to send (see send_notice_once for kind and about)."""

    kind: str
    about: str
    to: str
    subject: str
    body: str


def send_notices(notices: Sequence[Notice], *, today: date) -> int:
    """Send each notice not sent before; returns how many went now. The ledger is read once
    for all of them, so a daily job over every open action costs a fixed number of queries
    beyond the e-mails it actually sends."""
    done = sent_keys(notice_key(kind=n.kind, about=n.about, address=n.to) for n in notices)
    sent = 0
    for notice in notices:
        if notice_key(kind=notice.kind, about=notice.about, address=notice.to) in done:
            continue
        sent += send_notice_once(
            kind=notice.kind,
            about=notice.about,
            to=notice.to,
            subject=notice.subject,
            body=notice.body,
            today=today,
        )
    return sent


def header_line(text: str) -> str:
    """Text fit for a header: every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


def one_line(text: str, limit: int = 120) -> str:
    """User-written text fit for a subject line: one line (a header cannot hold a line break),
    cut at `limit` characters."""
    line = header_line(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def long_date(day: date) -> str:
    """A date in words, in the active language: "Wednesday 2 December 2026"."""
    return date_format(day, "l j F Y")
