"""One-time invite codes: random, unambiguous, stored only as hashes."""

from __future__ import annotations

import hashlib
import math
import secrets

# No 0/O, 1/I/L: easy to read from paper and to type on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
GROUP = 4
BITS_OF_RANDOMNESS = CODE_LENGTH * math.log2(len(ALPHABET))  # about 59.5


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise(code: str) -> str:
    """Upper case without spaces or dashes, so 'abcd efgh-jkmn' and 'ABCD-EFGH-JKMN' match."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def display(code: str) -> str:
    raw = normalise(code)
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def looks_valid(code: str) -> bool:
    raw = normalise(code)
    return len(raw) == CODE_LENGTH and all(ch in ALPHABET for ch in raw)


def hash_code(code: str) -> str:
    """SHA-256 of the normalised code. Codes carry ~59 bits of randomness, so no salt is needed
    to stop guessing, and a fixed hash lets a code be found by lookup."""
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()
