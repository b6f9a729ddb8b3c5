"""The demo as `seed_demo` makes it today, seeded once for each test module that asks for it
and rolled back at the module's end; each test runs in its own savepoint inside that."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.conftest import _restore_builtin_questionnaire

# The demo's accounts are hashed like any others; the hasher's cost is not what these tests
# are about.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class SeededDemo:
    printed: str


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> Iterator[SeededDemo]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        _restore_builtin_questionnaire()
        printed = StringIO()
        call_command("seed_demo", stdout=printed)
        yield SeededDemo(printed.getvalue())
        transaction.set_rollback(True)


@pytest.fixture
def seeded_demo(_seeded_once, db, settings) -> SeededDemo:
    settings.PASSWORD_HASHERS = FAST_HASHER
    return _seeded_once
