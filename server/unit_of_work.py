"""One DB session per request, and the rule for committing it.

Endpoints never call `session.commit()` directly: they call `commit(session)`. When the request
carries an Idempotency-Key the middleware (server/idempotency.py) owns the transaction and commits
the change together with the stored response, so a replay and the change can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from server.proxies import client_address as proxies_address

DEFERRED = "deferred_commit"
SCOPE_KEY = "hopdesk_session"


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: the request's session (the idempotency middleware's, if any)."""
    owned = request.scope.get("state", {}).get(SCOPE_KEY)
    if owned is not None:
        yield owned
        return
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def commit(session: Session) -> None:
    """Commit now, or only flush when an outer owner commits with the idempotency record."""
    if session.info.get(DEFERRED):
        session.flush()
    else:
        session.commit()


def client_address(request: HTTPConnection) -> str:
    """The client address for the audit log and the sign-in throttle (server/proxies.py)."""
    peer = request.client.host if request.client else ""
    proxies = request.app.state.config.trusted_proxies
    if not proxies:
        return peer
    return proxies_address(peer, request.headers.getlist("x-forwarded-for"), proxies)


def proxy_detail(request: HTTPConnection) -> dict[str, str]:
    """`{"via": peer}` for the audit row when a trusted proxy named another client, else {}."""
    peer = request.client.host if request.client else ""
    return {"via": peer} if client_address(request) != peer else {}
