"""Two HopDesk call engines through Debian's Janus VideoRoom, with synthetic media."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from media.call import Call
from media.config import JanusBackend
from media.devices import TestPatternTrack, ToneTrack
from media.errors import SignalingRefused
from media.signaling.janus import JanusSignaling
from media.state import CallState
from tests.fixtures.janus import ROOM, JanusProcess
from tests.media.netns.engines import FAST, stamp_from, until


def _call(
    http: aiohttp.ClientSession,
    janus: JanusProcess,
    name: str,
    tag: int,
    *,
    room: int = ROOM,
    keepalive: float = 1.0,
) -> Call:
    backend = JanusBackend(janus.url, room)
    return Call(
        lambda: JanusSignaling(http, backend, name, keepalive=keepalive),
        ice_servers=(),  # never aiortc's public STUN default
        video=TestPatternTrack(tag),
        audio=ToneTrack(),
        backoff=FAST,
    )


async def _in_call(alice: Call, bob: Call, alice_tag: int, bob_tag: int) -> None:
    """Alice joins, then Bob; each receives the other's frames."""
    alice.join()
    await until(lambda: alice.status.state is CallState.CONNECTED, "alice connected")
    bob.join()
    await until(lambda: stamp_from(alice, bob_tag) is not None, "bob's frames at alice")
    await until(lambda: stamp_from(bob, alice_tag) is not None, "alice's frames at bob")


async def test_two_engines_receive_each_others_frames_through_janus(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    alice = _call(http, janus, "Alice", tag=101)
    bob = _call(http, janus, "Bob", tag=202)
    states: list[str] = []
    alice.state_changed.connect(lambda state, _reason: states.append(state))
    speaking: list[tuple[str, bool]] = []
    alice.speaking_changed.connect(lambda peer, talking: speaking.append((peer, talking)))
    try:
        await _in_call(alice, bob, 101, 202)
        first = stamp_from(alice, 202)
        await until(lambda: (stamp_from(alice, 202) or 0) > (first or 0), "frames keep coming")
        age = time.time() * 1000 - (stamp_from(alice, 202) or 0)
        assert 0 <= age < 5000, age  # live frames, drawn moments ago by bob
        assert states == ["connecting", "connected"]
        assert list(alice.participants().values()) == ["Bob"]  # Janus itself is no participant
        assert list(bob.participants().values()) == ["Alice"]
        (bob_feed,) = alice.participants()
        assert set(await alice.stats()) == {bob_feed}  # not Janus's publishing connection
        # bob's tone is steady speech to Janus's audio levels: he becomes the active speaker
        await until(lambda: (bob_feed, True) in speaking, "bob talking at alice")
    finally:
        await bob.close()
        await until(lambda: not alice.participants(), "bob's leave reached alice")
        assert len(alice.roster) == 0  # his tile went away
        await alice.close()
    assert alice.task_count() == bob.task_count() == 0
    assert alice.status.state is bob.status.state is CallState.ENDED


async def test_a_room_that_does_not_exist_is_a_typed_refusal(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    signaling = JanusSignaling(http, JanusBackend(janus.url, 999_999), "Alice")
    with pytest.raises(SignalingRefused) as refused:
        await signaling.join()
    assert refused.value.code == 426  # Janus VideoRoom: no such room
    await signaling.leave()  # idempotent after a failed join

    call = _call(http, janus, "Alice", tag=7, room=999_999)
    try:
        call.join()
        await until(lambda: call.status.state is CallState.FAILED, "the call failed")
        assert call.status.reason  # a translated sentence, no retrying
    finally:
        await call.close()
    assert call.task_count() == 0


async def test_keepalives_hold_the_session_past_janus_session_timeout(
    tmp_path_factory: pytest.TempPathFactory, http: aiohttp.ClientSession
) -> None:
    janus = JanusProcess(tmp_path_factory.mktemp("janus-short"), session_timeout=2)
    janus.start()
    alice = _call(http, janus, "Alice", tag=51, keepalive=0.5)
    bob = _call(http, janus, "Bob", tag=52, keepalive=0.5)
    states: list[str] = []
    alice.state_changed.connect(lambda state, _reason: states.append(state))
    try:
        await _in_call(alice, bob, 51, 52)
        later = time.time() * 1000 + 6000  # three session timeouts on
        await until(lambda: (stamp_from(alice, 52) or 0) > later, "frames 6 s later")
        assert states == ["connecting", "connected"]  # the session never timed out
    finally:
        await alice.close()
        await bob.close()
        janus.stop()


async def test_engines_rejoin_by_themselves_after_janus_restarts(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    alice = _call(http, janus, "Alice", tag=31)
    bob = _call(http, janus, "Bob", tag=32)
    states: list[str] = []
    alice.state_changed.connect(lambda state, _reason: states.append(state))
    try:
        await _in_call(alice, bob, 31, 32)
        await asyncio.to_thread(janus.restart)  # the link and the media drop under both
        await until(lambda: "reconnecting" in states, "alice saw the drop")
        await until(
            lambda: alice.status.state is bob.status.state is CallState.CONNECTED, "both back"
        )
        before = time.time() * 1000
        await until(lambda: (stamp_from(alice, 32) or 0) > before, "bob's new frames at alice")
        await until(lambda: (stamp_from(bob, 31) or 0) > before, "alice's new frames at bob")
        assert states[-1] == "connected"
    finally:
        await alice.close()
        await bob.close()
    assert alice.task_count() == bob.task_count() == 0


async def test_a_failed_feed_connection_is_subscribed_again(
    janus: JanusProcess, http: aiohttp.ClientSession
) -> None:
    alice = _call(http, janus, "Alice", tag=71)
    bob = _call(http, janus, "Bob", tag=72)
    try:
        await _in_call(alice, bob, 71, 72)
        (bob_feed,) = alice.participants()
        link = alice._peers[bob_feed]
        broken = link.pc
        assert broken is not None
        # The fault: ICE fails on alice's connection to bob's feed. Loopback cannot make that
        # happen within a test's time (aioice's consent checks take ~30 s), so the state change
        # aiortc would make is made here; all that follows is the engine's and Janus's own.
        broken._RTCPeerConnection__connectionState = "failed"  # type: ignore[attr-defined]
        broken.emit("connectionstatechange")
        await until(lambda: link.pc is not None and link.pc is not broken, "a new connection")
        before = time.time() * 1000
        await until(lambda: (stamp_from(alice, 72) or 0) > before, "bob's frames again")
        assert list(alice.participants()) == [bob_feed]  # the same tile, not a new participant
        assert alice.status.state is CallState.CONNECTED
    finally:
        await alice.close()
        await bob.close()
    assert alice.task_count() == bob.task_count() == 0
