"""WHEP playback (draft-ietf-wish-whep) into a HopDesk call: from a minimal endpoint written in
this test with aiortc as the sender (POST offer → 201 answer + Location, DELETE ends it), and
from a Janus Streaming mountpoint through the reference server's WHEP endpoint (server/whep.py;
Janus has no WHEP of its own and Meetecho's simple-whep-server is not packaged for Debian). The
client side is the real adapter and call engine, and the frames carry the sender's stamp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from media.call import Call
from media.config import WhipBackend
from media.devices import TestPatternTrack
from media.signaling.whip import WhipSignaling
from tests.fixtures.janus import MOUNTPOINT, MOUNTPOINT_PT, JanusProcess
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import FAST, stamp_from, until
from tests.media.netns.publishers import feed_rtp
from tests.server.conftest import api_for

TOKEN = "whep-token"
TAG = 505


class WhepEndpoint:
    """One stream offered over WHEP; counts its sessions and DELETEs."""

    def __init__(self) -> None:
        self.sessions: dict[str, RTCPeerConnection] = {}
        self.deleted: list[str] = []

    async def post(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401)
        if request.content_type != "application/sdp":
            return web.Response(status=415)
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await pc.setRemoteDescription(RTCSessionDescription(await request.text(), "offer"))
        pc.addTrack(TestPatternTrack(TAG))
        await pc.setLocalDescription(await pc.createAnswer())
        name = str(len(self.sessions) + 1)
        self.sessions[name] = pc
        return web.Response(
            status=201,
            text=pc.localDescription.sdp,
            content_type="application/sdp",
            headers={"Location": f"/whep/session/{name}", "ETag": f'"{name}"'},
        )

    async def delete(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        pc = self.sessions.pop(name, None)
        if pc is None:
            return web.Response(status=404)
        await pc.close()
        self.deleted.append(name)
        return web.Response(status=200)


@pytest.fixture
async def whep(unused_tcp_port: int) -> AsyncIterator[tuple[str, WhepEndpoint]]:
    endpoint = WhepEndpoint()
    app = web.Application()
    app.router.add_post("/whep", endpoint.post)
    app.router.add_delete("/whep/session/{name}", endpoint.delete)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    yield f"http://127.0.0.1:{unused_tcp_port}/whep", endpoint
    for pc in endpoint.sessions.values():
        await pc.close()
    await runner.cleanup()


async def test_a_call_plays_a_whep_stream_and_deletes_the_session(
    whep: tuple[str, WhepEndpoint],
) -> None:
    url, endpoint = whep
    backend = WhipBackend(url, TOKEN)
    async with aiohttp.ClientSession() as http:
        call = Call(  # no local tracks: the offer is receive-only
            lambda: WhipSignaling(http, backend, playback=True), ice_servers=(), backoff=FAST
        )
        try:
            call.join()
            await until(lambda: stamp_from(call, TAG) is not None, "the WHEP stream's frames")
            first = stamp_from(call, TAG) or 0
            await until(lambda: (stamp_from(call, TAG) or 0) > first, "frames keep coming")
            assert list(endpoint.sessions) == ["1"]
        finally:
            await call.close()
        assert endpoint.deleted == ["1"]


async def test_a_call_plays_a_janus_streaming_mountpoint_over_the_servers_whep(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """Debian's Janus streams a mountpoint fed with plain RTP; the reference server is its WHEP
    endpoint (server/whep.py); the real adapter and call engine play it and leave with DELETE."""
    (tmp_path / "janus").mkdir()
    janus = JanusProcess(tmp_path / "janus", streaming=True)
    janus.start()
    feeder = asyncio.create_task(feed_rtp(janus.mountpoint_port, TAG + 1, MOUNTPOINT_PT))
    server = ServerProcess(tmp_path / "server", extra_args=["--whep-janus", janus.url])
    try:
        server.start()
        token = str(api_for(server).login("chuyenvien1").token)
        backend = WhipBackend(f"{server.api}/whep/{MOUNTPOINT}", token)
        signaling = WhipSignaling(http, backend, playback=True)
        call = Call(lambda: signaling, ice_servers=(), backoff=FAST)
        try:
            call.join()
            await until(lambda: stamp_from(call, TAG + 1) is not None, "the mountpoint's frames")
            first = stamp_from(call, TAG + 1) or 0
            await until(lambda: (stamp_from(call, TAG + 1) or 0) > first, "frames keep coming")
            session = signaling.session_url
            assert session is not None
            assert "/api/v1/whep/sessions/" in session
        finally:
            await call.close()
        async with http.delete(session, headers={"Authorization": f"Bearer {token}"}) as gone:
            assert gone.status == 404  # the call's DELETE ended it already
        async with http.post(
            f"{server.api}/whep/4321",
            data=b"v=0\r\n",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/sdp"},
        ) as bad:
            assert bad.status == 400  # not an offer
    finally:
        feeder.cancel()
        server.stop()
        janus.stop()
