"""Passwords: argon2id hashes (argon2-cffi's current defaults), verified in constant time."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crawler.domain.errors import PantauError

MIN_LENGTH = 10

_hasher = PasswordHasher()


class WeakPasswordError(PantauError):
    """A password too short to set."""


def hash_password(password: str) -> str:
    """The argon2id hash to store; a password under MIN_LENGTH characters is refused."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's and should be replaced."""
    return _hasher.check_needs_rehash(password_hash)
