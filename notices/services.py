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
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from notices.models import SentNotice

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
