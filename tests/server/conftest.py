"""Helpers for the server tests: a small blocking HTTP client (stdlib only) and DB choice."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.fixtures.server import ServerProcess

DEMO_PASSWORD = "hopdesk-demo"


@dataclass
class Reply:
    """Status, headers and body of one response."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Api:
    """Talks to one server as one user; `token` is sent as Bearer when set."""

    base: str
    token: str | None = None
    context: ssl.SSLContext | None = None
    refresh_token: str | None = None
    user: dict[str, Any] = field(default_factory=dict)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30, context=self.context) as resp:
                return Reply(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
                )
        except urllib.error.HTTPError as err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Api:
        """Sign in; returns a new client carrying the access token."""
        reply = self.post("/auth/login", {"username": username, "password": password})
        assert reply.status == 200, reply.body
        pair = reply.json()
        return Api(
            self.base, pair["access_token"], self.context, pair["refresh_token"], pair["user"]
        )


def meeting_body(secretary: Api, invitees: list[int], title: str) -> dict[str, Any]:
    """A `POST /meetings` body chaired by `secretary`; its `meeting.updated` reaches invitees."""
    return {
        "title": title,
        "starts_at": "2026-12-01T08:00:00+07:00",
        "ends_at": "2026-12-01T09:00:00+07:00",
        "location": "Phòng họp tầng 3",
        "online": False,
        "chair_id": secretary.user["id"],
        "secretary_id": secretary.user["id"],
        "invitee_ids": invitees,
    }


def api_for(server: ServerProcess) -> Api:
    """An anonymous client of a server (trusting its self-signed cert under TLS)."""
    context = None
    if server.cert is not None:
        context = ssl.create_default_context(cafile=str(server.cert))
    return Api(server.api, context=context)


@pytest.fixture
def anon(server: ServerProcess) -> Api:
    """Anonymous client of the per-test server."""
    return api_for(server)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Anonymous client of a server shared by one test module: tests that write, but only
    things no other test of the module counts (fresh UUIDs, keys, own sign-ins)."""
    proc = ServerProcess(tmp_path_factory.mktemp("module-server")).start()
    yield api_for(proc)
    proc.stop()


@pytest.fixture(scope="session")
def demo(demo_server: ServerProcess) -> Api:
    """Anonymous client of the shared read-only server."""
    return api_for(demo_server)


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_server(
    request: pytest.FixtureRequest, server_factory: Callable[..., ServerProcess]
) -> ServerProcess:
    """A fresh seeded server on SQLite, then on PostgreSQL (skipped without its binaries)."""
    if request.param == "sqlite":
        return server_factory()
    make_db = request.getfixturevalue("postgres_database")
    return server_factory(db=make_db())


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A seeded server shared by one module, on SQLite then on PostgreSQL (skipped without it),
    for tests of what each engine refuses; tests may write, but only things no other counts."""
    db = None
    if request.param == "postgres":
        from tests.fixtures.postgres import create_database

        db = create_database(request.getfixturevalue("postgres_url"))
    proc = ServerProcess(tmp_path_factory.mktemp(f"{request.param}-server"), db=db).start()
    yield proc
    proc.stop()
