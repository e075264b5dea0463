"""Password hashing with argon2id (argon2-cffi defaults, RFC 9106 low-memory profile)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Made on first use, not at import: hashing costs tens of ms of start-up."""
    return _hasher.hash("not a password")


def hash_password(password: str) -> str:
    """An argon2id hash with a random salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a wrong one."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> bool:
    """Spend the time of a real check for an unknown user name (no timing oracle)."""
    return verify_password(_dummy_hash(), password)
