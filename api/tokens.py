"""Making and recognising token strings: pure functions, no database."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "sword_"


def new_token() -> str:
    """A fresh token: 256 random bits, with a prefix that says what it is (secret scanners and
    people reading a script both recognise it)."""
    return PREFIX + secrets.token_urlsafe(32)


def shown_start_of(raw: str) -> str:
    """The prefix and four random characters (24 of the 256 bits): enough to tell an organisation's
    tokens apart, far too few to help guess one."""
    return raw[: len(PREFIX) + 4]


def digest_of(raw: str) -> str:
    """What the database keeps. A token carries 256 random bits, so a plain SHA-256 cannot be
    reversed or guessed, and needs no key that a change of SECRET_KEY would invalidate."""
    return hashlib.sha256(raw.encode()).hexdigest()
