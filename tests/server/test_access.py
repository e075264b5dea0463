"""Every non-public route refuses without a token; roles are enforced."""

from __future__ import annotations

import asyncio
import re

import pytest
import websockets
from fastapi.routing import APIRoute, APIWebSocketRoute

from server.app import API_PREFIX, PUBLIC_PATHS, ROUTERS
from tests.fixtures.server import ServerProcess
from tests.server.conftest import Api

SAMPLE = {"sha256": "0" * 64, "note_id": "3f0e4b52-0c8e-4f7e-9a55-5b9a9c1e7a10"}


def _routes() -> tuple[list[tuple[str, str]], list[str]]:
    http: list[tuple[str, str]] = []
    ws: list[str] = []
    for route in (r for router in ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute | APIWebSocketRoute):
            continue
        path = API_PREFIX + re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE.get(m[1], "1"), route.path)
        if isinstance(route, APIRoute):
            http += [(method, path) for method in sorted(route.methods or ())]
        else:
            ws.append(path)
    return http, ws


def test_every_private_route_refuses_without_token(demo: Api, demo_server: ServerProcess) -> None:
    http, ws = _routes()
    checked = 0
    for method, path in http:
        if path in PUBLIC_PATHS or path.startswith("/openapi"):
            continue
        body: dict[str, object] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        reply = demo.call(method, path.removeprefix("/api/v1"), body)
        assert reply.status == 401, (method, path, reply.status)
        assert reply.headers["www-authenticate"] == "Bearer"
        checked += 1
    assert checked >= 10

    async def ws_refused(path: str) -> int:
        url = demo_server.url.replace("http", "ws", 1) + path
        async with websockets.connect(url) as sock:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await sock.recv()
            return closed.value.rcvd.code if closed.value.rcvd else 0

    assert ws
    for path in ws:
        assert asyncio.run(ws_refused(path)) == 4401


@pytest.mark.parametrize(
    ("username", "method", "path"),
    [
        ("khach", "POST", "/meetings"),
        ("chuyenvien1", "POST", "/meetings"),
        ("giamdoc", "GET", "/audit"),
        ("khach", "POST", "/documents/1/comments"),
    ],
)
def test_role_is_enforced(demo: Api, username: str, method: str, path: str) -> None:
    body: dict[str, object] | None = {"text": "x"} if "comments" in path else None
    if path == "/meetings":
        body = {
            "title": "x",
            "starts_at": "2026-11-23T08:00:00+07:00",
            "ends_at": "2026-11-23T09:00:00+07:00",
            "chair_id": 1,
        }
    reply = demo.login(username).call(method, path, body)
    assert reply.status == 403
    assert reply.json()["type"].endswith("/forbidden")


def test_public_routes_answer_without_token(demo: Api) -> None:
    assert demo.get("/health").status == 200
    assert Api(demo.base.removesuffix("/api/v1")).get("/openapi.json").status == 200
