"""The demo as `seed_demo` makes it today, seeded once for each test module that asks for it
and rolled back at the module's end; each test runs in its own savepoint inside that."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from typing import Any, TypeVar

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.conftest import _restore_builtin_questionnaire

# The demo's accounts are hashed like any others; the hasher's cost is not what these tests
# are about.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

T = TypeVar("T")


@dataclass(frozen=True)
class SeededDemo:
    printed: str


@contextmanager
def seeded_for_the_module(django_db_blocker: Any, seed: Callable[[], T]) -> Iterator[T]:
    """What `seed` made, in a transaction rolled back when the module's tests are done."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        _restore_builtin_questionnaire()
        yield seed()
        transaction.set_rollback(True)


def _seed_demo_printing() -> SeededDemo:
    printed = StringIO()
    call_command("seed_demo", stdout=printed)
    return SeededDemo(printed.getvalue())


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker) -> Iterator[SeededDemo]:
    with seeded_for_the_module(django_db_blocker, _seed_demo_printing) as demo:
        yield demo


@pytest.fixture
def seeded_demo(_seeded_once, db, settings) -> SeededDemo:
    settings.PASSWORD_HASHERS = FAST_HASHER
    return _seeded_once
