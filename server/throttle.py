"""Sign-in throttling: growing delays instead of lock-outs, and the owner told of failures.

A lock-out after N failures lets anyone lock the chairman out before a meeting, and a strict
per-address limit blocks a whole office behind one NAT address. So failures only make the next
attempt wait, by three separate counts (server/config.py `SignInLimits`):
- the account from this address (one guesser; a new address is not affected),
- this address over every account (generous: many people share one office address),
- the account over many addresses (a spread-out guess), counted in distinct addresses and
  held only against addresses that already failed on the account.
The failures live in the DB (`login_failures`), so a restart or a second process sees them.
The account also keeps a count of failures since its last sign-in, reported at the next one.
"""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from server.config import Backoff, SignInLimits
from server.models import LoginFailure, User


class FailedSignIns(BaseModel):
    """Wrong passwords for an account since its previous sign-in (`TokenPair` of the contract)."""

    count: int
    last_at: dt.datetime
    last_address: str


def _count(
    session: Session, where: ColumnElement[bool], *, distinct_addresses: bool = False
) -> tuple[int, dt.datetime | None]:
    """How many failures (or distinct addresses) match, and when the last one was."""
    counted = (
        func.count(func.distinct(LoginFailure.address)) if distinct_addresses else func.count()
    )
    # max() keeps the column's type, so `last` comes back aware (UTC) on every engine.
    count, last = session.execute(select(counted, func.max(LoginFailure.at)).where(where)).one()
    return count, last


def _wait(counted: tuple[int, dt.datetime | None], backoff: Backoff, now: dt.datetime) -> float:
    count, last = counted
    if not count or last is None:
        return 0.0
    return (last - now).total_seconds() + backoff.delay(count)


def retry_after(
    session: Session, limits: SignInLimits, username: str, address: str, now: dt.datetime
) -> int | None:
    """Whole seconds until `username` may try again from `address`, or None when it may now."""
    recent = LoginFailure.at > now - dt.timedelta(seconds=limits.window)
    same_account = LoginFailure.username == username
    same_address = LoginFailure.address == address
    here = _count(session, recent & same_account & same_address)
    waits = [
        _wait(here, limits.per_account_address, now),
        _wait(_count(session, recent & same_address), limits.per_address, now),
    ]
    if here[0]:  # the account-wide count is never held against a new address
        spread = _count(session, recent & same_account, distinct_addresses=True)
        waits.append(_wait(spread, limits.per_account, now))
    wait = max(waits)
    return math.ceil(wait) if wait > 0 else None


def record_failure(session: Session, username: str, address: str, now: dt.datetime) -> None:
    """Count a wrong password (for a known account: also towards its owner's next notice)."""
    session.add(LoginFailure(username=username, address=address, at=now))
    session.execute(
        update(User)
        .where(User.username == username)
        .values(
            failed_sign_ins=User.failed_sign_ins + 1,
            last_failed_sign_in_at=now,
            last_failed_sign_in_address=address,
        )
    )


def record_success(session: Session, user: User, address: str) -> FailedSignIns | None:
    """Forget this address's failures on the account; return (and reset) the owner's notice.

    Only this address's failures go: the owner signing in must not reset the delay of someone
    guessing from elsewhere.
    """
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.username == user.username, LoginFailure.address == address
        )
    )
    count, last_at = user.failed_sign_ins, user.last_failed_sign_in_at
    if not count or last_at is None:
        return None
    # Subtract what is reported rather than set 0: a failure racing this sign-in stays counted.
    session.execute(
        update(User).where(User.id == user.id).values(failed_sign_ins=User.failed_sign_ins - count)
    )
    return FailedSignIns(
        count=count, last_at=last_at, last_address=user.last_failed_sign_in_address
    )
