"""Invitation e-mails through the real parts: a Celery worker on Redis, and an SMTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import OperationalError
from django.urls import reverse

from diagnostics.models import InviteBatch
from sword.celery import app as celery_app
from tests.queue import worker_on

# A database of its own on the machine's Redis, apart from the cache's (0) and the site's (1).
TEST_BROKER_URL = "redis://127.0.0.1:6379/13"
REFUSED_ONCE = "refused-once@example.org"


class Sink:
    """An SMTP server's handler: keeps every delivered recipient, and refuses one address the
    first time it is offered (a 451 "try again later", as a busy mail server does)."""

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.refusals = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address == REFUSED_ONCE and self.refusals == 0:
                self.refusals += 1
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def smtp_sink(settings) -> Iterator[Sink]:
    sink = Sink()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot be given port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def worker_on_redis(settings) -> Iterator[Any]:
    settings.INVITE_RETRY_SECONDS = 0.5
    with worker_on(TEST_BROKER_URL, settings) as worker:
        yield worker


def _wait_until_settled(batch: InviteBatch, *, seconds: float) -> InviteBatch:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            batch.refresh_from_db()
        except OperationalError:
            # SQLite's shared-cache test database refuses a read at once, rather than waiting,
            # while the worker's thread writes the same table; PostgreSQL waits. Ask again.
            time.sleep(0.1)
            continue
        if batch.queued == 0:
            return batch
        time.sleep(0.1)
    return batch


@pytest.mark.queue
def test_it_delivers_every_message_of_a_batch_exactly_once_through_a_real_worker(
    transactional_db, world, client_for, make_cycle, smtp_sink, worker_on_redis
):
    addresses = [f"person{n:03d}@example.org" for n in range(119)] + [REFUSED_ONCE]
    cycle = make_cycle(unit=world.team_a)
    client = client_for(world.team_manager)

    started = time.monotonic()
    response = client.post(
        reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]),
        {"count": 0, "emails": "\n".join(addresses)},
    )
    answered_in = time.monotonic() - started
    assert response.status_code == 302
    batch = InviteBatch.objects.get()
    assert answered_in < 5  # the page does not wait for 120 e-mails (it queues one job)

    batch = _wait_until_settled(batch, seconds=60)
    assert (batch.total, batch.sent, batch.failed, batch.queued) == (120, 120, 0, 0)
    assert smtp_sink.refusals == 1
    assert Counter(smtp_sink.delivered) == Counter(addresses)  # each address once, none twice

    page = client.get(reverse("diagnostics:invites_new", args=[cycle.pk, world.team_a.pk]))
    assert '<td class="text-end">120</td>' in page.content.decode()


def test_it_runs_jobs_in_process_when_no_broker_is_configured():
    from django.conf import settings

    assert not settings.CELERY_BROKER_URL
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert celery_app.conf.task_always_eager
