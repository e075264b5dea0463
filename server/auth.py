"""Sign-in: argon2 passwords, opaque tokens stored as SHA-256, refresh rotation with reuse
detection, and sign-in throttling kept in the DB (server/throttle.py)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server import audit, throttle
from server.access import token_digest
from server.config import Config
from server.db import rows_changed
from server.inputs import Input
from server.models import AccessToken, RefreshToken, User, utcnow
from server.passwords import dummy_verify, verify_password
from server.problems import Problem, problem_responses, unauthorized
from server.throttle import FailedSignIns
from server.unit_of_work import client_address, get_session, proxy_detail

router = APIRouter(tags=["auth"])


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# --- sign-in, refresh, sign-out -------------------------------------------------------------


class LoginIn(Input):
    """Body of `POST /auth/login`."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(max_length=1000)
    device: str | None = Field(default=None, max_length=200)


class RefreshIn(Input):
    """Body of `POST /auth/refresh` and `/auth/logout`."""

    refresh_token: str = Field(max_length=200)


class TokenPair(BaseModel):
    """`TokenPair` of the contract."""

    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: dict[str, object]
    # Set on sign-in when someone typed a wrong password for this account since the last one.
    failed_sign_ins_since_last: FailedSignIns | None = None


def _issue(session: Session, config: Config, user: User, family: str, device: str) -> TokenPair:
    from server.users import user_out  # users imports this module

    access, refresh, now = _new_token(), _new_token(), utcnow()
    session.add(
        AccessToken(
            token_hash=token_digest(access),
            user_id=user.id,
            family_id=family,
            expires_at=now + dt.timedelta(seconds=config.access_ttl),
        )
    )
    session.add(
        RefreshToken(
            token_hash=token_digest(refresh),
            family_id=family,
            user_id=user.id,
            device=device,
            expires_at=now + dt.timedelta(seconds=config.refresh_ttl),
        )
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=config.access_ttl,
        user=user_out(user).model_dump(),
    )


def _revoke_family(session: Session, family: str) -> None:
    now = utcnow()
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.execute(update(AccessToken).where(AccessToken.family_id == family).values(revoked=True))


@router.post("/auth/login", response_model=TokenPair, responses=problem_responses(401, 429))
def login(
    body: LoginIn, request: Request, session: Annotated[Session, Depends(get_session)]
) -> TokenPair:
    """Exchange a user name and password for a token pair."""
    config: Config = request.app.state.config
    address, now, via = client_address(request), utcnow(), proxy_detail(request)
    wait = throttle.retry_after(session, config.sign_in, body.username, address, now)
    if wait is not None:
        audit.record(
            session,
            "auth.login_limited",
            user_id=None,
            address=address,
            target=body.username,
            **via,
        )
        session.commit()
        raise Problem(
            429,
            "too-many-attempts",
            detail=f"Too many failed sign-ins; try again in {wait} s.",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )
    user = session.scalar(select(User).where(User.username == body.username))
    ok = verify_password(user.password_hash, body.password) if user else dummy_verify(body.password)
    if user is None or not ok or not user.active:
        throttle.record_failure(session, body.username, address, now)
        audit.record(
            session,
            "auth.login_failed",
            user_id=None,
            address=address,
            target=body.username,
            **via,
        )
        session.commit()
        raise Problem(
            401, "invalid-credentials", "Invalid credentials", "Wrong user name or password."
        )
    failures = throttle.record_success(session, user, address)
    pair = _issue(session, config, user, secrets.token_hex(16), body.device or "")
    pair.failed_sign_ins_since_last = failures
    device = body.device or ""
    audit.record(session, "auth.login", user_id=user.id, address=address, device=device, **via)
    session.commit()
    return pair


def _revoked(detail: str) -> Problem:
    return unauthorized(detail, slug="refresh-revoked")


def _claim_grace(session: Session, config: Config, row: RefreshToken, now: dt.datetime) -> bool:
    """Whether a rotated token presented again is a lost answer, not a theft: once, within
    `refresh_grace` of its rotation, and only while its successor was never used.

    A client that never received the rotated token (a time-out, a crash before the keyring
    write) presents the old one again; revoking the family for that signs the user out. The
    unused successor is retired, so whoever holds it (nobody, if the answer was really lost)
    triggers the reuse revocation with it.
    """
    session.refresh(row)  # the concurrent rotation that beat us may have just committed
    successor = row.replaced_by
    if successor is None or row.rotated_at is None:
        return False
    if now - row.rotated_at > dt.timedelta(seconds=config.refresh_grace):
        return False
    once = rows_changed(
        session,
        update(RefreshToken)
        .where(RefreshToken.token_hash == row.token_hash, RefreshToken.replaced_by == successor)
        .values(replaced_by=None),
    )
    unused = rows_changed(
        session,
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == successor,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now),
    )
    return once == 1 and unused == 1


@router.post("/auth/refresh", response_model=TokenPair, responses=problem_responses(401))
def refresh(
    body: RefreshIn, request: Request, session: Annotated[Session, Depends(get_session)]
) -> TokenPair:
    """Rotate a refresh token; presenting a rotated one again revokes its whole family (but
    see `_claim_grace`)."""
    config: Config = request.app.state.config
    row = session.get(RefreshToken, token_digest(body.refresh_token))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise _revoked("The refresh token is not valid; sign in again.")
    # Atomic claim: of two concurrent uses of one token only one wins, the other is a reuse.
    claimed = rows_changed(
        session,
        update(RefreshToken)
        .where(RefreshToken.token_hash == row.token_hash, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now),
    )
    address, family, owner = client_address(request), row.family_id, row.user_id
    if claimed != 1:
        if not _claim_grace(session, config, row, now):
            session.rollback()
            _revoke_family(session, family)
            audit.record(
                session, "auth.refresh_reuse", user_id=owner, address=address, family=family
            )
            session.commit()
            raise _revoked("This refresh token was already used; every session of it is revoked.")
        audit.record(session, "auth.refresh_retry", user_id=owner, address=address, family=family)
    user = session.get(User, owner)
    if user is None or not user.active:
        session.rollback()
        raise _revoked("The account is disabled.")
    pair = _issue(session, config, user, family, row.device)
    if claimed == 1:  # a token given again under grace keeps no successor: a 2nd retry revokes
        rows_changed(
            session,
            update(RefreshToken)
            .where(RefreshToken.token_hash == row.token_hash)
            .values(replaced_by=token_digest(pair.refresh_token)),
        )
    session.commit()
    return pair


@router.post("/auth/logout", status_code=204)
def logout(
    body: RefreshIn, request: Request, session: Annotated[Session, Depends(get_session)]
) -> Response:
    """Revoke the sign-in family of a refresh token (unknown tokens are ignored)."""
    row = session.get(RefreshToken, token_digest(body.refresh_token))
    if row is not None:
        _revoke_family(session, row.family_id)
        audit.record(session, "auth.logout", user_id=row.user_id, address=client_address(request))
        session.commit()
    return Response(status_code=204)
