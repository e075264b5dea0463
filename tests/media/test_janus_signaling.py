"""The Janus adapter against a broken or hostile Janus: a WebSocket server that speaks just enough
of Janus's API (create, attach, join) and then sends what a real Janus never should. The real
Janus is exercised in tests/media/netns/test_janus.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from media.config import JanusBackend
from media.errors import SignalingError
from media.signaling import Speaking
from media.signaling.janus import JanusSignaling

Script = Callable[[web.WebSocketResponse, dict[str, object]], Awaitable[None]]


async def _serve(script: Script) -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("janus-protocol",))
        await ws.prepare(request)
        async for raw in ws:
            await script(ws, json.loads(raw.data))
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


async def _hostile(ws: web.WebSocketResponse, request: dict[str, object]) -> None:
    """A Janus that admits us, then sends garbage, then one good `talking` event."""
    tx, kind = request["transaction"], request["janus"]
    if kind in ("create", "attach"):
        await ws.send_json({"janus": "success", "transaction": tx, "data": {"id": 5}})
    elif kind == "message":
        await ws.send_json({"janus": "ack", "transaction": tx})
        data = {"videoroom": "joined", "id": 7, "publishers": []}
        await ws.send_json({"janus": "event", "transaction": tx, "plugindata": {"data": data}})
        for garbage in (
            "{not json",
            "[1, 2]",
            json.dumps({"janus": "event", "plugindata": {"data": {"publishers": [{"id": "x"}]}}}),
            json.dumps({"janus": "event", "plugindata": {"data": {"publishers": [42]}}}),
            json.dumps({"janus": "event", "plugindata": {"data": {"unpublished": "7"}}}),
        ):
            await ws.send_str(garbage)
        talking = {"videoroom": "talking", "room": 1234, "id": 9}
        await ws.send_json({"janus": "event", "plugindata": {"data": talking}})


async def _no_session(ws: web.WebSocketResponse, request: dict[str, object]) -> None:
    await ws.send_json({"janus": "success", "transaction": request["transaction"]})


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_garbage_from_janus_is_skipped_and_the_link_goes_on(
    http: aiohttp.ClientSession,
) -> None:
    async for url in _serve(_hostile):
        signaling = JanusSignaling(http, JanusBackend(url, 1234), "Alice")
        presence = await signaling.join()
        assert presence.you == "7"
        first = await anext(aiter(signaling.incoming()))
        assert first == Speaking("9", True)  # the good event after the garbage still arrives
        await signaling.leave()


async def test_a_reply_without_a_session_is_a_signaling_error(
    http: aiohttp.ClientSession,
) -> None:
    async for url in _serve(_no_session):
        signaling = JanusSignaling(http, JanusBackend(url, 1234), "Alice")
        with pytest.raises(SignalingError, match="unusable reply"):
            await signaling.join()
