"""Calls through the room relay when the namespace's network goes away for a while
(tests/fixtures/network_drop.py: every TCP segment and UDP datagram dropped): for a few
seconds, for longer than ICE's consent timeout (aioice: 6 checks 5 s apart), and while
joining. The user is told ("reconnecting") while the link is gone, and the call comes back by
itself, with media both ways, when the network does."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.signaling import HEARTBEAT
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.fixtures.network_drop import NetworkDrop
from tests.fixtures.server import ServerProcess
from tests.media.netns.engines import FAST, relay_call, stamp_from, until

ICE_CONSENT_TIMEOUT = 30.0  # aioice: CONSENT_FAILURES × CONSENT_INTERVAL
TAGS = (91, 92)  # what alice's and bob's test patterns are stamped with


@contextlib.asynccontextmanager
async def alice_and_bob(
    server: ServerProcess, http: aiohttp.ClientSession
) -> AsyncIterator[tuple[Call, Call]]:
    """Two calls in the seeded room, not joined yet; closed, every task with them, at the end."""
    calls = (
        relay_call(http, server, "chuyenvien1", TAGS[0]),
        relay_call(http, server, "chuyenvien2", TAGS[1]),
    )
    try:
        yield calls
    finally:
        await asyncio.gather(*(call.close() for call in calls))
    assert [call.task_count() for call in calls] == [0, 0]


async def both_ways(alice: Call, bob: Call) -> None:
    """New frames from each at the other: the media is back both ways."""
    since = time.time() * 1000
    await until(lambda: (stamp_from(alice, TAGS[1]) or 0) > since, "bob's frames at alice", 60)
    await until(lambda: (stamp_from(bob, TAGS[0]) or 0) > since, "alice's frames at bob", 60)


async def both_connected(alice: Call, bob: Call) -> None:
    """Both calls in the room again, and the media flowing both ways."""
    await until(
        lambda: alice.status.state is bob.status.state is CallState.CONNECTED, "both in", 60
    )
    await both_ways(alice, bob)


@pytest.mark.parametrize("seconds", [3.0, ICE_CONSENT_TIMEOUT + 2], ids=["short", "past-ice"])
async def test_after_a_drop_the_call_comes_back_by_itself(
    relay: ServerProcess, http: aiohttp.ClientSession, seconds: float
) -> None:
    """A short drop may be ridden out (TCP retransmits, ICE waits 30 s) or rejoined; one the
    heartbeat notices (media/signaling: 1.5 × HEARTBEAT) says "reconnecting" while
    the network is down, with the reason."""
    async with alice_and_bob(relay, http) as (alice, bob):
        alice.join()
        bob.join()
        await both_ways(alice, bob)
        with NetworkDrop():
            start = time.monotonic()
            if seconds > 2 * HEARTBEAT:
                await until(
                    lambda: alice.status.state is CallState.RECONNECTING,
                    "alice told the link is gone while the network is down",
                    seconds,
                )
                assert alice.status.reason  # why, in a sentence
            # the fault lasts its time: not a wait for a result
            await asyncio.sleep(max(0.0, seconds - (time.monotonic() - start)))
        await both_connected(alice, bob)


async def test_a_drop_during_the_join_says_why_and_joins_when_the_network_is_back(
    relay: ServerProcess, http: aiohttp.ClientSession
) -> None:
    async with alice_and_bob(relay, http) as (alice, bob):
        seen: list[str] = []
        alice.state_changed.connect(lambda state, _reason: seen.append(state))
        bob.join()
        await until(lambda: bob.status.state is CallState.CONNECTED, "bob in")
        with NetworkDrop():
            alice.join()
            await until(lambda: alice.status.state is CallState.RECONNECTING, "alice told")
            assert alice.status.reason
        await both_connected(alice, bob)
        assert seen[:2] == ["connecting", "reconnecting"]


async def test_a_drop_behind_janus_says_reconnecting_before_the_keepalive_would(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    """Janus's own keepalive (25 s, and 10 s for its answer) would notice a drop only up to
    35 s in: the WebSocket heartbeat does within 1.5 × HEARTBEAT."""
    backend = JanusBackend(janus.url, ROOM)
    alice, bob = (
        Call(
            lambda name=name: JanusSignaling(http, backend, name),  # the app's keepalive
            ice_servers=(),  # never aiortc's public STUN default
            video=TestPatternTrack(tag),
            audio=ToneTrack(),
            backoff=FAST,
        )
        for name, tag in (("Alice", TAGS[0]), ("Bob", TAGS[1]))
    )
    try:
        alice.join()
        bob.join()
        await both_ways(alice, bob)
        with NetworkDrop():
            await until(
                lambda: alice.status.state is CallState.RECONNECTING,
                "alice told the link is gone while the network is down",
                3 * HEARTBEAT,
            )
        await both_connected(alice, bob)
    finally:
        await asyncio.gather(alice.close(), bob.close())
    assert [alice.task_count(), bob.task_count()] == [0, 0]
