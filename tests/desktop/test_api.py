"""API client pieces without the real server: URLs, problem mapping, refresh on 401."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from desktop.api import ApiClient, Timeouts, normalize_server_url, problem_error
from desktop.errors import (
    ApiError,
    InvalidCredentials,
    InvalidServerUrl,
    Problem,
    SessionExpired,
    TooManyAttempts,
)

BASE = "https://hopdesk.example/problems/"


@pytest.mark.parametrize(
    ("given", "wanted"),
    [
        ("office.gov.vn", "https://office.gov.vn"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://x.vn/api/v1", "https://x.vn"),
        (" https://x.vn/hopdesk ", "https://x.vn/hopdesk"),
    ],
)
def test_normalize_server_url(given: str, wanted: str) -> None:
    assert normalize_server_url(given) == wanted


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://", "http://x:port"])
def test_invalid_server_url(bad: str) -> None:
    with pytest.raises(InvalidServerUrl):
        normalize_server_url(bad)


def test_problem_mapping() -> None:
    assert isinstance(
        problem_error(Problem(401, BASE + "invalid-credentials"), {}), InvalidCredentials
    )
    limited = problem_error(Problem(429, BASE + "too-many-attempts"), {"Retry-After": "42"})
    assert isinstance(limited, TooManyAttempts)
    assert limited.retry_after == 42
    member = Problem(429, BASE + "too-many-attempts", extensions={"retry_after": 7})
    assert problem_error(member, {}).retry_after == 7  # type: ignore[attr-defined]
    assert type(problem_error(Problem(403, BASE + "forbidden"), {})) is ApiError


class Tokens:
    """A token provider that counts refreshes (the Session's role)."""

    def __init__(self) -> None:
        self.access_token: str | None = "old"
        self.refreshes = 0
        self.lock = asyncio.Lock()
        self.refuse = False

    async def refresh_access(self, stale: str | None) -> str:
        async with self.lock:
            if self.access_token != stale:
                return str(self.access_token)
            if self.refuse:
                raise SessionExpired("refresh-revoked")
            self.refreshes += 1
            await asyncio.sleep(0.01)
            self.access_token = "new"
            return "new"


@pytest.fixture
async def fake_server() -> Any:
    seen: list[dict[str, str]] = []

    async def me(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        if request.headers.get("Authorization") != "Bearer new":
            body = {"type": BASE + "token-expired", "title": "expired", "status": 401}
            return web.json_response(body, status=401, content_type="application/problem+json")
        return web.json_response({"username": "giamdoc"})

    async def post(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True}, status=201)

    app = web.Application()
    app.router.add_get("/api/v1/me", me)
    app.router.add_post("/api/v1/things", post)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_concurrent_401s_share_one_refresh(fake_server: Any) -> None:
    url, _seen = fake_server
    tokens = Tokens()
    client = ApiClient(url, token_provider=tokens)
    try:
        results = await asyncio.gather(*(client.get_json("/me") for _ in range(5)))
        assert results == [{"username": "giamdoc"}] * 5
        assert tokens.refreshes == 1
    finally:
        await client.close()


async def test_refused_refresh_raises_session_expired(fake_server: Any) -> None:
    url, _seen = fake_server
    tokens = Tokens()
    tokens.refuse = True
    client = ApiClient(url, token_provider=tokens)
    try:
        with pytest.raises(SessionExpired):
            await client.get_json("/me")
    finally:
        await client.close()


async def test_state_changing_calls_carry_an_idempotency_key(fake_server: Any) -> None:
    url, seen = fake_server
    client = ApiClient(url, token_provider=Tokens())
    try:
        await client.post_json("/things", {"a": 1})
        await client.post_json("/things", {"a": 1}, idempotency_key="fixed")
    finally:
        await client.close()
    keys = [headers.get("Idempotency-Key") for headers in seen]
    assert keys[0]
    assert keys[1] == "fixed"
    assert seen[0]["Authorization"] == "Bearer old"


async def test_a_silent_server_times_out_as_unreachable() -> None:

    from desktop.errors import ServerUnreachable

    given_up = asyncio.Event()

    async def silent(_request: web.Request) -> web.Response:
        await given_up.wait()  # answers only once the client has given up
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/api/v1/health", silent)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = ApiClient(f"http://127.0.0.1:{port}", timeout=Timeouts(total=0.3))
    try:
        with pytest.raises(ServerUnreachable) as caught:
            await client.get_json("/health")
        assert caught.value.cause == "timed out"
        assert f"http://127.0.0.1:{port}" in caught.value.user_message()
    finally:
        given_up.set()  # the server's cleanup waits for its handler: let it finish now
        await client.close()
        await runner.cleanup()


def test_the_event_stream_heartbeat_stays_quiet_while_the_server_pings() -> None:
    """aiohttp's heartbeat restarts on every frame received: it must outlast the server's
    keep-alive interval (with room for a late ping), or every stream costs the server two pings
    per interval instead of one; and a dead server (ping, then half the heartbeat for the pong)
    is still noticed within a minute."""
    from desktop.api import EVENT_STREAM_HEARTBEAT
    from server.cli import WS_PING_INTERVAL

    assert EVENT_STREAM_HEARTBEAT >= WS_PING_INTERVAL + 5
    assert EVENT_STREAM_HEARTBEAT * 1.5 <= 60


def test_system_roots_reuse_aiohttp_s_verifying_context(tmp_path: Path) -> None:
    """No second read of every system root at start-up: `True` is aiohttp's own verifying
    context; only a CA bundle (machine policy) needs one of ours, and off is off."""
    import ssl

    from desktop.api import ssl_context
    from desktop.config import Settings
    from tests.fixtures.server import make_self_signed_cert

    assert ssl_context(Settings()) is True
    assert ssl_context(Settings(verify_tls=False)) is False
    cert, _key = make_self_signed_cert(tmp_path)
    with_bundle = ssl_context(Settings(ca_bundle=str(cert)))
    assert isinstance(with_bundle, ssl.SSLContext)
    assert with_bundle.verify_mode == ssl.CERT_REQUIRED
    assert any(c.get("subject") for c in with_bundle.get_ca_certs())


async def test_a_pooled_connection_the_server_dropped_is_replaced_not_reported() -> None:
    """A server closes an idle keep-alive connection just as the next request goes out on it
    (uvicorn does after 5 s): the client sends that request again on a new connection instead
    of telling the user the server is unreachable."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)  # HTTP/1.1 without "Connection: close": the client keeps it
        await writer.drain()
        if connections == 1:
            await reader.readuntil(b"\r\n\r\n")  # the next request on it: dropped unanswered
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = ApiClient(f"http://127.0.0.1:{port}")
    try:
        assert await client.get_json("/health") == {}
        assert await client.post_json("/meetings/1/chat", {"text": "xin chào"}) == {}
        assert connections == 2
    finally:
        await client.close()
        server.close()
        await server.wait_closed()
