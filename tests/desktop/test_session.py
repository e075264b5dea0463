"""Session without the real server: an aiohttp stand-in for the three /auth endpoints, so each
rule of token handling is checked alone (tests/integration/test_session.py runs the real one)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from desktop.config import Config
from desktop.errors import NotAHopDeskServer, NotSignedIn, SessionExpired
from desktop.policy import TomlPolicy
from desktop.session import ACCOUNT_KEY, Session
from desktop.store import LocalStore
from tests.ui.conftest import memory_secrets

PROBLEM = "https://hopdesk.example/problems/"
USER = {"id": 1, "username": "giamdoc", "full_name": "Nguyễn Văn Hùng", "roles": ["leader"]}


@dataclass
class AuthServer:
    """Issues numbered token pairs; `valid` is the one refresh token it still accepts."""

    url: str = ""
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    valid: str | None = None
    logged_out: list[str] = field(default_factory=list)

    def pair(self) -> dict[str, Any]:
        n = next(self.counter)
        self.valid = f"refresh-{n}"
        return {"access_token": f"access-{n}", "refresh_token": self.valid, "user": USER}


def refused(status: int = 401) -> web.Response:
    body = {"type": PROBLEM + "unauthorized", "title": "no", "status": status}
    return web.json_response(body, status=status, content_type="application/problem+json")


@pytest.fixture
async def auth() -> AsyncIterator[AuthServer]:
    server = AuthServer()

    async def login(request: web.Request) -> web.Response:
        body = await request.json()
        if body["password"] != "hopdesk-demo":
            return refused()
        return web.json_response(server.pair())

    async def refresh(request: web.Request) -> web.Response:
        body = await request.json()
        if body["refresh_token"] != server.valid:
            return refused()
        return web.json_response(server.pair())

    async def logout(request: web.Request) -> web.Response:
        server.logged_out.append((await request.json())["refresh_token"])
        server.valid = None
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/api/v1/auth/login", login)
    app.router.add_post("/api/v1/auth/refresh", refresh)
    app.router.add_post("/api/v1/auth/logout", logout)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield server
    await runner.cleanup()


@pytest.fixture
async def sessions(store: LocalStore) -> AsyncIterator[list[Session]]:
    made: list[Session] = []
    yield made
    for session in made:
        await session.close()


def new_session(
    made: list[Session], store: LocalStore, secrets: Any, config: Any = None
) -> Session:
    session = Session(config or Config(), secrets, store)
    made.append(session)
    return session


async def test_remembered_sign_in_resumes_silently_with_a_rotated_token(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    secrets = memory_secrets()
    first = new_session(sessions, store, secrets)
    with pytest.raises(NotSignedIn):
        _ = first.scope
    user = await first.sign_in(auth.url, "giamdoc", "hopdesk-demo", remember=True)
    assert user.has_role("leader")
    assert first.scope == f"giamdoc@{auth.url}"
    assert secrets.load_refresh_token(auth.url, "giamdoc") == "refresh-1"
    await first.close()  # quit: the remembered sign-in stays

    second = new_session(sessions, store, secrets)  # the next start
    signed_in: list[Any] = []
    second.signed_in.connect(signed_in.append)
    assert await second.resume() == user
    assert signed_in == [user]
    assert second.access_token == "access-2"
    assert secrets.load_refresh_token(auth.url, "giamdoc") == "refresh-2"  # rotated


async def test_sign_out_revokes_and_forgets(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    secrets = memory_secrets()
    session = new_session(sessions, store, secrets)
    await session.sign_in(auth.url, "giamdoc", "hopdesk-demo", remember=True)
    reasons: list[str] = []
    session.signed_out.connect(reasons.append)
    await session.sign_out()
    assert auth.logged_out == ["refresh-1"]
    assert reasons == [""]  # the user's own choice: nothing to explain
    assert secrets.load_refresh_token(auth.url, "giamdoc") is None
    assert await new_session(sessions, store, secrets).resume() is None


async def test_a_refused_refresh_ends_the_session_with_a_reason(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    session = new_session(sessions, store, memory_secrets())
    await session.sign_in(auth.url, "giamdoc", "hopdesk-demo", remember=False)
    auth.valid = None  # revoked elsewhere
    reasons: list[str] = []
    session.signed_out.connect(reasons.append)
    with pytest.raises(SessionExpired):
        await session.refresh_access(session.access_token)
    assert len(reasons) == 1
    assert "sign in again" in reasons[0]
    assert session.user is None


async def test_an_address_that_is_not_hopdesk_is_named(
    store: LocalStore, sessions: list[Session]
) -> None:
    app = web.Application()  # answers 404 to everything
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        with pytest.raises(NotAHopDeskServer):
            await new_session(sessions, store, memory_secrets()).sign_in(
                url, "giamdoc", "hopdesk-demo", False
            )
    finally:
        await runner.cleanup()


async def test_policy_moving_the_computer_to_another_server_drops_the_remembered_one(
    auth: AuthServer, store: LocalStore, sessions: list[Session], tmp_path: Path
) -> None:
    secrets = memory_secrets()
    await new_session(sessions, store, secrets).sign_in(auth.url, "giamdoc", "hopdesk-demo", True)
    policy = tmp_path / "policy.toml"
    policy.write_text('server_url = "https://vanphong.tinh.gov.vn"\n', encoding="utf-8")
    moved = new_session(sessions, store, secrets, Config(policy=TomlPolicy(policy)))
    before = auth.valid
    assert await moved.resume() is None
    assert auth.valid == before  # no refresh was even tried against the old server


async def test_a_remembered_sign_in_resumes_from_the_cache_and_asks_the_server_on_first_use(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    """The window need not wait for the keyring or the server: the profile is remembered with
    the account, the token read and refreshed when the first request needs one."""
    secrets = memory_secrets()
    user = await new_session(sessions, store, secrets).sign_in(
        auth.url, "giamdoc", "hopdesk-demo", remember=True
    )
    settled: list[bool] = []

    async def settle_keyring() -> None:
        settled.append(True)

    resumed = new_session(sessions, store, secrets)  # the next start
    resumed.settle_keyring = settle_keyring
    signed_in: list[Any] = []
    resumed.signed_in.connect(signed_in.append)
    assert await resumed.resume_cached() == user
    assert signed_in == [user]
    assert resumed.scope == f"giamdoc@{auth.url}"
    assert resumed.access_token is None
    assert settled == []
    assert auth.valid == "refresh-1"
    assert await resumed.refresh_access(None) == "access-2"  # the first request's
    assert settled == [True]
    assert secrets.load_refresh_token(auth.url, "giamdoc") == "refresh-2"


async def test_a_sign_out_right_after_a_start_from_the_cache_still_revokes_the_token(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    secrets = memory_secrets()
    await new_session(sessions, store, secrets).sign_in(auth.url, "giamdoc", "hopdesk-demo", True)
    resumed = new_session(sessions, store, secrets)
    assert await resumed.resume_cached() is not None
    await resumed.sign_out()  # before any request read the token
    assert auth.logged_out == ["refresh-1"]
    assert await new_session(sessions, store, secrets).resume_cached() is None


async def test_a_start_from_the_cache_whose_token_left_the_keyring_ends_with_a_reason(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    secrets = memory_secrets()
    await new_session(sessions, store, secrets).sign_in(auth.url, "giamdoc", "hopdesk-demo", True)
    secrets.delete(auth.url, "giamdoc")  # cleared by hand in the keyring's own tool
    resumed = new_session(sessions, store, secrets)
    assert await resumed.resume_cached() is not None
    reasons: list[str] = []
    resumed.signed_out.connect(reasons.append)
    with pytest.raises(SessionExpired):
        await resumed.refresh_access(None)
    assert len(reasons) == 1
    assert "sign in again" in reasons[0]
    assert await new_session(sessions, store, secrets).resume_cached() is None  # forgotten


async def test_an_account_remembered_without_its_profile_resumes_through_the_server_once(
    auth: AuthServer, store: LocalStore, sessions: list[Session]
) -> None:
    """An account an older version remembered (server and name only): no start from the cache
    the first time; the server's answer adds the profile for the next one."""
    secrets = memory_secrets()
    user = await new_session(sessions, store, secrets).sign_in(
        auth.url, "giamdoc", "hopdesk-demo", True
    )
    store.set(ACCOUNT_KEY, {"server": auth.url, "username": "giamdoc"})
    older = new_session(sessions, store, secrets)
    assert await older.resume_cached() is None
    assert await older.resume() == user
    await store.settled()
    assert await new_session(sessions, store, secrets).resume_cached() == user
