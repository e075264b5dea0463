"""media/signaling/room.py against the real server (no media: runs outside the namespace)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from media.call import Call
from media.config import RoomBackend
from media.errors import SignalingRefused
from media.signaling import Offer, PeerJoined, PeerLeft
from media.signaling.room import RoomSignaling
from media.state import CallState
from tests.fixtures.server import ServerProcess
from tests.server.conftest import api_for

ROOM = "cds-cap-xa"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _signaling(http: aiohttp.ClientSession, server: ServerProcess, user: str) -> RoomSignaling:
    backend = RoomBackend(server.url.replace("http", "ws", 1) + f"/api/v1/rooms/{ROOM}", ROOM)
    return RoomSignaling(http, backend, str(api_for(server).login(user).token))


async def _until(check: Callable[[], bool], what: str, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_join_relay_and_leave(
    demo_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    a = _signaling(http, demo_server, "chuyenvien1")
    b = _signaling(http, demo_server, "khach")
    me = (await a.join()).you
    presence = await b.join()
    assert [p.peer for p in presence.peers] == [me]
    incoming = a.incoming()
    async with asyncio.timeout(10):
        joined = await anext(incoming)
        assert isinstance(joined, PeerJoined)
        assert joined.peer == presence.you
        await b.send(Offer(me, "v=0"))
        assert await anext(incoming) == Offer(presence.you, "v=0")
        await b.leave()
        await b.leave()  # idempotent
        assert await anext(incoming) == PeerLeft(presence.you)
    await a.leave()


async def test_an_outsider_is_refused_and_the_call_says_why(
    demo_server: ServerProcess, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(SignalingRefused) as refused:
        await _signaling(http, demo_server, "vanthu").join()  # not invited to this meeting
    assert refused.value.code == 4403
    call = Call(lambda: _signaling(http, demo_server, "vanthu"))
    call.join()
    await _until(lambda: call.status.state is CallState.FAILED, "the call failed")
    assert call.status.reason == SignalingRefused(4403, "").user_message()
    await call.close()
    assert call.task_count() == 0
