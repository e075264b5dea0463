"""The scheduled purge: what it deletes and keeps, and that the app's lifespan runs it."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from server.app import create_app
from server.config import Config
from server.db import make_engine, session_factory, upgrade
from server.housekeeping import Purged, purge
from server.models import AccessToken, IdempotencyRecord, LoginFailure, RefreshToken, utcnow
from server.users import create_user
from tests.fixtures.server import ServerFactory
from tests.server.conftest import api_for

NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
AGO = {"2 days": dt.timedelta(days=2), "1 hour": dt.timedelta(hours=1)}


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database at head, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'purge.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("postgres_database")
        url = make()
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _fill(session: Session) -> None:
    user = create_user(session, "u", "U", ["clerk"], password_hash="x")
    session.flush()

    def access(name: str, expires: dt.datetime) -> AccessToken:
        return AccessToken(token_hash=name, user_id=user.id, family_id="f", expires_at=expires)

    def refresh(name: str, expires: dt.datetime, **times: dt.datetime) -> RefreshToken:
        return RefreshToken(
            token_hash=name, family_id="f", user_id=user.id, expires_at=expires, **times
        )

    def record(key: str, created: dt.datetime) -> IdempotencyRecord:
        return IdempotencyRecord(
            user_id=user.id,
            key=key,
            method="POST",
            path="/x",
            status=201,
            body=b"",
            created_at=created,
        )

    session.add_all(
        [
            access("a-expired-2-days", NOW - AGO["2 days"]),
            access("a-expired-1-hour", NOW - AGO["1 hour"]),  # still says token-expired
            access("a-valid", NOW + AGO["1 hour"]),
            refresh("r-expired-2-days", NOW - AGO["2 days"]),
            refresh("r-revoked-2-days", NOW + AGO["2 days"], revoked_at=NOW - AGO["2 days"]),
            refresh("r-revoked-1-hour", NOW + AGO["2 days"], revoked_at=NOW - AGO["1 hour"]),
            # Rotated long ago but not expired: presenting it must still reveal a theft.
            refresh("r-rotated-2-days", NOW + AGO["2 days"], rotated_at=NOW - AGO["2 days"]),
            record("k-8-days", NOW - dt.timedelta(days=8)),
            record("k-1-day", NOW - dt.timedelta(days=1)),
            LoginFailure(username="u", address="10.0.0.1", at=NOW - AGO["2 days"]),
            LoginFailure(username="u", address="10.0.0.1", at=NOW - dt.timedelta(minutes=10)),
        ]
    )


def test_purge_deletes_what_served_its_time_and_keeps_the_rest(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as session, session.begin():
        _fill(session)
    with factory() as session, session.begin():
        purged = purge(session, Config(db_url="", data_dir=Path()), NOW)
    assert purged == Purged(
        access_tokens=1, refresh_tokens=2, idempotency_records=1, login_failures=1
    )
    with factory() as session:
        assert set(session.scalars(select(AccessToken.token_hash))) == {
            "a-expired-1-hour",
            "a-valid",
        }
        assert set(session.scalars(select(RefreshToken.token_hash))) == {
            "r-revoked-1-hour",
            "r-rotated-2-days",
        }
        assert list(session.scalars(select(IdempotencyRecord.key))) == ["k-1-day"]
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1


def _old_record(engine: Engine, key: str) -> None:
    with session_factory(engine)() as session, session.begin():
        user_id = session.scalar(text("SELECT min(id) FROM users"))
        session.add(
            IdempotencyRecord(
                user_id=user_id,
                key=key,
                method="POST",
                path="/x",
                status=201,
                body=b"",
                created_at=utcnow() - dt.timedelta(days=30),
            )
        )


def _gone(engine: Engine, key: str) -> bool:
    with session_factory(engine)() as session:
        return session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key)) is None


async def test_the_app_lifespan_runs_the_purge_on_its_interval(tmp_path: Path) -> None:
    config = Config(
        db_url=f"sqlite:///{tmp_path / 'app.db'}", data_dir=tmp_path, purge_interval=0.05
    )
    app = create_app(config)
    engine: Engine = app.state.engine
    with session_factory(engine)() as session, session.begin():
        create_user(session, "u", "U", ["clerk"], password_hash="x")
    _old_record(engine, "before-start")
    housekeeper = app.state.housekeeper
    assert not housekeeper.running
    async with app.router.lifespan_context(app):
        assert housekeeper.running
        assert _gone(engine, "before-start")  # purged at start-up, before serving
        _old_record(engine, "while-running")
        deadline = time.monotonic() + 10
        while not _gone(engine, "while-running"):  # the loop comes round again
            assert time.monotonic() < deadline, "the scheduled purge never ran"
            await asyncio.sleep(0.02)
    assert not housekeeper.running


def test_the_server_purges_expired_tokens_on_its_own(server_factory: ServerFactory) -> None:
    """No sign-in needed: the server process purges a day-old expired pair by itself."""
    server = server_factory(extra_args=["--housekeeping-interval", "0.2"])
    api = api_for(server)
    old = api.login("chuyenvien1")
    engine = create_engine(server.db_url)
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    mine = "user_id = (SELECT id FROM users WHERE username = 'chuyenvien1')"
    try:
        with engine.begin() as conn:
            for table in ("access_tokens", "refresh_tokens"):
                conn.execute(
                    text(f"UPDATE {table} SET expires_at = :at WHERE {mine}"), {"at": long_ago}
                )
        deadline = time.monotonic() + 20
        while True:
            with engine.connect() as conn:
                left = conn.execute(
                    text(f"SELECT count(*) FROM refresh_tokens WHERE {mine}")
                ).scalar()
            if not left:
                break
            assert time.monotonic() < deadline, "expired tokens were not purged"
            time.sleep(0.05)
    finally:
        engine.dispose()
    assert old.get("/me").status == 401
    refused = api.post("/auth/refresh", {"refresh_token": old.refresh_token})
    assert refused.json()["type"].endswith("/refresh-revoked")
