"""Addresses kept for reminders, sealed at rest: AES-256-GCM under REMINDER_ADDRESS_KEY.

An address is padded to a fixed length before it is sealed, so the stored value's length says
nothing about it, and bound to its cycle and team (the cipher's associated data), so a sealed
address copied onto another cycle's row does not open. AES-GCM rather than Fernet: a Fernet token
carries the time it was made in clear, and these rows keep no time.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PADDED_LENGTH = 320  # an e-mail address is at most 254 characters
_NONCE_BYTES = 12


class AddressesUnavailable(Exception):
    """REMINDER_ADDRESS_KEY is not set, so no address can be kept or read."""


class UnreadableAddress(Exception):
    """A sealed address that does not open under the current key (the key changed)."""


def can_keep_addresses() -> bool:
    """Whether this installation can keep addresses for reminders (the key is configured)."""
    return bool(settings.REMINDER_ADDRESS_KEY)


def _cipher() -> AESGCM:
    if not settings.REMINDER_ADDRESS_KEY:
        raise AddressesUnavailable(
            "REMINDER_ADDRESS_KEY is not set, so addresses for reminders cannot be kept."
        )
    return AESGCM(base64.urlsafe_b64decode(settings.REMINDER_ADDRESS_KEY))


def _context(cycle_id: int, team_id: int) -> bytes:
    return f"reminder-address:{cycle_id}:{team_id}".encode()


def seal(address: str, *, cycle_id: int, team_id: int) -> str:
    plain = address.strip().lower().encode()
    if len(plain) > PADDED_LENGTH:
        raise ValueError("An e-mail address is at most 254 characters.")
    padded = plain.ljust(PADDED_LENGTH, b"\0")
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _cipher().encrypt(nonce, padded, _context(cycle_id, team_id))
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, cycle_id: int, team_id: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        padded = _cipher().decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _context(cycle_id, team_id)
        )
    except (InvalidTag, binascii.Error, ValueError) as error:
        raise UnreadableAddress(
            "A kept address does not open with REMINDER_ADDRESS_KEY."
        ) from error
    return padded.rstrip(b"\0").decode()
