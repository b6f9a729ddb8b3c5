"""One-time invite codes: random, unambiguous, stored only as hashes.

Two hashes of a code are kept, for two purposes and in two places that nothing joins:
- `hash_code`, SHA-256 of the code, on its invite: finds the invite (cycle and team) for a code;
- `spent_key`, HMAC-SHA256 of the code under `SPENT_CODE_KEY`, as the key of a `SpentCode` row
  written in the same transaction as the response the code opened. Without that key nobody can
  tell which invite a spent row belongs to, not even someone holding the printed codes.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets

from django.conf import settings

# No 0/O, 1/I/L: easy to read from paper and to type on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
GROUP = 4
BITS_OF_RANDOMNESS = CODE_LENGTH * math.log2(len(ALPHABET))  # about 59.5
# Python's \w is what str.isalnum() accepts, and the underscore.
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
_WELL_FORMED = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalise(code: str) -> str:
    """Upper case without spaces or dashes, so 'abcd efgh-jkmn' and 'ABCD-EFGH-JKMN' match:
    every character but letters and digits (`str.isalnum`) goes. By pattern rather than
    character by character: every survey request normalises its code three times."""
    return _NOT_LETTER_OR_DIGIT.sub("", code.upper())


def display(code: str) -> str:
    raw = normalise(code)
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def characters_not_used(code: str) -> str:
    """The characters of a typed code that no code uses (0, 1, I, L, O, …), each once."""
    return "".join(dict.fromkeys(char for char in normalise(code) if char not in ALPHABET))


def looks_valid(code: str) -> bool:
    return _WELL_FORMED.fullmatch(normalise(code)) is not None


def hash_code(code: str) -> str:
    """SHA-256 of the normalised code. Codes carry ~59 bits of randomness, so no salt is needed
    to stop guessing, and a fixed hash lets a code be found by lookup."""
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def spent_key(code: str) -> str:
    """The key a code's `SpentCode` row is stored under: HMAC-SHA256 of the normalised code."""
    return _keyed(normalise(code).encode("ascii", "ignore"))


def legacy_key(code_hash: str, *, purpose: str) -> str:
    """The key under which the migration to spent codes kept what an invite held before it
    (`purpose` "spent" for a used code, "draft" for answers in progress): the code itself was
    never stored, so these are keyed by the code's hash. Different input from `spent_key`'s
    (12 letters and digits), so the two never collide."""
    return _keyed(f"{purpose}:{code_hash}".encode("ascii"))


def _keyed(message: bytes) -> str:
    return hmac.new(settings.SPENT_CODE_KEY.encode(), message, hashlib.sha256).hexdigest()
