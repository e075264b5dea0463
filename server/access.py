"""The access check every endpoint depends on: bearer token -> user -> role."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import Headers

from server.models import AccessToken, User, utcnow
from server.problems import Problem, unauthorized
from server.unit_of_work import get_session


def token_digest(token: str) -> str:
    """What the DB keeps of a token: a leaked table gives no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(headers: Headers, query_token: str | None = None) -> str:
    """The token of `Authorization: Bearer …`, else the query fallback (WebSocket), else ''."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return query_token or ""


def authenticate(session: Session, token: str) -> User:
    """The user behind an access token, or a 401 problem (`token-expired` when it timed out)."""
    if not token:
        raise unauthorized()
    row = session.get(AccessToken, token_digest(token))
    if row is None or row.revoked:
        raise unauthorized("The access token is not valid.")
    if row.expires_at <= utcnow():
        raise unauthorized("The access token has expired; refresh it.", slug="token-expired")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise unauthorized("The account is disabled.")
    return user


def signed_in(request: Request, session: Annotated[Session, Depends(get_session)]) -> User:
    """Dependency: any signed-in user."""
    return authenticate(session, bearer_token(request.headers))


def require(*roles: str) -> Callable[..., User]:
    """Dependency factory: a signed-in user holding one of `roles` (any role when empty)."""
    wanted = set(roles)

    def check(user: Annotated[User, Depends(signed_in)]) -> User:
        if wanted and not wanted.intersection(user.roles):
            raise Problem(403, detail="Your role does not allow this.")
        return user

    return check
